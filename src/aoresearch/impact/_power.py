"""Minimum detectable effects from pre-period noise, and a baseline summary for pilots that
have no post-adoption data yet.

The effect of a synthetic control is the mean gap over the ``n_post`` post-treatment periods.
If, without an effect, gaps behave like the pre-period gaps ``e_1..e_n`` (mean zero, standard
deviation ``sigma``, lag-1 autocorrelation ``rho``), the mean of ``n_post`` consecutive gaps
has variance ``sigma^2 * DEFF / n_post`` with the AR(1) design effect
``DEFF = 1 + 2 * sum_{k=1}^{n_post-1} (1 - k/n_post) * rho^k``. A two-sided level-``alpha``
test then detects an effect with probability ``power`` when it is at least

    MDE = (t_{1-alpha/2, n-1} + t_{power, n-1}) * sigma * sqrt(DEFF / n_post)

(Bloom 1995, "Minimum detectable effects", Evaluation Review 19(5); t quantiles with
``n - 1`` degrees of freedom because ``sigma`` is estimated). ``sigma`` is the root mean square
of the pre-period gaps (the pre-period RMSPE, which counts a systematic misfit as noise) and
``rho`` their lag-1 autocorrelation, clipped to [0, 0.95] (a negative estimate is set to 0,
which is conservative). In-sample gaps understate out-of-sample error when the donor pool is
large relative to the pre-period; passing placebo gaps instead is the conservative choice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from aoresearch.errors import InsufficientDataError, ParameterError
from aoresearch.impact._checks import check_choice, check_fitted, check_int, check_probability
from aoresearch.impact._results import EffectEstimate, percent_of

__all__ = [
    "MinimumDetectableEffect",
    "BaselineSummary",
    "minimum_detectable_effect",
    "baseline_summary",
    "effect_or_baseline",
    "Autocorrelation",
]

Autocorrelation = Literal["ar1", "none"]
MIN_PRE = 3
MAX_RHO = 0.95


@dataclass(frozen=True)
class MinimumDetectableEffect:
    """Minimum detectable effect for one pilot and outcome.

    Attributes
    ----------
    mde : float
        In the outcome's units (a reduction or an increase of this size).
    mde_percent : float
        ``100 * mde / baseline``; NaN without a baseline.
    sigma : float
        Root mean square of the pre-period gaps.
    rho : float
        Lag-1 autocorrelation used (0 with ``autocorrelation="none"``).
    design_effect : float
    n_pre, n_post : int
    alpha, power : float
    baseline : float
    """

    mde: float
    mde_percent: float
    sigma: float
    rho: float
    design_effect: float
    n_pre: int
    n_post: int
    alpha: float
    power: float
    baseline: float


@dataclass(frozen=True)
class BaselineSummary:
    """Monitoring summary of a pilot without post-adoption data.

    Attributes
    ----------
    treated : hashable
    treatment_time : number
    last_period : number
        Last period with outcome data.
    n_pre : int
    pre_rmspe : float
    baseline : float
        Mean treated outcome over the last ``baseline_periods`` pre-treatment periods.
    synthetic_baseline : float
        The synthetic control's mean over the same periods.
    weights : Series, shape (n_positive_donors,)
        Donors with positive weight.
    mde : DataFrame, shape (n_horizons, 5)
        Columns ``n_post``, ``mde``, ``mde_percent``, ``design_effect``, ``rho``: the effect
        detectable after 1, 2, ... post-adoption periods.
    """

    treated: object
    treatment_time: float
    last_period: float
    n_pre: int
    pre_rmspe: float
    baseline: float
    synthetic_baseline: float
    weights: pd.Series
    mde: pd.DataFrame


def _pre_gap_array(pre_gaps: object) -> np.ndarray:
    values = np.asarray(pre_gaps.to_numpy() if isinstance(pre_gaps, (pd.Series, pd.Index)) else pre_gaps, dtype=float)
    if values.ndim != 1:
        raise ParameterError(f"minimum_detectable_effect: 'pre_gaps' must be one-dimensional. Got shape {values.shape} instead.")
    if not np.all(np.isfinite(values)):
        raise ParameterError("minimum_detectable_effect: 'pre_gaps' contains NaN or infinite values; drop them first.")
    if values.size < MIN_PRE:
        raise InsufficientDataError(
            f"minimum_detectable_effect: needs at least {MIN_PRE} pre-period gaps to estimate the noise; got {values.size}."
        )
    return values


def lag1_autocorrelation(values: np.ndarray) -> float:
    """Lag-1 autocorrelation around the mean, clipped to [0, 0.95]; 0 for a constant series."""
    centred = values - values.mean()
    denominator = float(centred @ centred)
    if denominator == 0:
        return 0.0
    return float(np.clip(centred[1:] @ centred[:-1] / denominator, 0.0, MAX_RHO))


def design_effect(n_post: int, rho: float) -> float:
    """Variance inflation of the mean of ``n_post`` consecutive AR(1) values with coefficient ``rho``."""
    lags = np.arange(1, n_post)
    return float(1 + 2 * np.sum((1 - lags / n_post) * rho**lags))


def minimum_detectable_effect(
    pre_gaps: object,
    n_post: int,
    alpha: float = 0.05,
    power: float = 0.8,
    *,
    autocorrelation: Autocorrelation = "ar1",
    baseline: float | None = None,
) -> MinimumDetectableEffect:
    """Smallest effect a level-``alpha`` test detects with probability ``power`` (module docstring).

    Parameters
    ----------
    pre_gaps : array-like, shape (n_pre,)
        Pre-period gaps (treated minus synthetic) or residuals, in time order.
    n_post : int
        Number of post-treatment periods the effect will be averaged over.
    alpha : float, default 0.05
        Two-sided significance level.
    power : float, default 0.8
    autocorrelation : {"ar1", "none"}, default "ar1"
    baseline : float, optional
        Counterfactual level for the percent scale.

    Returns
    -------
    MinimumDetectableEffect

    Raises
    ------
    ParameterError
        Invalid ``n_post``, ``alpha``, ``power``, ``autocorrelation`` or non-finite gaps.
    InsufficientDataError
        Fewer than 3 pre-period gaps.
    """
    owner = "minimum_detectable_effect"
    values = _pre_gap_array(pre_gaps)
    n_post = check_int(n_post, "n_post", owner)
    alpha, power = check_probability(alpha, "alpha", owner), check_probability(power, "power", owner)
    check_choice(autocorrelation, Autocorrelation, "autocorrelation", owner)
    sigma = float(np.sqrt(np.mean(values**2)))
    rho = lag1_autocorrelation(values) if autocorrelation == "ar1" else 0.0
    deff = design_effect(n_post, rho)
    dof = values.size - 1
    multiplier = stats.t.ppf(1 - alpha / 2, dof) + stats.t.ppf(power, dof)
    mde = float(multiplier * sigma * np.sqrt(deff / n_post))
    base = float("nan") if baseline is None else float(baseline)
    return MinimumDetectableEffect(mde, percent_of(mde, base), sigma, rho, deff, values.size, n_post, alpha, power, base)


def baseline_summary(
    estimator, horizons: Iterable[int] = (1, 2, 3, 4, 5), alpha: float = 0.05, power: float = 0.8, baseline_periods: int = 3
) -> BaselineSummary:
    """Baseline and minimum detectable effects per future post-adoption horizon.

    For a pilot whose data end before (or at) adoption: report the pre-period fit and what
    effect would be detectable after 1, 2, ... years, instead of an effect.

    Parameters
    ----------
    estimator : SyntheticControl
        Fitted.
    horizons : iterable of int, default (1, 2, 3, 4, 5)
        Numbers of post-adoption periods.
    alpha, power : float
    baseline_periods : int, default 3
        Last pre-treatment periods averaged into the baseline level.

    Returns
    -------
    BaselineSummary

    Raises
    ------
    NotFittedError
        If ``estimator`` is not fitted.
    """
    check_fitted(estimator, "gap_")
    baseline_periods = check_int(baseline_periods, "baseline_periods", "baseline_summary")
    pre = estimator.gap_.index < estimator.treatment_time_
    gaps = estimator.gap_[pre]
    treated = (estimator.gap_ + estimator.synthetic_)[pre].iloc[-baseline_periods:]
    baseline = float(treated.mean())
    rows = [minimum_detectable_effect(gaps, h, alpha, power, baseline=baseline) for h in horizons]
    table = pd.DataFrame(
        {"n_post": [r.n_post for r in rows], "mde": [r.mde for r in rows], "mde_percent": [r.mde_percent for r in rows],
         "design_effect": [r.design_effect for r in rows], "rho": [r.rho for r in rows]}
    )
    weights = estimator.weights_[estimator.weights_ > 0]
    synthetic = float(estimator.synthetic_[pre].iloc[-baseline_periods:].mean())
    last = estimator.gap_.index[-1]
    return BaselineSummary(
        estimator.treated_, estimator.treatment_time_, last, int(pre.sum()), estimator.pre_rmspe_, baseline, synthetic, weights, table
    )


def effect_or_baseline(
    estimator, placebo=None, alpha: float = 0.05, power: float = 0.8, horizons: Iterable[int] = (1, 2, 3, 4, 5)
) -> EffectEstimate | BaselineSummary:
    """The effect when post-adoption data exist, else the baseline summary.

    Parameters
    ----------
    estimator : SyntheticControl
        Fitted.
    placebo : PlaceboInSpace, optional
        For the effect's interval.
    alpha, power : float
    horizons : iterable of int

    Returns
    -------
    EffectEstimate or BaselineSummary

    Raises
    ------
    NotFittedError
        If ``estimator`` is not fitted.
    """
    check_fitted(estimator, "gap_")
    if estimator.n_post_periods_ == 0:
        return baseline_summary(estimator, horizons, alpha, power)
    return estimator.effect(placebo, alpha)
