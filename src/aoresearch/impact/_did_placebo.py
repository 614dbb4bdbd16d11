"""Closed-form 2x2 DiD paths of the treated region and of every control as a placebo.

For one cohort, never-treated controls and no covariates, ATT(g,t) of Callaway & Sant'Anna
is exactly the 2x2 DiD with base period ``g-1`` (post periods) or ``t-1`` (pre periods,
varying base), so every unit's path is computed at once from the outcome matrix instead of
refitting csdid per placebo. Each path comes with its pre-period noise scale (the RMS of the
unit's pre-period residual against the others), so a large pilot is not judged by the noise of
small controls. Used for the joint pre-trend diagnostic (:func:`aoresearch.impact._pilot_did.
_pre_trend_p`, a placebo rank in the spirit of Conley & Taber 2011, REStat 93(1)) and for the
pilot's noise scale in the summary. The effect's own intervals come from in-time placebos of
the pilot's history (:mod:`aoresearch.impact._did_backtest`), not from these.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DidPaths", "did_paths"]


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
