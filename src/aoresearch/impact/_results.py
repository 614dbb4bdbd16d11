"""Effects in rate units and as percent of the counterfactual, with intervals."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

__all__ = ["EffectEstimate", "effect_estimate", "effects_frame", "percent_of"]


@dataclass(frozen=True)
class EffectEstimate:
    """One treatment effect.

    Attributes
    ----------
    estimate, lower, upper : float
        Effect and interval bounds in the outcome's units (e.g. children placed per 1,000).
    counterfactual : float
        Mean counterfactual level over the same cells/periods (what the treated outcome would
        have been without the treatment), the base of the percentages.
    percent, percent_lower, percent_upper : float
        ``100 * estimate / counterfactual`` and the interval bounds on the same scale (the
        counterfactual level is treated as known).
    alpha : float
        The interval is a ``1 - alpha`` interval.
    method : str
        How the interval was obtained.
    p_value : float
        NaN when the method gives none.
    """

    estimate: float
    lower: float
    upper: float
    counterfactual: float
    percent: float
    percent_lower: float
    percent_upper: float
    alpha: float
    method: str
    p_value: float = float("nan")

    def to_frame(self) -> pd.DataFrame:
        """The estimate as a one-row DataFrame (columns = the attributes)."""
        return pd.DataFrame([asdict(self)])


def percent_of(value: float, base: float) -> float:
    """``100 * value / base``; NaN when ``base`` is zero or not finite."""
    if not np.isfinite(base) or base == 0:
        return float("nan")
    return float(100.0 * value / base)


def effect_estimate(
    estimate: float, lower: float, upper: float, counterfactual: float, alpha: float, method: str,
    p_value: float = float("nan"),
) -> EffectEstimate:
    """Build an :class:`EffectEstimate`, adding the percent-of-counterfactual scale."""
    percent_bounds = sorted([percent_of(lower, counterfactual), percent_of(upper, counterfactual)])
    return EffectEstimate(
        estimate=float(estimate),
        lower=float(lower),
        upper=float(upper),
        counterfactual=float(counterfactual),
        percent=percent_of(estimate, counterfactual),
        percent_lower=percent_bounds[0],
        percent_upper=percent_bounds[1],
        alpha=float(alpha),
        method=method,
        p_value=float(p_value),
    )


def effects_frame(effects: dict[str, EffectEstimate]) -> pd.DataFrame:
    """Stack named effects into a tidy frame, one row per name (index ``effect``)."""
    rows = [e.to_frame().assign(effect=name) for name, e in effects.items()]
    return pd.concat(rows, ignore_index=True).set_index("effect")
