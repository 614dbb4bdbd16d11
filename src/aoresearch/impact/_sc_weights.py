"""Donor weights W and predictor weights V of the synthetic control (Abadie et al. 2010).

For a given diagonal ``V`` the donor weights solve the inner problem
``W*(V) = argmin_W (X1 - X0 W)' V (X1 - X0 W)`` over the simplex; ``V`` itself is chosen to
minimise the outcome's mean squared prediction error (MSPE) over the optimisation periods,
``(Z1 - Z0 W*(V))'(Z1 - Z0 W*(V)) / T`` (Abadie & Gardeazabal 2003; Abadie, Diamond &
Hainmueller 2010). ``V`` is parametrised as ``|x| / sum|x|`` and searched with Nelder-Mead,
as in R ``Synth`` and pysyncon.

Why not ``pysyncon.Synth.fit``: the outer problem is weakly identified and has poor local
optima (a single Nelder-Mead run from equal weights can stop at four times the attainable
MSPE), and pysyncon offers only two starting points ("equal", "ols") and one run per fit; its
inner SLSQP step is also too slow for in-space placebos over hundreds of donors. Here the
search runs from several starts (equal, regression-based, random Dirichlet draws) and keeps
the best pre-period fit; the inner step is :func:`simplex_least_squares`. The scaling
(predictors divided by their standard deviation across the treated unit and donors) and the
parametrisation follow pysyncon / R ``Synth``, so for the same ``V`` both give the same ``W``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from aoresearch.impact._simplex import simplex_least_squares

__all__ = ["WeightFit", "fit_weights_nested", "fit_weights_outcome", "starting_values", "scale_predictors", "intercept_shift"]

_NM_OPTIONS = {"xatol": 1e-6, "fatol": 1e-12, "adaptive": True}


@dataclass(frozen=True)
class WeightFit:
    """Fitted weights of one synthetic control.

    Attributes
    ----------
    weights : ndarray, shape (n_donors,)
        Donor weights on the simplex.
    v : ndarray, shape (n_predictors,)
        Predictor weights (sum to one); equal weights over the optimisation periods in the
        outcome-only mode.
    loss : float
        Outcome MSPE over the optimisation periods (R ``Synth``'s ``loss.v``).
    start_losses : ndarray, shape (n_starts,)
        The loss reached from each starting ``V`` (one entry in the outcome-only mode).
    """

    weights: np.ndarray
    v: np.ndarray
    loss: float
    start_losses: np.ndarray


def scale_predictors(X: np.ndarray) -> np.ndarray:
    """Divide each predictor by its standard deviation across units.

    Parameters
    ----------
    X : ndarray, shape (n_units, n_predictors)
        Treated unit and donors. Predictors with zero spread are left unscaled (they cannot
        discriminate between donors).

    Returns
    -------
    ndarray, shape (n_units, n_predictors)
    """
    sd = X.std(axis=0, ddof=1)
    return X / np.where(sd > 0, sd, 1.0)


def outcome_mspe(weights: np.ndarray, Z0: np.ndarray, z1: np.ndarray) -> float:
    """Mean squared gap ``mean((z1 - Z0' w)^2)``; ``Z0`` shape (n_donors, T), ``z1`` shape (T,)."""
    gap = z1 - weights @ Z0
    return float(gap @ gap / gap.size)


def weights_for_v(X0: np.ndarray, x1: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Inner problem: donor weights for predictor weights ``v``.

    ``X0`` shape (n_donors, k) and ``x1`` shape (k,) are the scaled predictors.
    """
    root = np.sqrt(v)
    return simplex_least_squares((X0 * root).T, x1 * root)


def fit_weights_outcome(Z0: np.ndarray, z1: np.ndarray, penalty: float = 0.0) -> WeightFit:
    """Outcome-only synthetic control: minimise the pre-period MSPE directly.

    Equivalent to using the outcome in every optimisation period as a predictor with equal,
    unscaled weights; one convex problem, no ``V`` search.

    With ``penalty`` ``lambda > 0`` the weights minimise the penalised criterion

        mean_t (z1_t - sum_j w_j Z0_jt)^2  +  lambda * sum_j w_j^2 * d_j,
        d_j = mean_t (z1_t - Z0_jt)^2,

    over the simplex. Why: when donors outnumber pre-periods, the plain problem has many
    exact solutions and interpolates the treated unit's noise from far-away donors (a
    pre-period RMSPE of 1e-14 on real data). The penalty is a quadratic version of the
    distance penalty of Abadie & L'Hour (2021, JASA 116(536)), whose linear term
    ``lambda * sum_j w_j d_j`` prefers donors close to the treated unit; squaring the weights
    keeps that preference, also spreads weight (a ridge, as in Doudchenko & Imbens 2016), makes
    the solution unique, and keeps the problem a least-squares problem on the simplex (extra
    rows ``sqrt(lambda * T * d_j) e_j``), so it is solved by the same fast NNLS as the plain
    problem. ``lambda`` is dimensionless: 1 weighs the fit and the distance of a uniformly
    weighted pool about equally.

    Parameters
    ----------
    Z0 : ndarray, shape (n_donors, T)
    z1 : ndarray, shape (T,)
    penalty : float, default 0
        ``lambda`` above; 0 is the unpenalised synthetic control.

    Returns
    -------
    WeightFit
        ``loss`` is the (unpenalised) pre-period MSPE.
    """
    A, b = Z0.T, z1
    if penalty > 0:
        distance = np.mean((z1[None, :] - Z0) ** 2, axis=1)
        A = np.vstack([A, np.diag(np.sqrt(penalty * z1.size * distance))])
        b = np.concatenate([z1, np.zeros(Z0.shape[0])])
    weights = simplex_least_squares(A, b)
    loss = outcome_mspe(weights, Z0, z1)
    v = np.full(z1.size, 1.0 / z1.size)
    return WeightFit(weights, v, loss, np.array([loss]))


def intercept_shift(treated: np.ndarray, synthetic: np.ndarray, window, intercept: bool) -> float:
    """How far to shift a synthetic series: its mean gap over the fit window, or 0 without
    ``intercept``.

    ``synthetic + intercept_shift(...)`` is a synthetic control with an intercept: its weights
    are fitted as before, then it matches the treated unit's level over the fit window,
    ``mean_{t in window}(treated_t - synthetic_t) = 0`` (the demeaned synthetic control of
    Ferman & Pinto 2021, Quantitative Economics 12(4); the unit fixed effect of synthetic DiD,
    Arkhangelsky et al. 2021, AER 111(12)). Every synthetic-control fit of the pipeline shifts
    through this helper (``impact.intercept``): the pilot's fit and its in-time placebo and
    leave-one-out refits, its backtests (each by its own window's mean gap) and the in-space
    placebos, so the errors behind the intervals and ranks belong to the same estimator as the
    effect. Without ``intercept`` the shift is exactly 0.0, and adding it changes no number.

    Why: a convex combination cannot reach a pilot above its donors, and the penalty pulls the
    weights toward the nearest donors, so the synthetic control stays below the pilots over its
    fit window and its post-period gap (the effect) carries that offset.
    ``benchmarks/sc_level_miss.py`` (200 null demo worlds, the four 2020 pilots on
    ``oohc_per_1000``, level about 16 per 1,000) measured a mean fit-window gap of +0.20..+0.29
    per 1,000 per pilot, the same offset in the post-period gap, backtests' mean signed errors
    of +0.47..+0.65, and an unbiased post gap with equal or smaller spread once the fit
    window's mean gap is subtracted (``.venv/bin/python benchmarks/sc_level_miss.py
    --datasets 200 --seed 1900001``).

    Parameters
    ----------
    treated : ndarray, shape (n_times,)
        The treated unit's outcome.
    synthetic : ndarray, shape (n_times,)
        The synthetic series ``weights @ donors`` on the same periods.
    window : boolean mask, integer indices or slice
        The fit window (the periods the weights were fitted on).
    intercept : bool

    Returns
    -------
    float
    """
    if not intercept:
        return 0.0
    return float(np.mean(np.asarray(treated)[window] - np.asarray(synthetic)[window]))


def starting_values(X: np.ndarray, Z: np.ndarray, n_starts: int, rng: np.random.Generator) -> np.ndarray:
    """Starting predictor weights for the ``V`` search.

    Row 0 is equal weights; row 1 (when ``n_starts >= 2`` and the regression is identified)
    weights each predictor by its squared coefficients in a regression of the optimisation-
    period outcomes on the scaled predictors across units (pysyncon's "ols" start); the rest
    are Dirichlet(1) draws.

    Parameters
    ----------
    X : ndarray, shape (n_units, k)
        Scaled predictors of the treated unit and donors.
    Z : ndarray, shape (n_units, T)
        Outcomes over the optimisation periods.
    n_starts : int
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, shape (n_starts, k)
    """
    k = X.shape[1]
    starts = [np.full(k, 1.0 / k)]
    if n_starts >= 2:
        regression = _regression_start(X, Z)
        if regression is not None:
            starts.append(regression)
    while len(starts) < n_starts:
        starts.append(rng.dirichlet(np.ones(k)))
    return np.vstack(starts[:n_starts])


def _regression_start(X: np.ndarray, Z: np.ndarray) -> np.ndarray | None:
    design = np.column_stack([np.ones(X.shape[0]), X])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        return None
    beta = np.linalg.lstsq(design, Z, rcond=None)[0][1:]
    v = np.sum(beta**2, axis=1)
    return v / v.sum() if v.sum() > 0 else None


def fit_weights_nested(
    X0: np.ndarray, x1: np.ndarray, Z0: np.ndarray, z1: np.ndarray, starts: np.ndarray, maxiter: int
) -> WeightFit:
    """Nested optimisation of ``V`` and ``W`` from several starts; keep the best fit.

    Parameters
    ----------
    X0 : ndarray, shape (n_donors, k)
        Scaled predictors of the donors.
    x1 : ndarray, shape (k,)
        Scaled predictors of the treated unit.
    Z0 : ndarray, shape (n_donors, T)
        Donor outcomes over the optimisation periods.
    z1 : ndarray, shape (T,)
        Treated outcomes over the optimisation periods.
    starts : ndarray, shape (n_starts, k)
        Starting predictor weights, see :func:`starting_values`.
    maxiter : int
        Nelder-Mead iterations per start.

    Returns
    -------
    WeightFit
    """
    if X0.shape[1] == 1:
        weights = weights_for_v(X0, x1, np.ones(1))
        loss = outcome_mspe(weights, Z0, z1)
        return WeightFit(weights, np.ones(1), loss, np.array([loss]))

    def objective(x: np.ndarray) -> float:
        return outcome_mspe(weights_for_v(X0, x1, _to_v(x)), Z0, z1)

    runs = [minimize(objective, start, method="Nelder-Mead", options={**_NM_OPTIONS, "maxiter": maxiter}) for start in starts]
    losses = np.array([run.fun for run in runs])
    v = _to_v(runs[int(np.argmin(losses))].x)
    weights = weights_for_v(X0, x1, v)
    return WeightFit(weights, v, outcome_mspe(weights, Z0, z1), losses)


def _to_v(x: np.ndarray) -> np.ndarray:
    magnitude = np.abs(x)
    total = magnitude.sum()
    return magnitude / total if total > 0 else np.full(x.size, 1.0 / x.size)
