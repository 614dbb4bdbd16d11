"""Uncertainty of a synthetic control from the treated region's own out-of-sample errors.

Why not in-sample gaps or in-space placebos alone: with many donors and few pre-years the
pre-period gap of a synthetic control is close to zero (it fits noise), so intervals, tests
and minimum detectable effects built from it are far too optimistic exactly when the fit is
worst; in-space placebo tests rank the pilot among a few comparable regions and cannot reach
the 5% level with fewer than 19 placebos. What the funders need is how far the synthetic
comparison of *this* region misses when it predicts years it has not seen.

Rolling-origin backtests (in-time placebos; Abadie 2021, JEL 59(2), sec. 7; the out-of-sample
error component of Cattaneo, Feng & Titiunik 2021, JASA 116(536)): for every origin ``o``
before the real adoption year, the same estimator (same donors, same ``pre_years`` window
length, same penalty) is fitted on the ``pre_years`` years before ``o`` and predicts years
``o, o+1, ...`` up to the adoption year. The prediction errors ``e[o, k]`` at lead ``k`` are
draws of the error the real fit makes ``k`` years after adoption, if there is no effect.

* Errors are taken relative to the prediction, ``e[o, k] / predicted[o, k]``, and scaled back
  with the synthetic control's level in the year they are used for: rates and their noise
  grow with the level (placements per 1,000 children doubled 1992-2021), so absolute errors of
  early origins understate today's (``benchmarks/impact_design_choices.py``, 60 demo worlds
  without an effect: post-period squared gaps were 1.36 times the backtests' mean square, 1.07
  times that of the latest six origins; with relative errors the per-year rejection rate fell
  from 7-11% to 5-7%).
* Per-year effect at lead ``k``: relative scale ``s_k = sqrt(mean_o e[o, k]^2)`` over the
  ``n_k`` origins with that lead (a root mean square: a systematic miss counts as error), times
  the level; interval ``gap +- t(1 - alpha/2, df) * s_k * level``, p-value of the ratio under
  ``t(df)``. Its persistence ``rho_k`` is the lag-1 autocorrelation of the lead-``k`` errors
  themselves: errors several years out share the drift since their origins and persist more
  than one-year-ahead errors (with the lead-0 ``rho`` for every lead, a Tampere-like pilot's
  per-year test rejected a true null in 6.7% of tests at the 5% level). Every ``rho`` is
  bias-corrected for the short series (:func:`lag1_autocorrelation`).
* Average over ``h`` post years: the same with the ``h``-year average errors of the origins
  whose whole window lies before adoption.
* Degrees of freedom. Backtest errors are not independent: consecutive origins share ``h - 1``
  years of their windows, and a region's deviation from its synthetic comparison persists
  from year to year. With errors following an AR(1) process of coefficient ``rho`` (the
  lag-1 autocorrelation of the one-year-ahead errors, clipped to [0, 0.9]), the mean square of
  ``n`` consecutive ``h``-year averages has the variance of ``n_eff`` independent squares,
  ``n_eff = n / (1 + 2 sum_d (1 - d/n) r_d^2)`` with ``r_d`` the autocorrelation of the
  averages at lag ``d`` (Bartlett 1946); ``n_eff`` is the ``t`` distribution's degrees of
  freedom. For independent errors and ``h = 1`` it is ``n``.
* Minimum detectable effect at power ``1 - beta``:
  ``(t(1 - alpha/2, df) + t(1 - beta, df)) * s_h`` (Bloom 1995), with the same ``s_h`` and
  ``df`` as the interval, so power and intervals agree.

Written here because no maintained Python library does it for our estimator: scpi-pkg 4.0.0
(Cattaneo et al.'s prediction intervals) fails under pandas 3.x, which the rest of the
pipeline needs; the benchmark ``benchmarks/impact_quality.py`` checks coverage, size and power
on generated worlds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from aoresearch.impact._comparable import nearest_paths
from aoresearch.impact._sc_weights import fit_weights_outcome, intercept_shift

__all__ = ["Backtests", "run_backtests", "effective_dof", "lag1_autocorrelation", "TInference"]

MAX_RHO = 0.9


@dataclass(frozen=True)
class TInference:
    """A scale and degrees of freedom for ``t``-based intervals, tests and power.

    Attributes
    ----------
    scale : float
        Root mean square out-of-sample error (NaN when there are too few backtests).
    dof : float
        Degrees of freedom of ``scale``.
    n : int
        Backtests behind it.
    """

    scale: float
    dof: float
    n: int

    def scaled(self, level: float) -> TInference:
        """The same inference with the scale multiplied by ``level`` (relative -> rate units)."""
        return TInference(self.scale * float(level), self.dof, self.n)

    @property
    def usable(self) -> bool:
        return bool(np.isfinite(self.scale) and self.scale > 0 and self.dof > 0)

    def interval(self, estimate: float, alpha: float) -> tuple[float, float]:
        if not self.usable:
            return float("nan"), float("nan")
        half = float(stats.t.ppf(1 - alpha / 2, self.dof)) * self.scale
        return float(estimate - half), float(estimate + half)

    def p_value(self, estimate: float) -> float:
        if not self.usable or not np.isfinite(estimate):
            return float("nan")
        return float(2 * stats.t.sf(abs(estimate) / self.scale, self.dof))

    def mde(self, alpha: float, power: float) -> float:
        if not self.usable:
            return float("nan")
        return float((stats.t.ppf(1 - alpha / 2, self.dof) + stats.t.ppf(power, self.dof)) * self.scale)


def effective_dof(n: int, h: int, rho: float) -> float:
    """Degrees of freedom of a mean square of ``n`` consecutive overlapping ``h``-period
    averages of an AR(1) series with coefficient ``rho`` (module docstring)."""
    if n < 2:
        return float(n)
    def cov(d: int) -> float:
        i, j = np.meshgrid(np.arange(h), np.arange(h))
        return float(np.mean(rho ** np.abs(i - j + d).astype(float)))

    var = cov(0)
    r = np.array([cov(d) / var for d in range(1, n)])
    weights = 1 - np.arange(1, n) / n
    return float(n / (1 + 2 * np.sum(weights * r**2)))


def lag1_autocorrelation(values: np.ndarray) -> float:
    """Uncentred lag-1 autocorrelation of a mean-zero error series, bias-corrected, clipped to
    [0, 0.9].

    The raw estimate ``r`` of ``n`` values is biased toward zero by about ``2 rho / n`` for a
    series of known mean zero (Marriott & Pope 1954, Biometrika 41(3/4); the centred estimator's
    ``(1 + 3 rho) / n`` less the mean's part), which matters here: 10-20 backtests, and an
    underestimated ``rho`` gives too many degrees of freedom. ``r n / (n - 2)`` removes it to
    first order (``benchmarks/impact_backtest_calibration.py``: per-year null rejection at
    ``rho = 0.8`` 5.5% without, 4.5% with the correction; 3,000 draws, seed 97).
    """
    values = values[np.isfinite(values)]
    n = values.size
    if n < 3 or not np.any(values):
        return 0.0
    r = values[1:] @ values[:-1] / (values @ values)
    return float(np.clip(r * n / (n - 2), 0.0, MAX_RHO))


@dataclass(frozen=True)
class Backtests:
    """Out-of-sample errors of the treated unit's synthetic control.

    Attributes
    ----------
    origins : ndarray of int, shape (n_origins,)
        Pseudo adoption years.
    errors : ndarray, shape (n_origins, max_lead)
        Observed minus predicted at lead ``k`` (column ``k``); NaN at or after the real
        adoption year.
    predicted : ndarray, same shape
        The predictions; :meth:`lead` and :meth:`average` use ``errors / predicted``.
    pre_years : int
    """

    origins: np.ndarray
    errors: np.ndarray
    pre_years: int
    predicted: np.ndarray | None = None

    def table(self) -> pd.DataFrame:
        """Long table: ``origin``, ``lead``, ``error``, ``counterfactual`` (the prediction)."""
        origin, lead = np.meshgrid(self.origins, np.arange(self.errors.shape[1]), indexing="ij")
        predicted = self.predicted if self.predicted is not None else np.full_like(self.errors, np.nan)
        frame = pd.DataFrame({"origin": origin.ravel(), "lead": lead.ravel(), "error": self.errors.ravel(),
                              "counterfactual": predicted.ravel()})
        return frame[frame["error"].notna()].reset_index(drop=True)

    def lead(self, k: int, min_backtests: int) -> TInference:
        """Relative inference for the effect ``k`` years after adoption (``k = 0``: the adoption
        year); :meth:`TInference.scaled` by the level gives rate units."""
        if k >= self.errors.shape[1]:
            return TInference(float("nan"), 0.0, 0)
        values = self.relative[:, k]
        values = values[np.isfinite(values)]
        # The lead's own persistence: errors k years out share the k years of drift since the origin.
        return _inference(values, effective_dof(values.size, 1, lag1_autocorrelation(values)), min_backtests)

    def average(self, h: int, min_backtests: int) -> TInference:
        """Relative inference for the mean effect over the first ``h`` post-adoption years."""
        if h < 1 or h > self.errors.shape[1]:
            return TInference(float("nan"), 0.0, 0)
        window = self.relative[:, :h]
        complete = np.isfinite(window).all(axis=1)
        means = window[complete].mean(axis=1)
        return _inference(means, effective_dof(means.size, h, self.rho), min_backtests)

    @property
    def relative(self) -> np.ndarray:
        """Errors relative to the prediction (module docstring)."""
        if self.predicted is None:
            return self.errors
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.predicted > 0, self.errors / self.predicted, np.nan)

    @property
    def rho(self) -> float:
        """Persistence of the one-year-ahead relative errors across consecutive origins."""
        return lag1_autocorrelation(self.relative[:, 0]) if self.errors.size else 0.0


def _inference(values: np.ndarray, dof: float, min_backtests: int) -> TInference:
    if values.size < max(min_backtests, 2):
        return TInference(float("nan"), 0.0, int(values.size))
    return TInference(float(np.sqrt(np.mean(values**2))), float(dof), int(values.size))


def run_backtests(
    Y: np.ndarray, years: np.ndarray, adoption: int, pre_years: int, max_lead: int, penalty: float, max_donors: int,
    intercept: bool = False,
) -> Backtests:
    """Backtest the synthetic control of row 0 from rows 1.. (module docstring).

    Parameters
    ----------
    Y : ndarray, shape (n_units, n_years)
        Outcome of the treated unit (row 0) and its size-class donors, complete, years ascending.
    years : ndarray of int, shape (n_years,)
        Consecutive years.
    adoption : int
        Real adoption year; no error at or after it is used.
    pre_years : int
        Fit window length of every backtest (that of the real fit).
    max_lead : int
        Leads 0 .. max_lead - 1 are recorded.
    penalty : float
        Weight penalty (:func:`fit_weights_outcome`).
    max_donors : int
        The donors of each backtest are the ``max_donors`` nearest paths over its own window
        (:func:`aoresearch.impact._comparable.nearest_paths`), as for the real fit.
    intercept : bool, default False
        Shift each backtest's prediction by the mean gap over its own fit window
        (:func:`aoresearch.impact._sc_weights.intercept_shift`), as the real fit does.

    Returns
    -------
    Backtests
    """
    first = int(years[0]) + pre_years
    origins = np.arange(first, min(adoption, int(years[-1]) + 1))
    errors = np.full((origins.size, max(max_lead, 1)), np.nan)
    predicted = errors.copy()
    position = {int(y): i for i, y in enumerate(years)}
    for row, origin in enumerate(origins):
        fit_cols = [position[y] for y in range(origin - pre_years, origin)]
        donors = 1 + nearest_paths(Y[0, fit_cols], Y[1:, fit_cols], max_donors)
        weights = fit_weights_outcome(Y[donors][:, fit_cols], Y[0, fit_cols], penalty).weights
        shift = intercept_shift(Y[0, fit_cols], weights @ Y[donors][:, fit_cols], slice(None), intercept)
        for k in range(errors.shape[1]):
            year = origin + k
            if year >= adoption or year not in position:
                break
            col = position[year]
            predicted[row, k] = weights @ Y[donors, col] + shift
            errors[row, k] = Y[0, col] - predicted[row, k]
    return Backtests(origins, errors, pre_years, predicted)
