"""``StaggeredDiD``: group-time average treatment effects under staggered adoption.

Callaway, B. & Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time
periods. Journal of Econometrics 225(2), 200-230.
Sant'Anna, P. H. C. & Zhao, J. (2020). Doubly robust difference-in-differences estimators.
Journal of Econometrics 219(1), 101-122.

Estimation is delegated to the maintained ``csdid`` package (a port of R ``did``), which
reproduces R ``did`` 2.5 on the ``mpdta`` reference to machine precision for ATT(g,t), the
analytic standard errors, all four aggregations and the pre-trend Wald test; ``differences``
0.3.0 also matched ATT(g,t) but has no pre-trend test. This module validates the panel once,
maps the options, and turns the results into tidy frames and effects in rate units and as a
percent of the counterfactual.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator

from aoresearch.errors import ParameterError
from aoresearch.impact._checks import FittedAttributes, check_choice, check_fitted, check_int, check_probability
from aoresearch.impact._csdid_backend import AttGtFit, pretest_p_value, run_aggregation, run_att_gt
from aoresearch.impact._did_validation import StaggeredPanel, validate_staggered_panel
from aoresearch.impact._results import EffectEstimate, effect_estimate

__all__ = ["StaggeredDiD", "Aggregation", "PreTrendTest", "ControlGroup", "EstMethod", "BasePeriod", "AggregationKind"]

ControlGroup = Literal["nevertreated", "notyettreated"]
EstMethod = Literal["dr", "reg", "ipw"]
BasePeriod = Literal["varying", "universal"]
AggregationKind = Literal["simple", "dynamic", "group", "calendar"]

OWNER = "StaggeredDiD"
_LABEL = {"simple": None, "dynamic": "event_time", "group": "group", "calendar": "time"}


@dataclass(frozen=True)
class PreTrendTest:
    """Wald test that all pre-treatment ATT(g,t) are zero (R ``did``'s ``W``, ``Wpval``).

    Attributes
    ----------
    statistic : float
        ``n * att_pre' V_pre^{-1} att_pre`` with ``V`` the influence-function covariance.
    df : int
        Number of pre-treatment cells tested.
    p_value : float
        Chi-square(df) upper tail (unrounded; R rounds to 5 decimals).
    """

    statistic: float
    df: int
    p_value: float


@dataclass(frozen=True)
class Aggregation:
    """An aggregation of ATT(g,t) (Callaway & Sant'Anna 2021, sec. 3).

    Attributes
    ----------
    kind : {"simple", "dynamic", "group", "calendar"}
    table : DataFrame, shape (n_rows, 5)
        One row per event time / cohort / period (empty for "simple"); columns the label
        (``event_time``, ``group`` or ``time``), ``att``, ``se``, ``lower``, ``upper``.
    overall_att, overall_se, overall_lower, overall_upper : float
        The summary parameter: the group-size weighted average of post-treatment cells
        (simple), the mean over event times >= 0 (dynamic), the size-weighted mean over
        cohorts (group) or the mean over periods (calendar).
    alpha : float
    """

    kind: str
    table: pd.DataFrame
    overall_att: float
    overall_se: float
    overall_lower: float
    overall_upper: float
    alpha: float


class StaggeredDiD(FittedAttributes, BaseEstimator):
    """Callaway & Sant'Anna (2021) difference-in-differences for staggered adoption.

    Parameters
    ----------
    control_group : {"nevertreated", "notyettreated"}
    est_method : {"dr", "reg", "ipw"}
        Doubly robust (Sant'Anna & Zhao 2020), outcome regression or inverse probability
        weighting; identical without covariates except "reg".
    base_period : {"varying", "universal"}
    anticipation : int, default 0
        Periods before adoption in which units may already react.
    alpha : float, default 0.05
        Pointwise intervals are ``att +- z(1 - alpha/2) * se``.

    Attributes
    ----------
    att_gt_ : DataFrame, shape (n_cells, 8)
        Columns ``group``, ``time``, ``event_time``, ``att``, ``se``, ``lower``, ``upper``,
        ``post`` (time >= group). Standard errors are analytic (influence function),
        clustered by unit.
    pretest_ : PreTrendTest
    n_units_ : int
    groups_ : tuple
        Treated cohorts (adoption periods).
    """

    _fitted_attributes = ("att_gt_", "pretest_", "n_units_", "groups_")

    def __init__(
        self,
        control_group: ControlGroup = "nevertreated",
        est_method: EstMethod = "dr",
        base_period: BasePeriod = "varying",
        anticipation: int = 0,
        alpha: float = 0.05,
    ) -> None:
        self.control_group = control_group
        self.est_method = est_method
        self.base_period = base_period
        self.anticipation = anticipation
        self.alpha = alpha

    def fit(
        self,
        panel: pd.DataFrame,
        *,
        unit: Hashable,
        time: Hashable,
        outcome: Hashable,
        group: Hashable,
        covariates: list[str] | None = None,
    ) -> StaggeredDiD:
        """Estimate every ATT(g,t).

        Parameters
        ----------
        panel : DataFrame
            Balanced long panel, one row per (unit, time).
        unit, time, outcome : hashable
            Column names.
        group : hashable
            Column with each unit's first treated period; 0, NaN, inf or a period after the
            data end mean never treated within the sample.
        covariates : list of str, optional
            Pre-treatment covariates (their base-period values enter the propensity score and
            outcome regressions).

        Returns
        -------
        StaggeredDiD
            ``self``, fitted.

        Raises
        ------
        ParameterError
            Invalid options or ``covariates``.
        PanelStructureError
            Missing, non-numeric or duplicated keys, varying adoption time, unbalanced panel.
        InsufficientDataError
            Missing values, no treated cohort, no never-treated units for that control group.
        EstimationError
            If the estimation fails numerically.
        """
        options = self._options()
        data = validate_staggered_panel(
            panel, unit, time, outcome, group, covariates, f"{OWNER}.fit", options["control_group"] == "nevertreated"
        )
        fit = run_att_gt(data.frame, len(data.covariates), **options)
        self._store(data, fit, options["alpha"])
        return self

    def aggregate(
        self, kind: AggregationKind = "simple", *, min_e: float = -np.inf, max_e: float = np.inf, balance_e: int | None = None
    ) -> Aggregation:
        """Aggregate ATT(g,t) as R ``did::aggte`` does, with analytic standard errors.

        Parameters
        ----------
        kind : {"simple", "dynamic", "group", "calendar"}
        min_e, max_e : float
            Event-time window (dynamic; ``max_e`` also limits the others, as in R).
        balance_e : int, optional
            Dynamic only: keep cohorts observed for at least ``balance_e`` periods after adoption.

        Returns
        -------
        Aggregation

        Raises
        ------
        NotFittedError
            Before ``fit``.
        ParameterError
            Unknown ``kind``.
        """
        check_fitted(self, "att_gt_")
        check_choice(kind, AggregationKind, "kind", f"{OWNER}.aggregate")
        if balance_e is not None:
            balance_e = check_int(balance_e, "balance_e", f"{OWNER}.aggregate", minimum=0)
        out = run_aggregation(self._fit, kind, min_e, max_e, balance_e)
        return _aggregation(kind, out.labels, out.att, out.se, out.overall_att, out.overall_se, self._alpha)

    def effect(self, kind: AggregationKind = "simple") -> EffectEstimate:
        """The overall effect of an aggregation, in rate units and as percent of the counterfactual.

        The counterfactual level is ``sum_gt w_gt (mean outcome of cohort g at t - ATT(g,t))``
        with the aggregation's own cell weights ``w_gt``; the interval is the analytic one.

        Returns
        -------
        EffectEstimate

        Raises
        ------
        NotFittedError
            Before ``fit``.
        """
        agg = self.aggregate(kind)
        weights = aggregation_weights(self.att_gt_, self._group_shares, kind)
        counterfactual = float(np.sum(weights * (self._cell_means - self.att_gt_["att"].to_numpy())))
        p_value = 2 * stats.norm.sf(abs(agg.overall_att / agg.overall_se)) if agg.overall_se > 0 else np.nan
        return effect_estimate(
            agg.overall_att, agg.overall_lower, agg.overall_upper, counterfactual, self._alpha,
            f"Callaway-Sant'Anna {kind} aggregation, analytic SE", p_value,
        )

    def _options(self) -> dict:
        return {
            "control_group": check_choice(self.control_group, ControlGroup, "control_group", OWNER),
            "est_method": check_choice(self.est_method, EstMethod, "est_method", OWNER),
            "base_period": check_choice(self.base_period, BasePeriod, "base_period", OWNER),
            "anticipation": check_int(self.anticipation, "anticipation", OWNER, minimum=0),
            "alpha": check_probability(self.alpha, "alpha", OWNER),
        }

    def _store(self, data: StaggeredPanel, fit: AttGtFit, alpha: float) -> None:
        self._fit, self._alpha = fit, alpha
        self.att_gt_ = _att_gt_frame(fit, alpha)
        self.pretest_ = _pretest(self.att_gt_, fit.wald_statistic, self.anticipation)
        self.n_units_ = data.n_units
        self.groups_ = tuple(np.unique(_periods(fit.group)).tolist())
        self._group_shares = group_shares(data.frame)
        self._cell_means = cell_means(data.frame, self.att_gt_)


def _z(alpha: float) -> float:
    return float(stats.norm.ppf(1 - alpha / 2))


def _periods(values: np.ndarray) -> np.ndarray:
    """Periods as ints when they are all whole numbers (years), else unchanged."""
    values = np.asarray(values, dtype=float)
    if values.size and np.all(np.isfinite(values)) and np.all(values == np.round(values)):
        return values.astype(np.int64)
    return values


def _att_gt_frame(fit: AttGtFit, alpha: float) -> pd.DataFrame:
    z = _z(alpha)
    group, time = _periods(fit.group), _periods(fit.time)
    frame = pd.DataFrame({"group": group, "time": time, "event_time": time - group, "att": fit.att, "se": fit.se})
    frame["lower"] = frame["att"] - z * frame["se"]
    frame["upper"] = frame["att"] + z * frame["se"]
    frame["post"] = frame["time"] >= frame["group"]
    return frame


def _pretest(att_gt: pd.DataFrame, statistic: float, anticipation: int) -> PreTrendTest:
    pre = (att_gt["time"] < att_gt["group"] - anticipation) & np.isfinite(att_gt["se"]) & (att_gt["se"] > 0)
    df = int(pre.sum()) if np.isfinite(statistic) else 0
    return PreTrendTest(statistic, df, pretest_p_value(statistic, df))


def _aggregation(kind, labels, att, se, overall_att, overall_se, alpha) -> Aggregation:
    z = _z(alpha)
    table = pd.DataFrame({"att": att, "se": se, "lower": att - z * se, "upper": att + z * se})
    if _LABEL[kind] is not None:
        table.insert(0, _LABEL[kind], _periods(labels))
    return Aggregation(kind, table, overall_att, overall_se, overall_att - z * overall_se, overall_att + z * overall_se, alpha)


def group_shares(frame: pd.DataFrame) -> pd.Series:
    """Share of units in each cohort (R ``did``'s ``pg``), index = adoption period."""
    per_unit = frame.drop_duplicates("unit")["g"]
    return per_unit.value_counts(normalize=True).sort_index()


def cell_means(frame: pd.DataFrame, att_gt: pd.DataFrame) -> np.ndarray:
    """Mean outcome of cohort g at period t for each ATT(g,t) row; shape (n_cells,)."""
    means = frame.groupby(["g", "time"])["y"].mean()
    keys = pd.MultiIndex.from_arrays([att_gt["group"], att_gt["time"]])
    return means.reindex(keys).to_numpy()


def aggregation_weights(att_gt: pd.DataFrame, shares: pd.Series, kind: str) -> np.ndarray:
    """Weights ``w_gt`` with ``sum w_gt ATT(g,t)`` = the overall parameter of ``kind``.

    Mirrors R ``did::aggte`` with default options (Callaway & Sant'Anna 2021, sec. 3.1).

    Returns
    -------
    ndarray, shape (n_cells,)
    """
    g, t = att_gt["group"].to_numpy(), att_gt["time"].to_numpy()
    pg = shares.reindex(g).to_numpy()
    post = g <= t
    if kind == "simple":
        return np.where(post, pg, 0.0) / pg[post].sum()
    if kind == "group":
        cohorts = np.unique(g[post])
        total = shares.reindex(cohorts).sum()
        n_post = pd.Series(post).groupby(g).transform("sum").to_numpy()
        return np.where(post, pg / total / np.where(n_post > 0, n_post, 1), 0.0)
    if kind == "dynamic":
        return _mean_of_weighted_cells(t - g, pg, post)
    if kind == "calendar":
        return _mean_of_weighted_cells(t, pg, post & (t >= g.min()))
    raise ParameterError(f"The 'kind' parameter of aggregation_weights must be one of {set(_LABEL)}. Got {kind!r} instead.")


def _mean_of_weighted_cells(key: np.ndarray, pg: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Equal-weight mean over values of ``key`` of the ``pg``-weighted means of kept cells."""
    labels = np.unique(key[keep])
    weights = np.zeros(key.size)
    for label in labels:
        cells = keep & (key == label)
        weights[cells] = pg[cells] / pg[cells].sum() / labels.size
    return weights
