"""Placebo inference for the synthetic control (Abadie, Diamond & Hainmueller 2010, sec. 2.4).

In-space placebos reassign the treatment to every donor in turn (the real treated unit is left
out of the placebo donor pools) and compare the post/pre RMSPE ratio of the treated unit with
the placebo distribution. In-time placebos move the treatment to a fake earlier period.
Leave-one-out refits drop each donor with positive weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from aoresearch.impact._sc_data import ScData
from aoresearch.impact._sc_fit import FitTask, UnitFit

__all__ = [
    "PlaceboInSpace",
    "PlaceboInTime",
    "LeaveOneOut",
    "in_space_tasks",
    "leave_one_out_tasks",
    "summarise_in_space",
    "summarise_leave_one_out",
    "permutation_p_value",
    "ratio_test_interval",
]


@dataclass(frozen=True)
class PlaceboInSpace:
    """In-space placebo results.

    Attributes
    ----------
    gaps : DataFrame, shape (n_times, n_units)
        Gap paths by period; the first column is the treated unit, then every donor as a
        placebo.
    stats : DataFrame, shape (n_units, 7)
        Index unit; columns ``pre_mspe``, ``pre_rmspe``, ``post_rmspe``, ``rmspe_ratio``
        (post/pre), ``att`` (mean post gap), ``treated`` (bool) and ``kept`` (False where a
        placebo's pre-MSPE exceeds ``pre_mspe_cutoff`` times the treated unit's).
    p_value : float
        Share of kept units (treated included) whose RMSPE ratio is at least the treated
        unit's: the rank of the treated ratio divided by the number of units. Its smallest
        possible value is ``1 / n_kept_units``. A placebo with a perfect pre-period fit (common
        when donors outnumber pre-periods) has an infinite ratio, which makes the test
        conservative.
    pre_mspe_cutoff : float or None
    """

    gaps: pd.DataFrame
    stats: pd.DataFrame
    p_value: float
    pre_mspe_cutoff: float | None

    @property
    def placebo_ratios(self) -> np.ndarray:
        """Post/pre RMSPE ratios of the kept placebo units, shape (n_kept_placebos,)."""
        kept = self.stats[self.stats["kept"] & ~self.stats["treated"]]
        return kept["rmspe_ratio"].to_numpy()


@dataclass(frozen=True)
class PlaceboInTime:
    """The synthetic control refitted with the treatment moved to ``fake_time``.

    Only periods before the real treatment time are used, so the fake post-period is
    ``fake_time`` up to the real treatment time; a gap there that is as large as the real
    effect undermines the estimate.

    Attributes
    ----------
    fake_time : number
    weights : Series, shape (n_donors,)
    gap : Series, shape (n_times_before_treatment,)
    att : float
        Mean gap over the fake post-period.
    pre_rmspe, post_rmspe : float
    """

    fake_time: float
    weights: pd.Series
    gap: pd.Series
    att: float
    pre_rmspe: float
    post_rmspe: float


@dataclass(frozen=True)
class LeaveOneOut:
    """Refits that each drop one donor with positive weight.

    Attributes
    ----------
    gaps : DataFrame, shape (n_times, n_dropped)
        Gap path by period; one column per dropped donor.
    att : Series, shape (n_dropped,)
        Mean post-treatment gap of each refit.
    weights : DataFrame, shape (n_donors, n_dropped)
        Donor weights of each refit (0 for the dropped donor).
    """

    gaps: pd.DataFrame
    att: pd.Series
    weights: pd.DataFrame


def in_space_tasks(n_units: int, seeds: list) -> list[FitTask]:
    """One task per donor row (1..n_units-1); its donors are the other donors, never row 0."""
    donors = np.arange(1, n_units)
    return [FitTask(int(r), donors[donors != r], seed) for r, seed in zip(donors, seeds)]


def leave_one_out_tasks(fit: UnitFit, min_weight: float, seed) -> list[FitTask]:
    """One task per donor of ``fit`` with weight above ``min_weight``, without that donor."""
    dropped = fit.donor_rows[fit.weights > min_weight]
    return [FitTask(fit.treated_row, fit.donor_rows[fit.donor_rows != d], seed) for d in dropped]


def permutation_p_value(ratios: np.ndarray) -> float:
    """``mean(ratios >= ratios[0])``: entry 0 is the treated unit (Abadie et al. 2010)."""
    return float(np.mean(ratios >= ratios[0]))


def ratio_test_interval(post_gaps: np.ndarray, pre_mspe: float, placebo_ratios: np.ndarray, alpha: float) -> tuple[float, float]:
    """Confidence set for a constant effect by inverting the RMSPE-ratio permutation test.

    Firpo, S. & Possebom, V. (2018). Synthetic control method: inference, sensitivity analysis
    and confidence sets. Journal of Causal Inference 6(2). Subtracting a candidate effect
    ``d`` from the treated post-period outcomes changes only the treated ratio (the placebo
    fits never use the treated unit, and the weights depend on the pre-period alone):
    ``R0(d)^2 * pre_mspe = (mean(g) - d)^2 + var(g)`` for the post gaps ``g``. ``d`` is kept
    when ``p(d) = (1 + #{j: R_j >= R0(d)}) / (J + 1) > alpha``, i.e. when ``R0(d)`` does not
    exceed the k-th largest placebo ratio ``R*`` with ``k`` the smallest count that makes
    ``p > alpha``. The set is ``mean(g) +- sqrt(R*^2 pre_mspe - var(g))``.

    Parameters
    ----------
    post_gaps : ndarray, shape (n_post,)
    pre_mspe : float
        The treated unit's pre-period MSPE.
    placebo_ratios : ndarray, shape (n_placebos,)
    alpha : float

    Returns
    -------
    (float, float)
        ``(-inf, inf)`` when even the most extreme rank has ``p > alpha`` (too few placebos);
        ``(nan, nan)`` when every constant effect is rejected.
    """
    needed = int(np.floor(alpha * (placebo_ratios.size + 1) - 1)) + 1
    if needed <= 0:
        return -np.inf, np.inf
    threshold = np.sort(placebo_ratios)[::-1][needed - 1]
    half_width_sq = threshold**2 * pre_mspe - np.var(post_gaps)
    if not half_width_sq >= 0:
        return np.nan, np.nan
    half_width = np.sqrt(half_width_sq)
    return float(post_gaps.mean() - half_width), float(post_gaps.mean() + half_width)


def rmspe_ratio(post_rmspe: np.ndarray, pre_rmspe: np.ndarray) -> np.ndarray:
    """Post/pre RMSPE ratio; a perfect pre-period fit (pre RMSPE 0) gives ``inf``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pre_rmspe > 0, post_rmspe / np.where(pre_rmspe > 0, pre_rmspe, 1.0), np.inf)


