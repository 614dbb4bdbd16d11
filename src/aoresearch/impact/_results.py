"""Effects in rate units and as percent of the counterfactual, with intervals."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

__all__ = ["EffectEstimate", "effect_estimate", "effects_frame", "percent_of", "effect_row"]


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
        ``100 * estimate / counterfactual`` = ``100 * (observed / counterfactual - 1)``; each
        bound is the percent change implied by that bound's own counterfactual
        (``observed - bound``), so the lower bound never passes -100% (a rate cannot fall below
        zero) and the upper bound is infinite when the bound implies a counterfactual <= 0.
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


def _percent_at(bound: float, observed: float) -> float:
    """Percent change ``100 * (observed / (observed - bound) - 1)`` implied by an effect bound."""
    if not (np.isfinite(bound) and np.isfinite(observed)):
        return float("nan")
    base = observed - bound
    if base <= 0:
        return float("inf") if bound > 0 else float("nan")
    return float(100.0 * bound / base)


def effect_estimate(
    estimate: float, lower: float, upper: float, counterfactual: float, alpha: float, method: str,
    p_value: float = float("nan"),
) -> EffectEstimate:
    """Build an :class:`EffectEstimate`, adding the percent-of-counterfactual scale."""
    observed = counterfactual + estimate
    percent_bounds = sorted([_percent_at(lower, observed), _percent_at(upper, observed)])
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


def effect_row(estimator, outcome, period, estimate, lower, upper, observed, alpha, method, p_value, se=np.nan, dof=np.nan) -> dict:
    """One row of ``effects.parquet`` (:mod:`aoresearch.impact.outputs`)."""
    e = effect_estimate(estimate, lower, upper, observed - estimate, alpha, method, p_value)
    return {"estimator": estimator, "outcome": outcome, "period": str(period), "effect": e.estimate, "lower": e.lower,
            "upper": e.upper, "percent": e.percent, "percent_lower": e.percent_lower, "percent_upper": e.percent_upper,
            "observed": float(observed), "counterfactual": e.counterfactual, "p_value": e.p_value, "se": float(se),
            "dof": float(dof), "method": method}
