"""``SyntheticControl``: the synthetic control method for one treated region.

Abadie, A. & Gardeazabal, J. (2003). The economic costs of conflict: a case study of the
Basque Country. American Economic Review 93(1), 113-132.
Abadie, A., Diamond, A. & Hainmueller, J. (2010). Synthetic control methods for comparative
case studies. Journal of the American Statistical Association 105(490), 493-505.

Two modes, chosen by the settings:

* **nested** (``predictors`` and/or ``special_predictors`` given): donor weights ``W`` match
  the predictors under predictor weights ``V``, and ``V`` minimises the outcome MSPE over
  ``optimize_periods`` (R ``Synth``'s criterion). ``V`` is weakly identified and the outer
  problem has poor local optima, so it is searched from ``n_starts`` starting points and the
  best pre-period fit is kept (see :mod:`aoresearch.impact._sc_weights` for why this does not
  call ``pysyncon.Synth.fit``).
* **outcome-only** (no predictors): ``W`` minimises the pre-period outcome MSPE directly, one
  convex problem per fit. This is the fast path for in-space placebos over hundreds of donors
  (a 300-donor, 35-year panel with full placebos takes about a second).
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from aoresearch.errors import InsufficientDataError, ParameterError
from aoresearch.impact._checks import FittedAttributes, check_fitted, check_int, check_probability
from aoresearch.impact._results import EffectEstimate, effect_estimate
from aoresearch.impact._sc_data import ScData, build_sc_data
from aoresearch.impact._sc_fit import FitTask, UnitFit, fit_many, fit_unit, spawn_seeds
from aoresearch.impact._sc_inference import (
    LeaveOneOut,
    PlaceboInSpace,
    PlaceboInTime,
    in_space_tasks,
    leave_one_out_tasks,
    ratio_test_interval,
    summarise_in_space,
    summarise_leave_one_out,
)
from aoresearch.impact._sc_validation import (
    ScProblem,
    ScSettings,
    check_n_jobs,
    restrict_settings,
    validate_problem,
    validate_settings,
)

__all__ = ["SyntheticControl"]

OWNER = "SyntheticControl"


class SyntheticControl(FittedAttributes, BaseEstimator):
    """Synthetic control estimator for one treated unit (Abadie et al. 2010).

    Parameters
    ----------
    predictors : list of str, optional
        Columns aggregated with ``predictors_op`` over ``predictors_periods``. Leave both
        ``predictors`` and ``special_predictors`` empty for the outcome-only mode.
    predictors_periods : list, optional
        Periods for ``predictors``; default all pre-treatment periods.
    predictors_op : {"mean", "std", "median", "sum", "count", "max", "min", "var"}
    special_predictors : list of (column, periods, op), optional
        Further predictors, each with its own periods and operation (R ``Synth``'s
        ``special.predictors``). Missing values are skipped when aggregating.
    optimize_periods : list, optional
        Pre-treatment periods over which the outcome MSPE is minimised; default all
        pre-treatment periods with data.
    n_starts : int, default 5
        Starting points of the ``V`` search (nested mode): equal weights, a regression-based
        start, then random draws. ``n_starts=1`` is R ``Synth``'s single search from equal
        weights.
    maxiter : int, default 1000
        Nelder-Mead iterations per start.
    min_pre_periods : int, default 5
        Fewest pre-treatment periods with outcome data the treated unit must have.
    random_state : int, optional
        Seed of the random starts (and of the placebo fits).
    n_jobs : int, optional
        Worker processes for placebos and leave-one-out (joblib; -1 = all cores).
    penalty : float, default 0
        Outcome-only mode: weight penalty ``lambda`` against interpolating far-away donors
        (see :func:`aoresearch.impact._sc_weights.fit_weights_outcome`); 0 is the classic fit.
    intercept : bool, default False
        Shift the synthetic series by the mean gap over ``optimize_periods`` after fitting the
        weights (a synthetic control with an intercept; see
        :func:`aoresearch.impact._sc_weights.intercept_shift`). Applies to every refit too
        (placebos, leave-one-out). False is the classic synthetic control.

    Attributes
    ----------
    weights_ : Series, shape (n_donors,)
        Donor weights (non-negative, sum to one), index = donor ids.
    v_ : Series, shape (n_predictors,)
        Predictor weights; in the outcome-only mode equal weights over the optimisation
        periods (index ``"<outcome>[<period>]"``).
    synthetic_ : Series, shape (n_times,)
        Synthetic outcome by period.
    gap_ : Series, shape (n_times,)
        Treated minus synthetic outcome by period.
    att_ : float
        Mean post-treatment gap (NaN when the data end before ``treatment_time``).
    pre_mspe_ : float
        Mean squared gap over ``optimize_periods``: the fit reached, R ``Synth``'s ``loss.v``.
    pre_rmspe_, post_rmspe_ : float
        ``sqrt(pre_mspe_)`` and the root mean squared post-treatment gap.
    start_losses_ : ndarray, shape (n_starts,)
        Pre-period MSPE reached from each start; a spread signals a weakly identified ``V``.
    predictor_balance_ : DataFrame, shape (n_predictors, 3)
        Unscaled predictors of the treated unit, the synthetic unit and the donor mean.
    donors_ : tuple
        Donor pool used.
    treated_, treatment_time_
        The treated unit and first treated period of the fit.
    n_pre_periods_, n_post_periods_ : int

    Notes
    -----
    The time grid is the set of periods where the treated unit's outcome is observed; donors
    must have the outcome in all of them.
    """

    _fitted_attributes = (
        "weights_", "v_", "synthetic_", "gap_", "att_", "pre_mspe_", "pre_rmspe_", "post_rmspe_",
        "start_losses_", "predictor_balance_", "donors_", "treated_", "treatment_time_",
        "n_pre_periods_", "n_post_periods_",
    )

    def __init__(
        self,
        predictors: list[str] | None = None,
        predictors_periods: list | None = None,
        predictors_op: str = "mean",
        special_predictors: list[tuple] | None = None,
        optimize_periods: list | None = None,
        n_starts: int = 5,
        maxiter: int = 1000,
        min_pre_periods: int = 5,
        random_state: int | None = None,
        n_jobs: int | None = None,
        penalty: float = 0.0,
        intercept: bool = False,
    ) -> None:
        self.predictors = predictors
        self.predictors_periods = predictors_periods
        self.predictors_op = predictors_op
        self.special_predictors = special_predictors
        self.optimize_periods = optimize_periods
        self.n_starts = n_starts
        self.maxiter = maxiter
        self.min_pre_periods = min_pre_periods
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.penalty = penalty
        self.intercept = intercept

    def fit(
        self,
        panel: pd.DataFrame,
        *,
        unit: Hashable,
        time: Hashable,
        outcome: Hashable,
        treated: Hashable,
        treatment_time: float,
        donors: list | None = None,
    ) -> SyntheticControl:
        """Fit the synthetic control of ``treated``.

        Parameters
        ----------
        panel : DataFrame
            Long panel with one row per (unit, time).
        unit, time, outcome : hashable
            Column names.
        treated : hashable
            Id of the treated unit.
        treatment_time : number
            First treated period; earlier periods form the pre-period.
        donors : list, optional
            Donor pool; default every other unit of the panel (see :func:`donor_pool`).

        Returns
        -------
        SyntheticControl
            ``self``, fitted.

        Raises
        ------
        ParameterError
            Invalid settings, unknown treated unit or donors, periods at or after the treatment.
        PanelStructureError
            Missing or non-numeric columns, duplicated (unit, time) keys.
        InsufficientDataError
            Fewer than ``min_pre_periods`` pre-treatment periods, fewer than two donors,
            donors or predictors without data.
        """
        settings = self._settings()
        problem = validate_problem(panel, settings, unit, time, outcome, treated, treatment_time, donors)
        data = _build(panel, problem)
        seed = spawn_seeds(settings.random_state, 1)[0]
        fit = fit_unit(data, FitTask(0, np.arange(1, data.units.size), seed), settings.n_starts, settings.maxiter, settings.penalty,
                       settings.intercept)
        self._store(panel, settings, problem, data, fit)
        return self

    def placebo_in_space(
        self, n_jobs: int | None = None, n_starts: int | None = None, pre_mspe_cutoff: float | None = None
    ) -> PlaceboInSpace:
        """Reassign the treatment to every donor and rank the treated RMSPE ratio.

        Each donor is fitted as if treated, from the other donors (the treated unit is never a
        placebo donor), with the same settings. The p-value is the share of units (treated
        included) whose post/pre RMSPE ratio is at least the treated unit's (Abadie et al.
        2010, sec. 2.4).

        Parameters
        ----------
        n_jobs : int, optional
            Overrides the estimator's ``n_jobs``.
        n_starts : int, optional
            Overrides ``n_starts`` for the placebo fits (nested mode); fewer starts are faster.
        pre_mspe_cutoff : float, optional
            Leave out placebos whose pre-MSPE exceeds this multiple of the treated unit's
            (Abadie et al. 2010 use 20, 5 and 2).

        Returns
        -------
        PlaceboInSpace

        Raises
        ------
        NotFittedError
            Before ``fit``.
        InsufficientDataError
            Without post-treatment periods.
        ParameterError
            Invalid ``n_jobs``, ``n_starts`` or ``pre_mspe_cutoff``.
        """
        check_fitted(self, "weights_")
        self._require_post("placebo_in_space")
        jobs, starts = self._run_options(n_jobs, n_starts, "placebo_in_space")
        cutoff = _check_cutoff(pre_mspe_cutoff)
        seeds = spawn_seeds(self._settings_.random_state, self._data.units.size)[1:]
        fits = fit_many(self._data, in_space_tasks(self._data.units.size, seeds), starts, self._settings_.maxiter, jobs,
                        self._settings_.penalty, self._settings_.intercept)
        return summarise_in_space(self._data, [self._fit, *fits], cutoff)

    def placebo_in_time(self, fake_time: float) -> PlaceboInTime:
        """Refit with the treatment moved to ``fake_time``, using only pre-treatment periods.

        User-given predictor and optimisation periods at or after ``fake_time`` are dropped.

        Parameters
        ----------
        fake_time : number
            A period before the real treatment time that leaves at least ``min_pre_periods``
            periods before it.

        Returns
        -------
        PlaceboInTime

        Raises
        ------
        NotFittedError
            Before ``fit``.
        ParameterError
            ``fake_time`` not before the real treatment time, or predictor periods that are
            all at or after ``fake_time``.
        InsufficientDataError
            Fewer than ``min_pre_periods`` periods before ``fake_time``.
        """
        check_fitted(self, "weights_")
        problem = self._problem
        if not isinstance(fake_time, (int, float, np.number)) or not fake_time < problem.treatment_time:
            raise ParameterError(
                f"{OWNER}.placebo_in_time: 'fake_time' must be a period before treatment_time "
                f"{problem.treatment_time}. Got {fake_time!r} instead."
            )
        panel = self._panel[self._panel[problem.time] < problem.treatment_time]
        settings = restrict_settings(self._settings_, fake_time)
        fake = validate_problem(panel, settings, problem.unit, problem.time, problem.outcome, problem.treated, fake_time, problem.donors)
        data = _build(panel, fake)
        fit = fit_unit(data, FitTask(0, np.arange(1, data.units.size), spawn_seeds(settings.random_state, 1)[0]), settings.n_starts, settings.maxiter,
                       settings.penalty, settings.intercept)
        gap = pd.Series(fit.gap, index=pd.Index(data.times, name=problem.time), name="gap")
        return PlaceboInTime(fake_time, _weights_series(data, fit), gap, fit.att, fit.pre_rmspe, fit.post_rmspe)

    def leave_one_out(self, min_weight: float = 1e-6, n_jobs: int | None = None) -> LeaveOneOut:
        """Refit without each donor whose weight exceeds ``min_weight``.

        Parameters
        ----------
        min_weight : float, default 1e-6
            Donors with a larger weight are dropped one at a time.
        n_jobs : int, optional
            Overrides the estimator's ``n_jobs``.

        Returns
        -------
        LeaveOneOut

        Raises
        ------
        NotFittedError
            Before ``fit``.
        """
        check_fitted(self, "weights_")
        jobs, starts = self._run_options(n_jobs, None, "leave_one_out")
        tasks = leave_one_out_tasks(self._fit, min_weight, spawn_seeds(self._settings_.random_state, 1)[0])
        fits = fit_many(self._data, tasks, starts, self._settings_.maxiter, jobs, self._settings_.penalty, self._settings_.intercept)
        return summarise_leave_one_out(self._data, fits, self._fit.donor_rows)

    def effect(self, placebo: PlaceboInSpace | None = None, alpha: float = 0.05) -> EffectEstimate:
        """The average post-treatment effect in rate units and as percent of the counterfactual.

        The interval is the confidence set for a constant effect obtained by inverting the
        in-space RMSPE-ratio test (Firpo & Possebom 2018; see :func:`ratio_test_interval`),
        so it agrees with ``placebo.p_value``. It is unbounded when there are too few placebos
        for a level-``alpha`` test (fewer than ``1/alpha - 1``) and NaN when every constant
        effect is rejected. Without ``placebo`` the bounds are NaN.

        Parameters
        ----------
        placebo : PlaceboInSpace, optional
            The result of :meth:`placebo_in_space` for this fit.
        alpha : float, default 0.05

        Returns
        -------
        EffectEstimate

        Raises
        ------
        NotFittedError
            Before ``fit``.
        InsufficientDataError
            Without post-treatment periods.
        """
        check_fitted(self, "weights_")
        self._require_post("effect")
        alpha = check_probability(alpha, "alpha", f"{OWNER}.effect")
        post = ~self._data.pre
        counterfactual = float(self.synthetic_[post].mean())
        if placebo is None:
            return effect_estimate(self.att_, np.nan, np.nan, counterfactual, alpha, "no interval (no placebos)")
        lower, upper = ratio_test_interval(self.gap_[post].to_numpy(), self.pre_mspe_, placebo.placebo_ratios, alpha)
        method = "inverted in-space RMSPE-ratio test (constant effect)"
        return effect_estimate(self.att_, lower, upper, counterfactual, alpha, method, placebo.p_value)

    def summary(self) -> pd.DataFrame:
        """Weights next to the pre-period fit, as a tidy frame.

        Returns
        -------
        DataFrame, columns ``kind`` ("weight", "v", "fit"), ``name``, ``value``
            Positive donor weights, predictor weights, and ``pre_mspe``, ``pre_rmspe``,
            ``post_rmspe``, ``att``, ``best_start``/``worst_start`` losses.
        """
        check_fitted(self, "weights_")
        weights = self.weights_[self.weights_ > 0]
        fit = {
            "pre_mspe": self.pre_mspe_, "pre_rmspe": self.pre_rmspe_, "post_rmspe": self.post_rmspe_,
            "att": self.att_, "best_start": float(np.min(self.start_losses_)), "worst_start": float(np.max(self.start_losses_)),
        }
        parts = [("weight", weights), ("v", self.v_), ("fit", pd.Series(fit))]
        rows = [(kind, name, float(value)) for kind, series in parts for name, value in series.items()]
        return pd.DataFrame(rows, columns=["kind", "name", "value"])

    # -- orchestration helpers -------------------------------------------------------------

    def _settings(self) -> ScSettings:
        return validate_settings(
            self.predictors, self.predictors_periods, self.predictors_op, self.special_predictors,
            self.optimize_periods, self.n_starts, self.maxiter, self.min_pre_periods, self.random_state, self.n_jobs,
            self.penalty, self.intercept,
        )

    def _run_options(self, n_jobs: int | None, n_starts: int | None, method: str) -> tuple[int | None, int]:
        owner = f"{OWNER}.{method}"
        jobs = self._settings_.n_jobs if n_jobs is None else check_n_jobs(n_jobs, owner)
        starts = self._settings_.n_starts if n_starts is None else check_int(n_starts, "n_starts", owner)
        return jobs, starts

    def _require_post(self, method: str) -> None:
        if self.n_post_periods_ == 0:
            raise InsufficientDataError(
                f"{OWNER}.{method}: treated unit {self._problem.treated!r} has no outcome data at or after "
                f"treatment_time {self._problem.treatment_time}; use baseline_summary for a monitoring summary."
            )

    def _store(self, panel: pd.DataFrame, settings: ScSettings, problem: ScProblem, data: ScData, fit: UnitFit) -> None:
        index = pd.Index(data.times, name=problem.time)
        self._panel, self._settings_, self._problem, self._data, self._fit = panel, settings, problem, data, fit
        self.weights_ = _weights_series(data, fit)
        self.v_ = _v_series(data, fit, problem)
        self.synthetic_ = pd.Series(fit.synthetic, index=index, name="synthetic")
        self.gap_ = pd.Series(fit.gap, index=index, name="gap")
        self.att_ = fit.att
        self.pre_mspe_ = fit.pre_mspe
        self.pre_rmspe_ = fit.pre_rmspe
        self.post_rmspe_ = fit.post_rmspe
        self.start_losses_ = fit.start_losses
        self.predictor_balance_ = _predictor_balance(data, fit)
        self.donors_ = problem.donors
        self.treated_ = problem.treated
        self.treatment_time_ = problem.treatment_time
        self.n_pre_periods_ = int(data.pre.sum())
        self.n_post_periods_ = int((~data.pre).sum())


def _build(panel: pd.DataFrame, problem: ScProblem) -> ScData:
    return build_sc_data(
        panel, problem.unit, problem.time, problem.outcome, (problem.treated, *problem.donors), problem.times,
        problem.treatment_time, problem.optimize_periods, problem.predictors,
    )


def _check_cutoff(cutoff: float | None) -> float | None:
    if cutoff is None:
        return None
    if isinstance(cutoff, bool) or not isinstance(cutoff, (int, float)) or not cutoff > 0:
        raise ParameterError(
            f"The 'pre_mspe_cutoff' parameter of {OWNER}.placebo_in_space must be None or a number > 0. Got {cutoff!r} instead."
        )
    return float(cutoff)


def _weights_series(data: ScData, fit: UnitFit) -> pd.Series:
    return pd.Series(fit.weights, index=pd.Index(data.units[fit.donor_rows], name="donor"), name="weight")


def _v_series(data: ScData, fit: UnitFit, problem: ScProblem) -> pd.Series:
    if data.outcome_only:
        names = [f"{problem.outcome}[{t}]" for t in data.times[data.optimize]]
    else:
        names = list(data.predictor_names)
    return pd.Series(fit.v, index=pd.Index(names, name="predictor"), name="v")


def _predictor_balance(data: ScData, fit: UnitFit) -> pd.DataFrame:
    X = data.predictors
    return pd.DataFrame(
        {"treated": X[fit.treated_row], "synthetic": fit.weights @ X[fit.donor_rows], "donor_mean": X[fit.donor_rows].mean(axis=0)},
        index=pd.Index(data.predictor_names, name="predictor"),
    )
