"""Fitting one synthetic control, and many of them in parallel (placebos, leave-one-out)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs

from aoresearch.impact._sc_data import ScData
from aoresearch.impact._sc_weights import (
    fit_weights_nested,
    fit_weights_outcome,
    scale_predictors,
    starting_values,
    intercept_shift,
)

__all__ = ["UnitFit", "FitTask", "fit_unit", "fit_many", "spawn_seeds"]

# Outcome-only fits take well under a millisecond each: below this much work (fits x donors x
# periods) starting joblib worker processes costs more than it saves (about 2 s against 0.2 s
# for 300 placebos over 300 donors and 35 periods), so such batches run in this process.
_SERIAL_WORK_LIMIT = 20_000_000


@dataclass(frozen=True)
class UnitFit:
    """The synthetic control of one (real or placebo) treated unit.

    Attributes
    ----------
    treated_row : int
        Row of the treated unit in :class:`ScData`.
    donor_rows : ndarray of int, shape (n_donors,)
    weights : ndarray, shape (n_donors,)
    v : ndarray, shape (n_predictors,) or (n_optimize_periods,) in the outcome-only mode
    synthetic : ndarray, shape (n_times,)
    gap : ndarray, shape (n_times,)
        Treated minus synthetic.
    pre_mspe : float
        Mean squared gap over the optimisation periods (the minimised loss; with an intercept,
        that of the shifted gap).
    post_rmspe : float
        Root mean squared gap over the post-treatment periods; NaN without any.
    att : float
        Mean post-treatment gap; NaN without post-treatment periods.
    start_losses : ndarray, shape (n_starts,)
    """

    treated_row: int
    donor_rows: np.ndarray
    weights: np.ndarray
    v: np.ndarray
    synthetic: np.ndarray
    gap: np.ndarray
    pre_mspe: float
    post_rmspe: float
    att: float
    start_losses: np.ndarray

    @property
    def pre_rmspe(self) -> float:
        return float(np.sqrt(self.pre_mspe))


@dataclass(frozen=True)
class FitTask:
    """One fit to run: which row is treated, which rows are donors, and its random seed."""

    treated_row: int
    donor_rows: np.ndarray
    seed: np.random.SeedSequence


def spawn_seeds(random_state: int | None, n: int) -> list[np.random.SeedSequence]:
    """``n`` independent seeds derived from ``random_state`` (fresh entropy if None)."""
    return np.random.SeedSequence(random_state).spawn(n)


def fit_unit(data: ScData, task: FitTask, n_starts: int, maxiter: int, penalty: float = 0.0, intercept: bool = False) -> UnitFit:
    """Fit the synthetic control of ``task.treated_row`` from ``task.donor_rows``.

    Predictors are rescaled on the units of this fit (as R ``Synth`` does for each call).
    ``penalty`` is the weight penalty of the outcome-only mode (:func:`fit_weights_outcome`).
    With ``intercept`` the synthetic series is shifted by the mean gap over the optimisation
    periods (:func:`intercept_shift`) and ``pre_mspe`` is that of the shifted gap.

    Returns
    -------
    UnitFit
    """
    Z = data.outcome[:, data.optimize]
    treated, donors = task.treated_row, task.donor_rows
    if data.outcome_only:
        fit = fit_weights_outcome(Z[donors], Z[treated], penalty)
    else:
        rows = np.concatenate([[treated], donors])
        X = scale_predictors(data.predictors[rows])
        starts = starting_values(X, Z[rows], n_starts, np.random.default_rng(task.seed))
        fit = fit_weights_nested(X[1:], X[0], Z[donors], Z[treated], starts, maxiter)
    synthetic = fit.weights @ data.outcome[donors]
    synthetic = synthetic + intercept_shift(data.outcome[treated], synthetic, data.optimize, intercept)
    gap = data.outcome[treated] - synthetic
    pre_mspe = float(np.mean(gap[data.optimize] ** 2)) if intercept else fit.loss
    post = gap[~data.pre]
    post_rmspe = float(np.sqrt(np.mean(post**2))) if post.size else float("nan")
    att = float(post.mean()) if post.size else float("nan")
    return UnitFit(treated, donors, fit.weights, fit.v, synthetic, gap, pre_mspe, post_rmspe, att, fit.start_losses)


def fit_many(data: ScData, tasks: list[FitTask], n_starts: int, maxiter: int, n_jobs: int | None, penalty: float = 0.0,
             intercept: bool = False) -> list[UnitFit]:
    """Run :func:`fit_unit` for every task, in ``n_jobs`` processes (joblib) when asked.

    Tasks are split into one contiguous chunk per worker so that the matrices are sent once
    per worker, not once per fit. Small outcome-only batches run serially (see
    ``_SERIAL_WORK_LIMIT``). Results keep the order of ``tasks``.
    """
    workers = min(effective_n_jobs(n_jobs), len(tasks)) if tasks else 1
    if workers <= 1 or (data.outcome_only and len(tasks) * data.outcome.size < _SERIAL_WORK_LIMIT):
        return _fit_chunk(data, tasks, n_starts, maxiter, penalty, intercept)
    chunks = [list(chunk) for chunk in np.array_split(np.arange(len(tasks)), workers)]
    parts = Parallel(n_jobs=workers)(
        delayed(_fit_chunk)(data, [tasks[i] for i in chunk], n_starts, maxiter, penalty, intercept) for chunk in chunks
    )
    return [fit for part in parts for fit in part]


def _fit_chunk(data: ScData, tasks: list[FitTask], n_starts: int, maxiter: int, penalty: float, intercept: bool) -> list[UnitFit]:
    return [fit_unit(data, task, n_starts, maxiter, penalty, intercept) for task in tasks]