def summarise_in_space(data: ScData, fits: list[UnitFit], pre_mspe_cutoff: float | None) -> PlaceboInSpace:
    """Collect the treated fit (``fits[0]``) and the placebo fits into :class:`PlaceboInSpace`."""
    units = [data.units[f.treated_row] for f in fits]
    gaps = pd.DataFrame(np.column_stack([f.gap for f in fits]), index=pd.Index(data.times, name="time"), columns=units)
    stats = pd.DataFrame(
        {
            "pre_mspe": [f.pre_mspe for f in fits],
            "pre_rmspe": [f.pre_rmspe for f in fits],
            "post_rmspe": [f.post_rmspe for f in fits],
            "att": [f.att for f in fits],
        },
        index=pd.Index(units, name="unit"),
    )
    stats["rmspe_ratio"] = rmspe_ratio(stats["post_rmspe"].to_numpy(), stats["pre_rmspe"].to_numpy())
    stats["treated"] = np.arange(len(fits)) == 0
    limit = np.inf if pre_mspe_cutoff is None else pre_mspe_cutoff * stats["pre_mspe"].iloc[0]
    stats["kept"] = stats["treated"] | (stats["pre_mspe"] <= limit)
    stats = stats[["pre_mspe", "pre_rmspe", "post_rmspe", "rmspe_ratio", "att", "treated", "kept"]]
    p_value = permutation_p_value(stats.loc[stats["kept"], "rmspe_ratio"].to_numpy())
    return PlaceboInSpace(gaps, stats, p_value, pre_mspe_cutoff)


def summarise_leave_one_out(data: ScData, fits: list[UnitFit], all_donor_rows: np.ndarray) -> LeaveOneOut:
    """Collect leave-one-out refits; the dropped donor of each is the one missing from its pool."""
    dropped = [data.units[np.setdiff1d(all_donor_rows, f.donor_rows)[0]] for f in fits]
    index = pd.Index(data.times, name="time")
    gaps = pd.DataFrame({d: f.gap for d, f in zip(dropped, fits)}, index=index)
    donors = pd.Index(data.units[all_donor_rows], name="donor")
    weights = pd.DataFrame(
        {d: pd.Series(f.weights, index=data.units[f.donor_rows]).reindex(donors, fill_value=0.0) for d, f in zip(dropped, fits)}
    )
    att = pd.Series([f.att for f in fits], index=pd.Index(dropped, name="dropped"), name="att")
    gaps.columns.name = "dropped"
    weights.columns.name = "dropped"
    return LeaveOneOut(gaps, att, weights)
