"""Calibration of the backtest t-inference itself, without any synthetic control: errors drawn
from a stationary AR(1) process with known persistence, the real backtest layout (15 origins
before adoption, 5 post years, overlapping 5-year averages), and the pipeline's own scale and
degrees of freedom (:func:`aoresearch.impact._sc_backtest.effective_dof`,
:func:`lag1_autocorrelation`). If the rejection rates here are near 5% while the demo worlds'
per-year tests reject more (benchmarks/impact_quality.py), the excess comes from the demo's
error structure, not from the t approximation.

Run: `.venv/bin/python benchmarks/impact_backtest_calibration.py [--draws 4000] [--seed 31]`
(writes benchmarks/results/impact_backtest_calibration.json).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scipy import stats

from aoresearch.impact._sc_backtest import effective_dof, lag1_autocorrelation

OUT = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "impact_backtest_calibration.json"
ORIGINS, POST, ALPHA = 15, 5, 0.05


def _ar1(rng: np.random.Generator, rho: float, n: int) -> np.ndarray:
    e = np.empty(n)
    e[0] = rng.standard_normal()
    for t in range(1, n):
        e[t] = rho * e[t - 1] + np.sqrt(1 - rho**2) * rng.standard_normal()
    return e


def rejection_rates(rho: float, draws: int, rng: np.random.Generator) -> dict:
    """Null rejection of the average and of each per-year test at ALPHA (errors = e[origin + lead])."""
    average, per_year = 0, 0
    for _ in range(draws):
        e = _ar1(rng, rho, ORIGINS + POST)
        pre, post = e[:ORIGINS], e[ORIGINS:]
        means = np.array([pre[o:o + POST].mean() for o in range(ORIGINS - POST + 1)])
        dof = effective_dof(means.size, POST, lag1_autocorrelation(pre))
        average += 2 * stats.t.sf(abs(post.mean()) / np.sqrt(np.mean(means**2)), dof) < ALPHA
        for k in range(POST):
            values = pre[k:]
            lead_dof = effective_dof(values.size, 1, lag1_autocorrelation(values))
            per_year += 2 * stats.t.sf(abs(post[k]) / np.sqrt(np.mean(values**2)), lead_dof) < ALPHA
    n_year = draws * POST
    return {"rho": rho, "average": average / draws, "average_mcse": float(np.sqrt(0.05 * 0.95 / draws)),
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
              "command": ".venv/bin/python benchmarks/impact_backtest_calibration.py"}
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
