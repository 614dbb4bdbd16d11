"""Is the demo world's ground truth what its observed panels show? An oracle check of the truth
that ``benchmarks/impact_quality.py`` scores the estimators against.

For each generated world and each 2020 pilot, the observed post-adoption mean of
``oohc_per_1000`` in the pilot's panel (what an estimator sees) is compared with the truth's
expected rate, ``counterfactual_rate + effect_rate`` (``ground_truth.json``), in rate units and on
the log scale of the pooled effect: ``log(mean observed / mean counterfactual) - log(1 + mean
effect / mean counterfactual)``. An estimator that knew the true counterfactual would be off by
exactly this; if it is near zero, a bias in the quality benchmark belongs to the estimators, not
to the truth.

Why (issue 12 follow-up): in the ``harmful`` worlds (the service-model effect times -2, seeds
940001..), every estimator understated the increase a little and the pooled effect of the four
pilots by -1.83 +- 1.16 log points x 100 (``benchmarks/results/impact_quality_effect_sizes_intercept.json``).

Same worlds as the quality benchmark (its setup, effect scaling and panels): ``--scenario`` and
``--seed`` pick them (defaults: the quality benchmark's harmful worlds).

Run: ``.venv/bin/python benchmarks/demo_truth_oracle.py [--scenario harmful] [--seed 940001] [--datasets 100]``
(writes ``benchmarks/results/demo_truth_oracle_<scenario>.json``; about 1.5 s per world).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import impact_quality as iq  # noqa: E402  (setup, effect scaling and panels of the quality benchmark)

RESULTS = Path(__file__).resolve().parent / "results"


def world_rows(setup, scenario: str, seed: int) -> list[dict]:
    """One row per 2020 pilot: observed minus true expected post-period mean, rate and log scale."""
    from aoresearch.panel.stage import make_panel
    from aoresearch.sources.demo import generate_demo

    params = setup.params
    effect = {k: iq.EFFECT_SCALE[scenario] * float(v) for k, v in params.data.demo.effect.items()}
    demo = replace(params.data.demo, categories=tuple(iq.PANELS.values()), effect=effect)
    raw = generate_demo(setup.catalogue, params.data.years, params.pilots, demo, seed)
    panels = {name: make_panel(raw, setup.catalogue, setup.validation_params, name) for name in iq.PANELS}
    rows = []
    for pilot in setup.pooled:
        truth = raw.ground_truth["pilots"][pilot.key]["outcomes"][iq.HEADLINE]
        counterfactual, effect_rate = np.array(truth["counterfactual_rate"]), np.array(truth["effect_rate"])
        panel = panels[pilot.category]
        observed = panel[panel["region"] == pilot.region].set_index("year")[iq.HEADLINE].reindex(truth["years"]).to_numpy()
        ok = np.isfinite(observed)
        cf, att = counterfactual[ok].mean(), effect_rate[ok].mean()
        rows.append({"scenario": scenario, "seed": seed, "pilot": pilot.key, "years": int(ok.sum()),
                     "observed": float(observed[ok].mean()), "expected": float(cf + att), "att_relative": float(att / cf),
                     "gap_rate": float(observed[ok].mean() - cf - att),
                     "gap_log_x100": float(100 * (np.log(observed[ok].mean() / cf) - np.log1p(att / cf)))})
    return rows


def summarise(rows: pd.DataFrame) -> dict:
    """Mean gap and its Monte Carlo standard error per pilot and for the pooled (equal-weight) mean."""
    per_pilot = []
    for pilot, g in rows.groupby("pilot", sort=True):
        per_pilot.append({"pilot": pilot, "worlds": len(g), "mean_expected": round(float(g["expected"].mean()), 4),
                          "mean_att_relative": round(float(g["att_relative"].mean()), 4),
                          "gap_rate": round(float(g["gap_rate"].mean()), 4),
                          "gap_rate_mcse": round(float(g["gap_rate"].std() / np.sqrt(len(g))), 4),
                          "gap_log_x100": round(float(g["gap_log_x100"].mean()), 3),
                          "gap_log_x100_mcse": round(float(g["gap_log_x100"].std() / np.sqrt(len(g))), 3)})
    pooled = rows.groupby("seed")["gap_log_x100"].mean()
    return {"per_pilot": per_pilot, "pooled_gap_log_x100": round(float(pooled.mean()), 3),
            "pooled_gap_log_x100_mcse": round(float(pooled.std() / np.sqrt(len(pooled))), 3)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=sorted(iq.EFFECT_SCALE), default="harmful")
    parser.add_argument("--seed", type=int, default=940_001, help="first seed (default: the quality benchmark's harmful worlds)")
    parser.add_argument("--datasets", type=int, default=100, help="worlds")
    args = parser.parse_args(argv)
    iq._quiet()
    start = time.perf_counter()
    setup = iq._setup((iq.HEADLINE,))
    rows = pd.DataFrame([r for seed in range(args.seed, args.seed + args.datasets) for r in world_rows(setup, args.scenario, seed)])
    result = {"benchmark": "demo ground truth against the observed panels (oracle gap of the truth)",
              "command": f".venv/bin/python benchmarks/demo_truth_oracle.py --scenario {args.scenario} --seed {args.seed} "
                         f"--datasets {args.datasets}",
              "outcome": iq.HEADLINE, "scenario": args.scenario, "effect_scale": iq.EFFECT_SCALE[args.scenario],
              "seeds": {"first": args.seed, "n": args.datasets}, **summarise(rows),
              "seconds": round(time.perf_counter() - start, 1)}
    out = RESULTS / f"demo_truth_oracle_{args.scenario}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(pd.DataFrame(result["per_pilot"]).to_string(index=False))
    print(f"pooled: {result['pooled_gap_log_x100']} +- {result['pooled_gap_log_x100_mcse']} log points x 100; "
          f"{result['seconds']} s -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
