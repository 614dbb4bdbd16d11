"""Uncertainty of a one-pilot DiD from the pilot's own history: in-time placebo DiDs.

Why not the cross-section of placebo DiDs (each comparison region as if treated, Conley &
Taber 2011) alone: that rank test is exact only if the pilot's studentised DiD is
exchangeable with the comparison regions'. Regions load differently on national movements
(a large city's deviation from the all-region mean drifts with them; a small town's deviation
is mostly its own noise), and every region shares the *same* post-period movement, so in a
world where parallel trends hold only on average the pilot's DiD is a persistent drift that
the noise-dominated placebos do not reproduce. ``benchmarks/impact_quality.py`` measured it
on 200 demo worlds without an effect: a Tampere-like pilot's DiD rejected the true null in 7.3%
(average effect) and 6.7% (per year) of tests at the 5% level with the cross-section (the
benchmark at commit 02962f0; 3.1% and 5.5% with the in-time placebos below).

What the funders' question needs is how far the DiD of *this* pilot moves, without any
intervention, over as many years as the post period has. Every earlier base year ``b`` of the
pilot's pre-adoption history gives one such DiD (the base years are those of the synthetic
control's backtests, from the year before its first origin, so that both methods learn their
noise from the same years): with
``D = pilot - mean of the comparison regions``, the DiD ``k`` years after ``b`` is
``D[b + k] - D[b]`` and the DiD averaged over ``h`` years is ``mean(D[b+1..b+h]) - D[b]``; the
counterfactual behind it is ``pilot[b] + (others' change since b)``. As for the synthetic
control (:mod:`aoresearch.impact._sc_backtest`), these in-time placebo DiDs are taken relative
to their counterfactual and scaled back to today's, their root mean square is the scale, and
their overlap (consecutive base years share ``h - 1`` years) and persistence (lag-1
autocorrelation of the one-year DiDs) give the ``t`` degrees of freedom
(:func:`aoresearch.impact._sc_backtest.effective_dof`). A region's drift against the others
then enters its own noise scale. Written here because no Python library provides placebo
inference for a single treated unit's DiD (pyfixest's wild bootstrap and randomisation
inference assume many treated clusters; csdid's analytic errors ignore the pilot's own noise).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aoresearch.impact._sc_backtest import TInference, effective_dof, lag1_autocorrelation

__all__ = ["DidHistory"]


@dataclass(frozen=True)
class DidHistory:
    """The pilot and the mean of its comparison regions over the pre-adoption years.

    Attributes
    ----------
    pilot, others : ndarray, shape (n_pre,)
        Consecutive pre-adoption years, ascending; no missing values.
    """

    pilot: np.ndarray
    others: np.ndarray

    def placebos(self, offsets) -> np.ndarray:
        """Relative in-time placebo DiDs for the year ``offsets`` after a base year (``[k]``: the
        effect ``k`` years after it; ``[1..h]``: the average over ``h`` years; negative offsets:
        years before it), one per base year of the history with all its years present."""
        offsets = np.asarray(offsets, dtype=int).ravel()
        n = self.pilot.size
        if offsets.size == 0 or not np.any(offsets):
            return np.empty(0)
        bases = np.array([b for b in range(n) if 0 <= b + offsets.min() and b + offsets.max() < n], dtype=int)
        if bases.size == 0:
            return np.empty(0)
        diff = self.pilot - self.others
        effect = diff[bases[:, None] + offsets].mean(axis=1) - diff[bases]
        counterfactual = self.pilot[bases] + self.others[bases[:, None] + offsets].mean(axis=1) - self.others[bases]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(counterfactual > 0, effect / counterfactual, np.nan)

    @property
    def rho(self) -> float:
        """Persistence of the one-year placebo DiDs across consecutive base years."""
        return lag1_autocorrelation(self.placebos([1]))

    def inference(self, offsets, min_backtests: int) -> TInference:
        """Relative ``t`` inference for a DiD over ``offsets`` (:meth:`TInference.scaled` by the
        counterfactual level gives rate units); no scale with fewer than ``min_backtests``."""
        values = self.placebos(offsets)
        values = values[np.isfinite(values)]
        if values.size < max(min_backtests, 2):
            return TInference(float("nan"), 0.0, int(values.size))
        span = int(np.max(np.abs(offsets)))
        return TInference(float(np.sqrt(np.mean(values**2))), effective_dof(values.size, span, self.rho), int(values.size))
