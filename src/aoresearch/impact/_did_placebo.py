"""Placebo (permutation) inference for difference-in-differences with one treated region.

With a single treated unit the analytic (influence-function or cluster-robust) standard
errors of Callaway & Sant'Anna or TWFE miss the treated unit's own noise and under-cover
badly. Following Conley & Taber (2011, "Inference with difference in differences with a small
number of policy changes", REStat 93(1)) and Ferman & Pinto (2019, REStat 101(3)) for
heteroskedasticity, the null distribution of the treated unit's DiD is taken from the same
DiD computed with each control unit as a pseudo-treated unit (against the other controls).
Each unit's DiD is studentised by the RMS of its own pre-period DiD residuals, so a large
pilot is not judged by the noise of small controls; the interval inverts the studentised test:
``estimate +- c * s_treated`` with ``c`` the order statistic of the placebo ``|T_j|`` that
gives a level-``alpha`` test (the same rank rule as :func:`ratio_test_interval`).

For one cohort, never-treated controls and no covariates, ATT(g,t) of Callaway & Sant'Anna
is exactly the 2x2 DiD with base period ``g-1`` (post periods) or ``t-1`` (pre periods,
varying base), so the placebo statistics below use closed forms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import t as t_dist

__all__ = ["DidPaths", "did_paths", "studentised_interval"]


@dataclass(frozen=True)
class DidPaths:
    """2x2 DiD paths of the treated unit (row 0) and of every control as a placebo.

    Attributes
    ----------
    paths : ndarray, shape (n_units, n_times)
        DiD of each unit against the mean of the controls (other than itself) at each period,
        relative to the base period of that period.
    scale : ndarray, shape (n_units,)
        RMS of each unit's pre-period residual after removing its own pre-period mean and the
        others' period means (the pre-period noise of its DiD).
    """

    paths: np.ndarray
    scale: np.ndarray

    def average(self, columns: np.ndarray) -> np.ndarray:
        """Mean of each unit's path over ``columns`` (bool mask or indices); shape (n_units,)."""
        return self.paths[:, columns].mean(axis=1)


def _others_mean(Y: np.ndarray) -> np.ndarray:
    """For each row, the mean of the control rows (1..n) other than itself; row 0 gets all controls."""
    controls = Y[1:]
    total = controls.sum(axis=0)
    n = controls.shape[0]
    others = np.empty_like(Y)
    others[0] = total / n
    others[1:] = (total - controls) / (n - 1)
    return others


def did_paths(Y: np.ndarray, times: np.ndarray, adoption: float, base: str) -> DidPaths:
    """DiD paths for every unit of a balanced outcome matrix.

    Parameters
    ----------
    Y : ndarray, shape (n_units, n_times)
        Treated unit in row 0, controls after it; no missing values.
    times : ndarray, shape (n_times,)
        Sorted periods.
    adoption : number
        First treated period; ``adoption - 1`` must be one of ``times``.
    base : {"varying", "universal"}
        "varying": pre periods compare ``t`` with ``t-1`` (R ``did``'s default); post periods
        and every period under "universal" compare with ``adoption - 1``.

    Returns
    -------
    DidPaths
    """
    diff = Y - _others_mean(Y)
    ref = int(np.searchsorted(times, adoption - 1))
    paths = diff - diff[:, [ref]]
    if base == "varying":
        pre = np.where(times < adoption)[0]
        for i in pre[1:]:
            paths[:, i] = diff[:, i] - diff[:, i - 1]
        if pre.size:
            paths[:, pre[0]] = np.nan
    pre_mask = times < adoption
    resid = diff[:, pre_mask] - diff[:, pre_mask].mean(axis=1, keepdims=True)
    scale = np.sqrt(np.mean(resid**2, axis=1))
    return DidPaths(paths, scale)


def _t_interval(estimate: float, scale0: float, stats: np.ndarray, alpha: float) -> tuple[float, float, float]:
    """Too few placebos for a rank test at ``alpha`` (fewer than ``1/alpha - 1``): treat the
    studentised placebo effects as draws of a mean-zero normal and use ``t(J - 1)`` quantiles
    with their root mean square as the scale (a parametric approximation, stated in ``method``)."""
    if stats.size < 2:
        return -np.inf, np.inf, np.nan
    spread = float(np.sqrt(np.mean(stats**2)))
    quantile = float(t_dist.ppf(1 - alpha / 2, stats.size - 1))
    half = quantile * spread * scale0
    p_value = float(2 * t_dist.sf(abs(estimate) / scale0 / spread, stats.size - 1))
    return float(estimate - half), float(estimate + half), p_value


def studentised_interval(estimate: float, scale0: float, placebo_stats: np.ndarray, alpha: float) -> tuple[float, float, float]:
    """Interval and p-value from the studentised placebo distribution.

    Parameters
    ----------
    estimate : float
        The treated unit's effect.
    scale0 : float
        Its pre-period noise scale.
    placebo_stats : ndarray, shape (n_placebos,)
        Placebo effects divided by their own scales.
    alpha : float

    Returns
    -------
    (lower, upper, p_value)
        With fewer than ``1/alpha - 1`` placebos the rank test cannot reach level ``alpha``;
        then a ``t(J-1)`` interval from the placebos' spread is returned (:func:`_t_interval`).
    """
    stats = np.abs(placebo_stats[np.isfinite(placebo_stats)])
    if not np.isfinite(estimate) or not scale0 > 0 or stats.size == 0:
        return np.nan, np.nan, np.nan
    t0 = abs(estimate) / scale0
    p_value = float((1 + np.sum(stats >= t0)) / (stats.size + 1))
    needed = int(np.floor(alpha * (stats.size + 1) - 1)) + 1
    if needed <= 0:
        return _t_interval(estimate, scale0, stats, alpha)
    c = np.sort(stats)[::-1][needed - 1]
    return float(estimate - c * scale0), float(estimate + c * scale0), p_value
