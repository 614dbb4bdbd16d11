"""Calibration of the backtest t-inference itself, without any synthetic control: errors drawn
from a stationary AR(1) process with known persistence, the real backtest layout (15 origins
before adoption, 5 post years, overlapping 5-year averages), and the pipeline's own scale and
degrees of freedom (:func:`aoresearch.impact._sc_backtest.effective_dof`,
:func:`lag1_autocorrelation`). If the rejection rates here are near 5% while the demo worlds'
per-year tests reject more (benchmarks/impact_quality.py), the excess comes from the demo's
error structure, not from the t approximation.

Besides the pipeline's rule (``average``, ``per_year``: Bartlett's effective number of squares
with the bias-corrected estimate of ``rho``), the benchmark reports for the average effect:

* ``average_known_rho``: the same degrees of freedom at the true ``rho``. The Bartlett /
  Satterthwaite ``t`` approximation matches the variance of the mean square of overlapping
  averages, not its lower tail, and is conservative for them even when ``rho`` is known.
* ``average_exact_quantile``: the alternative of a parametric bootstrap, the ``t`` degrees of
  freedom whose 97.5% quantile equals the simulated 95% quantile of ``|post mean| / scale``
  under a Gaussian AR(1) with the *estimated* ``rho`` (:func:`exact_quantile_dof`, 100,000
  draws). Exact when ``rho`` is known, it over-rejects at high persistence once ``rho`` is
  estimated (``rho`` is underestimated from 15 errors and the quantile grows with ``rho``).

So the pipeline keeps Bartlett's rule: conservative (never above 5% here) rather than liberal.
This is why the pooled effect's interval, whose backtest series is an average over pilots,
can cover more than 95% (issue 12; ``benchmarks/pooled_coverage.py``).

Run: `.venv/bin/python benchmarks/impact_backtest_calibration.py [--draws 4000] [--seed 31]`
(writes benchmarks/results/impact_backtest_calibration.json).
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import optimize, stats

from aoresearch.impact._sc_backtest import effective_dof, lag1_autocorrelation

OUT = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "impact_backtest_calibration.json"
ORIGINS, POST, ALPHA = 15, 5, 0.05
EXACT_DRAWS, EXACT_SEED = 100_000, 20210


def _ar1(rng: np.random.Generator, rho: float, n: int) -> np.ndarray:
    e = np.empty(n)
    e[0] = rng.standard_normal()
    for t in range(1, n):
        e[t] = rho * e[t - 1] + np.sqrt(1 - rho**2) * rng.standard_normal()
    return e


@lru_cache(maxsize=256)
def exact_quantile_dof(n: int, h: int, rho: float, alpha: float) -> float:
    """Degrees of freedom whose ``t`` quantile ``1 - alpha / 2`` equals the simulated ``1 - alpha``
    quantile of ``|mean of h post errors| / sqrt(mean of n squared h-year backtest averages)``
    under a stationary Gaussian AR(1) with coefficient ``rho`` (fixed seed, so deterministic)."""
    rng = np.random.default_rng(EXACT_SEED)
    length = n + 2 * h - 1
    shocks = rng.standard_normal((EXACT_DRAWS, length))
    e = np.empty_like(shocks)
    e[:, 0] = shocks[:, 0]
    for t in range(1, length):
        e[:, t] = rho * e[:, t - 1] + np.sqrt(1 - rho**2) * shocks[:, t]
    pre, post = e[:, : n + h - 1], e[:, n + h - 1:]
    cumulative = np.concatenate([np.zeros((EXACT_DRAWS, 1)), np.cumsum(pre, axis=1)], axis=1)
    means = (cumulative[:, h:] - cumulative[:, :-h]) / h
    q = float(np.quantile(np.abs(post.mean(axis=1)) / np.sqrt(np.mean(means**2, axis=1)), 1 - alpha))
    gap = lambda log_dof: stats.t.ppf(1 - alpha / 2, np.exp(log_dof)) - q  # noqa: E731
    low, high = np.log(0.3), np.log(1000.0)
    if gap(high) > 0:
        return 1000.0
    if gap(low) < 0:
        return 0.3
    return float(np.exp(optimize.brentq(gap, low, high)))


def rejection_rates(rho: float, draws: int, rng: np.random.Generator) -> dict:
    """Null rejection of the average and of each per-year test at ALPHA (errors = e[origin + lead])."""
    average, known, exact, per_year = 0, 0, 0, 0
    for _ in range(draws):
        e = _ar1(rng, rho, ORIGINS + POST)
        pre, post = e[:ORIGINS], e[ORIGINS:]
        means = np.array([pre[o:o + POST].mean() for o in range(ORIGINS - POST + 1)])
        ratio = abs(post.mean()) / np.sqrt(np.mean(means**2))
        rho_hat = lag1_autocorrelation(pre)
        average += 2 * stats.t.sf(ratio, effective_dof(means.size, POST, rho_hat)) < ALPHA
        known += 2 * stats.t.sf(ratio, effective_dof(means.size, POST, rho)) < ALPHA
        exact += 2 * stats.t.sf(ratio, exact_quantile_dof(means.size, POST, round(rho_hat, 2), ALPHA)) < ALPHA
        for k in range(POST):
            values = pre[k:]
            lead_dof = effective_dof(values.size, 1, lag1_autocorrelation(values))
            per_year += 2 * stats.t.sf(abs(post[k]) / np.sqrt(np.mean(values**2)), lead_dof) < ALPHA
    n_year = draws * POST
    return {"rho": rho, "average": average / draws, "average_mcse": float(np.sqrt(0.05 * 0.95 / draws)),
            "average_known_rho": known / draws, "average_exact_quantile": exact / draws,
            "per_year": per_year / n_year, "per_year_mcse": float(np.sqrt(0.05 * 0.95 / n_year))}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=31)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    rows = [rejection_rates(rho, args.draws, rng) for rho in (0.0, 0.3, 0.6, 0.8)]
    result = {"benchmark": "backtest t-inference under AR(1) errors", "draws": args.draws, "seed": args.seed,
              "layout": {"origins": ORIGINS, "post_years": POST, "alpha": ALPHA}, "rows": rows,
              "exact_quantile": {"draws": EXACT_DRAWS, "seed": EXACT_SEED, "rho_rounded_to": 0.01},
              "command": ".venv/bin/python benchmarks/impact_backtest_calibration.py"
                         + (f" --draws {args.draws}" if args.draws != 4000 else "") + (f" --seed {args.seed}" if args.seed != 31 else "")}
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
