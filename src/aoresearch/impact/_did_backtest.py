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
to their counterfactual and scaled back to today's, their root mean square is the scale. A
region's drift against the others then enters its own noise scale.

Degrees of freedom: consecutive placebos share years, so their mean square has fewer degrees of
freedom than placebos. The gap ``D`` is modelled as a stationary AR(1) process whose coefficient
``phi`` is the lag-1 autocorrelation of ``D`` over every pre-adoption year since
``impact.fit_start_year``, bias-corrected for the short series (``r + (1 + 3 r) / n``, Kendall
1954) and clipped to [0, 0.95]. A placebo is a fixed linear combination of ``D`` (``-1`` at the
base year, ``1/h`` at each of its ``h`` years), so the model gives the correlation ``r_d`` of
placebos ``d`` base years apart exactly, and the Satterthwaite degrees of freedom of their mean
square are ``n / (1 + 2 sum_d (1 - d/n) r_d^2)``, the formula of
:func:`aoresearch.impact._sc_backtest.effective_dof`. The previous rule treated the placebos as
moving sums of the one-year DiDs with their persistence clipped at 0, which is exact only for a
random-walk gap; for a gap that reverts, the one-year DiDs are negatively correlated and the
placebos nearly independent, and the intervals were too wide: 96.8-97.1% coverage of the
average effect in ``benchmarks/impact_quality.py``. ``benchmarks/did_dof_alternatives.py`` on 200
worlds per scenario with seeds other than those this rule was chosen on (``--datasets 200 --seed
970001``): the average effect's 95% intervals cover 97.0-97.8% with the previous rule and
93.8-95.1% with this one, per scenario and pilot type (per year 94.1-95.6%; Monte Carlo
standard errors about 1.1 and 0.7 points). Written here because no Python library provides placebo
inference for a single treated unit's DiD (pyfixest's wild bootstrap and randomisation
inference assume many treated clusters; csdid's analytic errors ignore the pilot's own noise).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aoresearch.impact._sc_backtest import TInference

__all__ = ["DidHistory", "gap_persistence", "placebo_dof"]

MAX_PHI = 0.95


def gap_persistence(gap: np.ndarray) -> float:
    """AR(1) coefficient of the pilot's gap to its comparison regions (module docstring): the
    centred lag-1 autocorrelation, bias-corrected (Kendall 1954), clipped to [0, 0.95]; 0 for
    fewer than 3 years or a constant gap."""
    x = np.asarray(gap, dtype=float)
    x = x[np.isfinite(x)]
    n = x.size
    x = x - x.mean() if n else x
    if n < 3 or not np.any(x):
        return 0.0
    r = float(x[1:] @ x[:-1] / (x @ x))
    return float(np.clip(r + (1 + 3 * r) / n, 0.0, MAX_PHI))


def placebo_dof(offsets, n: int, phi: float) -> float:
    """Satterthwaite degrees of freedom of the mean square of ``n`` placebo DiDs over ``offsets``
    at consecutive base years, for an AR(1) gap with coefficient ``phi`` (module docstring)."""
    offsets = np.asarray(offsets, dtype=int).ravel()
    if n < 2:
        return float(n)
    low = min(0, int(offsets.min()))
    weights = np.zeros(max(0, int(offsets.max())) - low + 1)
    weights[-low] -= 1.0
    np.add.at(weights, offsets - low, 1.0 / offsets.size)
    idx = np.arange(weights.size)

    def covariance(d: int) -> float:
        return float(weights @ (phi ** np.abs(idx[None, :] + d - idx[:, None]).astype(float)) @ weights)

    r = np.array([covariance(d) for d in range(1, n)]) / covariance(0)
    return float(n / (1 + 2 * np.sum((1 - np.arange(1, n) / n) * r**2)))


@dataclass(frozen=True)
class DidHistory:
    """The pilot and the mean of its comparison regions over the pre-adoption years.

    Attributes
    ----------
    pilot, others : ndarray, shape (n_pre,)
        Consecutive pre-adoption years, ascending; no missing values.
    first_base : int
        Position of the first placebo base year (earlier years only inform the gap's persistence).
    """

    pilot: np.ndarray
    others: np.ndarray
    first_base: int = 0

    def placebos(self, offsets) -> np.ndarray:
        """Relative in-time placebo DiDs for the year ``offsets`` after a base year (``[k]``: the
        effect ``k`` years after it; ``[1..h]``: the average over ``h`` years; negative offsets:
        years before it), one per base year of the history with all its years present."""
        offsets = np.asarray(offsets, dtype=int).ravel()
        n = self.pilot.size
        if offsets.size == 0 or not np.any(offsets):
            return np.empty(0)
        bases = np.array([b for b in range(self.first_base, n) if self.first_base <= b + offsets.min() and b + offsets.max() < n], dtype=int)
        if bases.size == 0:
            return np.empty(0)
        diff = self.pilot - self.others
        effect = diff[bases[:, None] + offsets].mean(axis=1) - diff[bases]
        counterfactual = self.pilot[bases] + self.others[bases[:, None] + offsets].mean(axis=1) - self.others[bases]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(counterfactual > 0, effect / counterfactual, np.nan)

    @property
    def phi(self) -> float:
        """Persistence of the pilot's gap to the comparison regions over the whole history."""
        return gap_persistence(self.pilot - self.others)

    def inference(self, offsets, min_backtests: int) -> TInference:
        """Relative ``t`` inference for a DiD over ``offsets`` (:meth:`TInference.scaled` by the
        counterfactual level gives rate units); no scale with fewer than ``min_backtests``."""
        values = self.placebos(offsets)
        values = values[np.isfinite(values)]
        if values.size < max(min_backtests, 2):
            return TInference(float("nan"), 0.0, int(values.size))
        return TInference(float(np.sqrt(np.mean(values**2))), placebo_dof(offsets, values.size, self.phi), int(values.size))
