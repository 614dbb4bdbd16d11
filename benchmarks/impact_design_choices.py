"""Why the synthetic control's backtest errors are relative and the pooled effect is an equal-weight mean.

On ``--worlds`` demo worlds without a service-model effect (seeds 777001, 777002, ...: not the
tests' nor ``impact_quality.py``'s), the pipeline's own synthetic control of the four 2020 pilots
is fitted for three outcomes, and the rejection rate at 5% of tests of "no effect" is computed
under alternative designs from the same fits (the right rate is 5%):

- per-year and average tests with backtest errors in rate units (absolute) or relative to the
  prediction and rescaled to the current level (relative, the pipeline's choice), and how the
  post-period squared gap compares with the backtests' mean square (all origins, latest six);
- the pooled test of the four pilots (same outcome and world) with precision or equal weights
  (the pipeline's: equal), and with the pilots' error correlation clipped at zero, unclipped,
  or not used (the pipeline's: not used).

Run: `.venv/bin/python benchmarks/impact_design_choices.py [--worlds 60]`
(writes benchmarks/results/impact_design_choices.json; about 2 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from scipy import stats

REPO = Path(__file__).resolve().parents[1]
PILOTS = ("tampere", "oulu", "north_karelia", "central_ostrobothnia")
OUTCOMES = ("oohc_per_1000", "school_absence_pct", "child_psych_inpatient_per_1000")
BASE_SEED = 777000


def one_world(seed: int) -> list[dict]:
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    from aoresearch.catalogue import load_catalogue
    from aoresearch.config import load_params
    from aoresearch.impact import evaluate as ev
    from aoresearch.impact._pilot_sc import fit_pilot_sc
    from aoresearch.panel.stage import make_panel
    from aoresearch.sources.demo import generate_demo

    params, catalogue = load_params(REPO / "params.yaml"), load_catalogue()
    config = replace(params.impact, n_jobs=1)
    demo = replace(params.data.demo, categories=("KUNTA", "HYVINVOINTIALUE"), effect={k: 0.0 for k in params.data.demo.effect})
    raw = generate_demo(catalogue, params.data.years, params.pilots, demo, seed)
    panels, rows = {}, []
    for key in PILOTS:
        pilot = ev.find_pilot(params.pilots, key)
        panel = panels.setdefault(pilot.category, make_panel(raw, catalogue, params, pilot.category))
        for outcome in OUTCOMES:
            # The pipeline's own inputs and fit (evaluate_outcome without the placebo and DiD work).
            inputs = ev.sc_inputs(panel, pilot, params.pilots, outcome, config)
            run = fit_pilot_sc(inputs.Y, inputs.frame, pilot.region, pilot.adoption_year, outcome, config, seed)
            post = run.sc.gap_.index >= pilot.adoption_year
            rows.append({"seed": seed, "pilot": key, "outcome": outcome, "gap": run.sc.gap_[post].to_numpy(),
                         "level": run.sc.synthetic_[post].to_numpy(), "errors": run.backtests.errors,
                         "predicted": run.backtests.predicted})
    return rows


def _tests(row: dict, relative: bool) -> tuple[list[bool], bool, float, float, float]:
    from aoresearch.impact._sc_backtest import effective_dof, lag1_autocorrelation

    errors = row["errors"] / row["predicted"] if relative else row["errors"]
    rho = lag1_autocorrelation(errors[:, 0])
    gap, level, h = row["gap"], row["level"], len(row["gap"])
    per_year = []
    for k in range(h):
        values = errors[:, k][np.isfinite(errors[:, k])]
        scale = np.sqrt(np.mean(values**2)) * (level[k] if relative else 1.0)
        per_year.append(bool(2 * stats.t.sf(abs(gap[k]) / scale, effective_dof(values.size, 1, rho)) < 0.05))
    window = errors[:, :h]
    means = window[np.isfinite(window).all(axis=1)].mean(axis=1)
    scale = np.sqrt(np.mean(means**2)) * (level.mean() if relative else 1.0)
    dof = effective_dof(means.size, h, rho)
    average = bool(2 * stats.t.sf(abs(gap.mean()) / scale, dof) < 0.05)
    log_effect = float(np.log((level.mean() + gap.mean()) / level.mean()))
    return per_year, average, log_effect, scale / level.mean(), dof


def _pooled_rejection(cells: list[list[dict]], weighting: str, correlation: str) -> float:
    rejected = []
    for cell in cells:
        results = [_tests(r, relative=True) for r in cell]
        l = np.array([x[2] for x in results])
        s = np.array([x[3] for x in results])
        df = np.array([x[4] for x in results])
        w = s**-2 / np.sum(s**-2) if weighting == "precision" else np.full(len(s), 1 / len(s))
        corr = np.eye(len(s))
        if correlation != "none":
            series = []
            for r in cell:
                rel = (r["errors"] / r["predicted"])[:, : len(r["gap"])]
                ok = np.isfinite(rel).all(axis=1)
                series.append(np.where(ok, rel.mean(axis=1), np.nan))
            for i in range(len(s)):
                for j in range(i):
                    common = np.isfinite(series[i]) & np.isfinite(series[j])
                    x, y = series[i][common], series[j][common]
                    r = float(x @ y / np.sqrt((x @ x) * (y @ y)))
                    corr[i, j] = corr[j, i] = max(r, 0.0) if correlation == "clipped" else r
        variance = float(w @ (corr * np.outer(s, s)) @ w)
        parts = (w * s) ** 2
        dof = float(np.sum(parts) ** 2 / np.sum(parts**2 / df))
        rejected.append(2 * stats.t.sf(abs(w @ l) / np.sqrt(variance), dof) < 0.05)
    return float(np.mean(rejected))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worlds", type=int, default=60)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    parts = Parallel(n_jobs=args.n_jobs)(delayed(one_world)(BASE_SEED + i + 1) for i in range(args.worlds))
    rows = [r for part in parts for r in part]
    result = {"worlds": args.worlds, "seeds": [BASE_SEED + 1, BASE_SEED + args.worlds], "pilots": PILOTS, "outcomes": OUTCOMES,
              "alpha": 0.05, "series": len(rows)}
    for name, relative in (("absolute", False), ("relative", True)):
        tests = [_tests(r, relative) for r in rows]
        result[f"rejection_{name}"] = {
            "average": float(np.mean([t[1] for t in tests])),
            "per_year_by_lead": [float(np.mean([t[0][k] for t in tests if len(t[0]) > k])) for k in range(5)],
        }
    post_ms = np.mean([r["gap"][0] ** 2 for r in rows])
    result["post_gap_ms_over_backtest_ms"] = {
        "all_origins": float(post_ms / np.mean([np.nanmean(r["errors"][:, 0] ** 2) for r in rows])),
        "latest_6_origins": float(post_ms / np.mean([np.nanmean(r["errors"][-6:, 0] ** 2) for r in rows])),
    }
    cells = {}
    for r in rows:
        cells.setdefault((r["seed"], r["outcome"]), []).append(r)
    cells = [c for c in cells.values() if len(c) == len(PILOTS)]
    result["pooled_rejection"] = {f"{w}_{c}": _pooled_rejection(cells, w, c)
                                  for w in ("precision", "equal") for c in ("clipped", "unclipped", "none")}
    result["pooled_tests"] = len(cells)
    result["seconds"] = round(time.perf_counter() - start, 1)
    out = REPO / "benchmarks" / "results" / "impact_design_choices.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
