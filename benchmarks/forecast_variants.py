"""Sensitivity of the real-data forecast to the model settings (issue 4): can any reasonable variant
reach the target of at most 0.97 times persistence's child-weighted MAE?

A sensitivity analysis, not model selection: every variant is scored on the same test (target)
years 2012-2020 it would be tuned on, so the best ratio here is optimistic. The variants change
one thing each against params.yaml's ``factors`` settings (loss, learning rate, tree size, sample
weights, lags, target kind), plus "half the predicted change" (prediction shrunk halfway to
persistence after the fact), and fewer boosting iterations (issue 15: what a cheaper forecast
stage would cost; with each variant's evaluation time and interval coverage). Main outcome ``oohc_per_1000``, h = 1, municipality-years with more
than 1,000 children 0-17. Only ratios are written, never values of the extract.

Run: `.venv/bin/python benchmarks/forecast_variants.py [--extract ../shared/data/sotkanet]`
(writes benchmarks/results/forecast_variants.json; about 5 minutes on 2 cores).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from factors_real import MAIN, REPO, TARGETS, real_setup  # noqa: E402

import numpy as np  # noqa: E402

from aoresearch.factors import make_design, rolling_origin_cv, weighted_mae  # noqa: E402

VARIANTS = {
    "params.yaml settings": {},
    "squared-error loss": {"model": {"loss": "squared_error"}},
    "learning rate 0.01": {"model": {"learning_rate": 0.01}},
    "4 leaves, 200 trees": {"model": {"max_leaf_nodes": 4, "max_iter": 200}},
    "min 100 rows per leaf": {"model": {"min_samples_leaf": 100}},
    "lags 0-4": {"lags": (0, 1, 2, 3, 4)},
    "level target": {"target": "level"},
    # Issue 15: the forecast stage's cost is mostly boosting iterations; what fewer would cost in skill.
    "60 trees": {"model": {"max_iter": 60}},
    "40 trees": {"model": {"max_iter": 40}},
}


def variant_config(config, change: dict):
    model = replace(config.model, **change.get("model", {}))
    return replace(config, model=model, **{k: v for k, v in change.items() if k != "model"})


def ratio(predictions, column: str = "prediction") -> float:
    p = predictions
    obs, w = p["observed"].to_numpy(), p["weight"].to_numpy()
    return weighted_mae(obs, p[column].to_numpy(), w) / weighted_mae(obs, p["persistence"].to_numpy(), w)


def main(argv: list[str]) -> int:
    panel, config, _, (_, factors, _, _) = real_setup(argv, __doc__)
    ratios, seconds, coverage = {}, {}, {}
    for name, change in VARIANTS.items():
        vc = variant_config(config, change)
        design = make_design(panel, MAIN, factors, vc.lags, vc.horizon, vc.target, vc.min_children, vc.trend_years)
        start = time.perf_counter()
        predictions = rolling_origin_cv(design, vc).predictions
        seconds[name] = round(time.perf_counter() - start, 1)
        ratios[name] = round(ratio(predictions), 4)
        inside = (predictions["observed"] >= predictions["lower"]) & (predictions["observed"] <= predictions["upper"])
        coverage[name] = round(float(np.average(inside, weights=predictions["weight"])), 4)
        if not change:
            half = predictions.assign(half=predictions["persistence"] + 0.5 * (predictions["prediction"] - predictions["persistence"]))
            ratios["half the predicted change"] = round(ratio(half, "half"), 4)
            for baseline in ("region_trend", "fe_linear"):
                ratios[f"baseline: {baseline}"] = round(ratio(predictions, baseline), 4)
        print(f"{name:32s} {ratios[name]:.4f}", flush=True)
    models = {k: v for k, v in ratios.items() if not k.startswith("baseline")}
    best = min(models, key=models.get)
    result = {
        "benchmark": "forecast sensitivity on the real municipality panel: child-weighted MAE ratio to persistence, "
                     f"{MAIN}, h=1, test years {config.test_years[0]}-{config.test_years[1]}, > {config.min_children:g} children",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "factors_used": list(factors),
        "mae_ratio_to_persistence": ratios,
        "interval_coverage_weighted": coverage,
        "interval_nominal": config.interval,
        "evaluation_seconds": seconds,
        "best_variant": {"name": best, "ratio": models[best]},
        "target_ratio": TARGETS["mae_ratio"],
        "any_variant_meets_target": bool(models[best] <= TARGETS["mae_ratio"]),
        "note": "scored on the years it would be tuned on: the best ratio is optimistic",
    }
    out = REPO / "benchmarks" / "results" / "forecast_variants.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0 if result["any_variant_meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
