"""Statistical quality of the impact estimators on generated demo data with known effects (issue 5).

For ``--datasets`` seeds, the demo generator (wellbeing services counties only, 2000-2024: a
cheaper configuration with the same data-generating process) is run twice: with the injected
service-model effect of ``params.yaml`` and with every effect set to 0. Each county pilot with
post-adoption data is evaluated with the pipeline's own code (:func:`evaluate_outcome`, the
``impact`` params) and compared with the true average post-adoption effect from
``ground_truth.json``. Reported per estimator: bias (relative to the mean true effect), RMSE,
coverage of the 95% intervals, and the rejection rate at 5% under zero effect.

Run: `.venv/bin/python benchmarks/impact_quality.py [--datasets 100] [--n-jobs 2]`
(writes benchmarks/results/impact_quality.json; with `--level municipality`,
impact_quality_municipality.json).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from aoresearch.catalogue import load_catalogue
from aoresearch.config import load_params
from aoresearch.impact.config import parse_impact_config
from aoresearch.impact.evaluate import evaluate_outcome
from aoresearch.panel.stage import make_panel
from aoresearch.sources.demo import generate_demo

REPO = Path(__file__).resolve().parents[1]
OUTCOMES = ("oohc_per_1000",)
YEARS = range(2000, 2025)
TARGETS = {"abs_relative_bias": 0.10, "coverage": (0.90, 0.99), "null_rejection": 0.10}


LEVELS = {"wellbeing_county": "HYVINVOINTIALUE", "municipality": "KUNTA"}


def one_dataset(seed: int, null: bool, level: str = "wellbeing_county") -> list[dict]:
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    params, catalogue = load_params(REPO / "params.yaml"), load_catalogue()
    config = replace(parse_impact_config(params.raw["impact"]), outcomes=OUTCOMES, n_jobs=1, fit_start_year=2006)
    county = tuple(p for p in params.pilots if p.category == level)
    effect = {k: (0.0 if null else v) for k, v in params.data.demo.effect.items()}
    demo = replace(params.data.demo, categories=(LEVELS[level],), effect=effect)
    raw = generate_demo(catalogue, YEARS, county, demo, seed)
    panel = make_panel(raw, catalogue, replace(params, pilots=county), level)
    rows = []
    for pilot in county:
        if pilot.adoption_year > YEARS.stop - 1:
            continue
        for outcome in OUTCOMES:
            truth = raw.ground_truth["pilots"][pilot.key]["outcomes"][outcome]["att_rate"]
            result = evaluate_outcome(panel, pilot, params.pilots, outcome, config, seed)
            average = result.effects[result.effects["period"] == "average"]
            for row in average.itertuples():
                rows.append({"seed": seed, "null": null, "pilot": pilot.key, "outcome": outcome, "estimator": row.estimator,
                             "truth": float(truth), "estimate": row.effect, "lower": row.lower, "upper": row.upper,
                             "p_value": row.p_value})
    return rows


def summarise(frame: pd.DataFrame) -> pd.DataFrame:
    out = []
    for (estimator, null), rows in frame.groupby(["estimator", "null"]):
        error = rows["estimate"] - rows["truth"]
        covered = (rows["lower"] <= rows["truth"]) & (rows["truth"] <= rows["upper"])
        record = {"estimator": estimator, "null": bool(null), "n": len(rows), "mean_truth": rows["truth"].mean(),
                  "bias": error.mean(), "rmse": float(np.sqrt(np.mean(error**2))), "coverage": covered.mean(),
                  "rejection_rate": (rows["p_value"] < 0.05).mean(),
                  "median_interval_width": (rows["upper"] - rows["lower"]).median()}
        record["relative_bias"] = record["bias"] / record["mean_truth"] if not null else float("nan")
        out.append(record)
    return pd.DataFrame(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=int, default=100)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--level", choices=sorted(LEVELS), default="wellbeing_county",
                        help="pilots and panel evaluated (municipality: Tampere and Oulu, 200+ donors, slower)")
    args = parser.parse_args()
    start = time.perf_counter()
    tasks = [(seed, null) for seed in range(1, args.datasets + 1) for null in (False, True)]
    parts = Parallel(n_jobs=args.n_jobs)(delayed(one_dataset)(seed, null, args.level) for seed, null in tasks)
    frame = pd.DataFrame([row for part in parts for row in part])
    table = summarise(frame)
    effect, null = table[~table["null"]], table[table["null"]]
    checks = {
        "bias_within_10pct": {e: bool(abs(r) <= TARGETS["abs_relative_bias"]) for e, r in zip(effect["estimator"], effect["relative_bias"])},
        "coverage_90_99": {e: bool(0.90 <= c <= 0.99) for e, c in zip(effect["estimator"], effect["coverage"])},
        "null_rejection_le_10pct": {e: bool(r <= 0.10) for e, r in zip(null["estimator"], null["rejection_rate"])},
    }
    result = {
        "benchmark": f"impact estimators on generated demo data ({args.level} pilots, demo regions of that level only, 2000-2024)",
        "datasets_per_scenario": args.datasets, "pilots": sorted(frame["pilot"].unique()), "outcomes": list(OUTCOMES),
        "evaluations": int(len(frame) / frame["estimator"].nunique()),
        "machine": {"cpus": os.cpu_count()}, "seconds": round(time.perf_counter() - start, 1),
        "targets": {"abs_relative_bias": 0.10, "coverage": [0.90, 0.99], "null_rejection": 0.10},
        "table": json.loads(table.round(4).to_json(orient="records")), "checks": checks,
    }
    suffix = "" if args.level == "wellbeing_county" else f"_{args.level}"
    out = REPO / "benchmarks" / "results" / f"impact_quality{suffix}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(table.round(3).to_string(index=False))
    print(json.dumps(checks, indent=2), f"\n{result['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
