"""``TwfeEventStudy``: two-way fixed-effects event study, estimated with pyfixest.

``y_it = a_i + l_t + sum_{e != ref} b_e 1[t - G_i = e] + u_it`` with unit and period fixed
effects and standard errors clustered by unit. Never-treated units have every event dummy at
zero. Under staggered adoption with heterogeneous effects the ``b_e`` mix effects with
negative weights (Sun & Abraham 2021; Goodman-Bacon 2021); report it next to
:class:`StaggeredDiD`, not instead of it.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from aoresearch.errors import EstimationError, ParameterError
from aoresearch.impact._checks import FittedAttributes, check_probability
from aoresearch.impact._did_validation import validate_staggered_panel

__all__ = ["TwfeEventStudy", "event_time_dummies"]

OWNER = "TwfeEventStudy"


class TwfeEventStudy(FittedAttributes, BaseEstimator):
    """Event study with unit and period fixed effects (pyfixest ``feols``).

    Parameters
    ----------
    window : (int, int), default (-5, 5)
        First and last event time with its own coefficient.
    reference : int, default -1
        Omitted event time (normalised to zero).
    bin_endpoints : bool, default True
        Pool event times beyond the window into the end points; if False, drop the treated
        units' observations outside the window.
    alpha : float, default 0.05

    Attributes
    ----------
    coefficients_ : DataFrame, shape (n_event_times, 6)
        Columns ``event_time``, ``estimate``, ``se``, ``lower``, ``upper``, ``p_value``; the
        reference period is included with estimate 0 and NaN standard error.
    n_obs_ : int
    n_clusters_ : int
    """

    _fitted_attributes = ("coefficients_", "n_obs_", "n_clusters_")

    def __init__(self, window: tuple[int, int] = (-5, 5), reference: int = -1, bin_endpoints: bool = True, alpha: float = 0.05) -> None:
        self.window = window
        self.reference = reference
        self.bin_endpoints = bin_endpoints
        self.alpha = alpha

    def fit(self, panel: pd.DataFrame, *, unit: Hashable, time: Hashable, outcome: Hashable, group: Hashable) -> TwfeEventStudy:
        """Estimate the event-time coefficients.

        Parameters
        ----------
        panel : DataFrame
            Long panel, one row per (unit, time); need not be balanced.
        unit, time, outcome : hashable
            Column names.
        group : hashable
            First treated period per unit; 0, NaN, inf or after the data end = never treated.

        Returns
        -------
        TwfeEventStudy
            ``self``, fitted.

        Raises
        ------
        ParameterError
            Invalid ``window``, ``reference`` or ``alpha``.
        PanelStructureError, InsufficientDataError
            See :func:`validate_staggered_panel`.
        EstimationError
            If pyfixest fails or drops every event dummy.
        """
        low, high = self._window()
        alpha = check_probability(self.alpha, "alpha", OWNER)
        data = validate_staggered_panel(panel, unit, time, outcome, group, None, f"{OWNER}.fit", False, require_balanced=False)
        frame, names = event_time_dummies(data.frame, low, high, self.reference, bool(self.bin_endpoints))
        self.coefficients_ = _estimate(frame, names, self.reference, alpha)
        self.n_obs_ = len(frame)
        self.n_clusters_ = int(frame["unit"].nunique())
        return self

    def _window(self) -> tuple[int, int]:
        window = self.window
        valid = isinstance(window, (tuple, list)) and len(window) == 2 and all(isinstance(w, (int, np.integer)) for w in window)
        if not valid or not window[0] <= self.reference <= window[1] or window[0] == window[1]:
            raise ParameterError(
                f"The 'window' parameter of {OWNER} must be two ints (low, high) with low <= reference "
                f"({self.reference!r}) <= high and low < high. Got {window!r} instead."
            )
        return int(window[0]), int(window[1])


def _name(event_time: int) -> str:
    return f"ev_m{-event_time}" if event_time < 0 else f"ev_p{event_time}"


def event_time_dummies(frame: pd.DataFrame, low: int, high: int, reference: int, bin_endpoints: bool) -> tuple[pd.DataFrame, dict]:
    """Add one dummy per event time in ``[low, high]`` except ``reference``.

    Parameters
    ----------
    frame : DataFrame
        Canonical panel (``unit``, ``time``, ``y``, ``g``; ``g == 0`` never treated).

    Returns
    -------
    DataFrame
        ``frame`` (without out-of-window treated rows unless binned) plus the dummies.
    dict
        Dummy column name -> event time.
    """
    treated = frame["g"] > 0
    event = (frame["time"] - frame["g"]).where(treated)
    if bin_endpoints:
        event = event.clip(low, high)
    else:
        inside = ~treated | event.between(low, high)
        frame, event = frame[inside], event[inside]
    names = {_name(e): e for e in range(low, high + 1) if e != reference}
    dummies = pd.DataFrame({n: (event == e).astype(float) for n, e in names.items()}, index=frame.index)
    return pd.concat([frame, dummies], axis=1), names


def _estimate(frame: pd.DataFrame, names: dict, reference: int, alpha: float) -> pd.DataFrame:
    import pyfixest as pf

    formula = "y ~ " + " + ".join(names) + " | unit + time"
    try:
        fit = pf.feols(formula, data=frame, vcov={"CRV1": "unit"})
    except Exception as error:  # pyfixest raises a variety of types for singular designs
        raise EstimationError(f"{OWNER}.fit: pyfixest could not estimate the event study: {error}") from error
    tidy = fit.tidy(alpha=alpha)
    kept = [n for n in names if n in tidy.index]
    if not kept:
        raise EstimationError(f"{OWNER}.fit: every event-time dummy was dropped as collinear with the fixed effects.")
    table = pd.DataFrame({
        "event_time": [names[n] for n in kept],
        "estimate": tidy.loc[kept, "Estimate"].to_numpy(),
        "se": tidy.loc[kept, "Std. Error"].to_numpy(),
        "lower": tidy.loc[kept].iloc[:, 4].to_numpy(),
        "upper": tidy.loc[kept].iloc[:, 5].to_numpy(),
        "p_value": tidy.loc[kept, "Pr(>|t|)"].to_numpy(),
    })
    base = pd.DataFrame({"event_time": [reference], "estimate": [0.0], "se": [np.nan], "lower": [np.nan], "upper": [np.nan], "p_value": [np.nan]})
    return pd.concat([table, base]).sort_values("event_time").reset_index(drop=True)
