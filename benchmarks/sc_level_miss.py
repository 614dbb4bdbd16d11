"""Does the synthetic control miss the pilots' level, and would an intercept remove its bias? (issue 12)

``benchmarks/impact_quality.py`` finds the synthetic control's average effect on
``oohc_per_1000`` a little too high in rate units (estimate minus truth +0.2 to +0.45 per
1,000 in the null and effect worlds, 1.4-2.2 Monte Carlo standard errors each), while the DiD,
which has region fixed effects, is unbiased. This benchmark looks at where that comes from,
in demo worlds without any effect (so every post-adoption gap is an error), for each of the
four 2020 pilots on ``oohc_per_1000``, with the pipeline's own fit
(:func:`aoresearch.impact._pilot_sc.fit_pilot_sc`: size class, nearest-path donors, penalised
weights over the ``impact.pre_years`` years before adoption):

* ``pre_gap``: the mean in-sample gap (pilot minus synthetic) over the fit window. A convex
  combination of donors cannot reach a pilot above its donors, and the penalty pulls the
  weights toward the nearest donors, so a positive mean here is a level the fit misses.
* ``post_gap``: the mean gap over the post-adoption years, the pipeline's average effect.
* ``post_minus_pre``: the post gap less the fit window's mean gap, i.e. the synthetic control
  with an intercept (the demeaned synthetic control of Ferman & Pinto 2021, Quantitative
  Economics 12(4); the unit fixed effect of synthetic DiD, Arkhangelsky et al. 2021, AER
  111(12)), here with the pipeline's weights, not refitted.
* ``backtest_mean``: the mean signed relative error of the pilot's own backtests (h-year
  averages), which the interval's root mean square already counts as error.
* ``icpt_post_gap``, ``icpt_backtest_mean``: the same two for the pipeline's fit with
  ``impact.intercept: true`` (:func:`aoresearch.impact._sc_weights.intercept_shift`: the main
  fit and every backtest shifted by its own fit window's mean gap), fitted directly; the
  weights are those of the fit without the intercept, so ``icpt_post_gap`` equals
  ``post_minus_pre`` up to rounding, and ``icpt_backtest_mean`` is what the intervals then see.

The first four are always those of the fit without the intercept, whatever params.yaml says.

Per-pilot calibration, without and with the intercept: ``covered`` / ``icpt_covered`` (the
pipeline's 95% interval of the average effect, from the pilot's backtests, contains the true
0) and ``rejected`` / ``icpt_rejected`` (its p-value is below alpha), each a share of worlds.

Each with its mean, Monte Carlo standard error (worlds are independent) and standard
deviation; "all four" averages the pilots within a world first. Seeds ``--seed + i``, default
1900001.., used by no test and no other benchmark.

Run: ``.venv/bin/python benchmarks/sc_level_miss.py [--datasets 200] [--seed 1900001] [--out PATH]``
(writes ``benchmarks/results/sc_level_miss.json`` unless ``--out``; about 5 CPU seconds per
world). Seeds 2300001.. were used for the intercept comparison.
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
from joblib import Parallel, delayed

sys.path.insert(0, str(Path(__file__).resolve().parent))
import impact_quality as iq  # noqa: E402  (setup and worlds of the quality benchmark)

OUT = Path(__file__).resolve().parent / "results" / "sc_level_miss.json"
MEASURES = ("pre_gap", "post_gap", "post_minus_pre", "backtest_mean", "icpt_post_gap", "icpt_backtest_mean")
CALIBRATION = ("covered", "icpt_covered", "rejected", "icpt_rejected")


def world_rows(seed: int) -> list[dict]:
    """One row per 2020 pilot of one null world."""
    iq._quiet()
    from aoresearch.impact._pilot_sc import fit_pilot_sc
    from aoresearch.impact.evaluate import sc_inputs
    from aoresearch.panel.stage import make_panel
    from aoresearch.sources.demo import generate_demo

    s = iq._setup((iq.HEADLINE,))
    params = s.params
    config, icpt_config = replace(s.config, intercept=False), replace(s.config, intercept=True)
    demo = replace(params.data.demo, categories=tuple(iq.PANELS.values()), effect=dict.fromkeys(params.data.demo.effect, 0.0))
    raw = generate_demo(s.catalogue, params.data.years, params.pilots, demo, seed)
    panels = {name: make_panel(raw, s.catalogue, s.validation_params, name) for name in iq.PANELS}
    rows = []
    for pilot in s.pooled:
        inputs = sc_inputs(panels[pilot.category], pilot, params.pilots, iq.HEADLINE, config)
        run = fit_pilot_sc(inputs.Y, inputs.frame, pilot.region, pilot.adoption_year, iq.HEADLINE, config, seed)
        gap, synthetic = run.sc.gap_, run.sc.synthetic_
        post = gap.index >= pilot.adoption_year
        window = (~post) & (gap.index >= pilot.adoption_year - config.pre_years)
        level = float(synthetic[post].mean())
        pre_gap, post_gap = float(gap[window].mean()), float(gap[post].mean())
        icpt = fit_pilot_sc(inputs.Y, inputs.frame, pilot.region, pilot.adoption_year, iq.HEADLINE, icpt_config, seed)
        icpt_level = float(icpt.sc.synthetic_[post].mean())
        rows.append({"seed": seed, "pilot": pilot.key, "level": level, "pre_gap": pre_gap, "post_gap": post_gap,
                     "post_minus_pre": post_gap - pre_gap,
                     "backtest_mean": _backtest_mean(run.backtests, int(post.sum()), level),
                     "icpt_pre_gap": float(icpt.sc.gap_[window].mean()), "icpt_post_gap": float(icpt.sc.gap_[post].mean()),
                     "icpt_backtest_mean": _backtest_mean(icpt.backtests, int(post.sum()), icpt_level),
                     **_calibration(run, int(post.sum()), level, post_gap, config, ""),
                     **_calibration(icpt, int(post.sum()), icpt_level, float(icpt.sc.gap_[post].mean()), config, "icpt_")})
    return rows


def _calibration(run, h: int, level: float, estimate: float, config, prefix: str) -> dict:
    """Does the pipeline's interval of the average effect (``_sc_effects``) cover the true 0, and is 0 rejected?"""
    inference = run.backtests.average(h, config.min_backtests).scaled(level)
    if not inference.usable:
        return {f"{prefix}covered": np.nan, f"{prefix}rejected": np.nan}
    lower, upper = inference.interval(estimate, config.alpha)
    return {f"{prefix}covered": float(lower <= 0 <= upper), f"{prefix}rejected": float(inference.p_value(estimate) < config.alpha)}


def _backtest_mean(backtests, h: int, level: float) -> float:
    """Mean signed relative error of the complete h-year backtest averages, times ``level``."""
    relative = backtests.relative[:, :h]
    complete = np.isfinite(relative).all(axis=1)
    return float(relative[complete].mean(axis=1).mean() * level) if complete.any() else np.nan


def summarise(rows: pd.DataFrame) -> list[dict]:
    groups = [(pilot, part) for pilot, part in rows.groupby("pilot", sort=True)]
    groups.append(("all four", rows.groupby("seed")[["level", *MEASURES, *CALIBRATION]].mean().reset_index()))
    out = []
    for pilot, part in groups:
        entry = {"pilot": pilot, "worlds": int(len(part)), "mean_level": float(part["level"].mean())}
        for measure in MEASURES:
            values = part[measure].dropna()
            entry[measure] = {"mean": float(values.mean()), "mcse": float(values.std() / np.sqrt(len(values))),
                              "sd": float(values.std()), "mean_pct_of_level": float(100 * values.mean() / part["level"].mean())}
        for measure in CALIBRATION:  # shares of worlds ("all four": of all four pilots' tests, clustered by world)
            values = part[measure].dropna()
            entry[measure] = {"share": float(values.mean()), "mcse": float(values.std() / np.sqrt(len(values))), "n": int(len(values))}
        out.append(entry)
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=int, default=200, help="null worlds")
    parser.add_argument("--seed", type=int, default=1_900_001, help="first seed")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT, help="result JSON (default benchmarks/results/sc_level_miss.json)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    task = world_rows if __name__ != "__main__" else __import__(Path(__file__).stem).world_rows  # by reference in workers
    jobs = Parallel(n_jobs=args.n_jobs, return_as="generator_unordered")(delayed(task)(args.seed + i) for i in range(args.datasets))
    rows = pd.DataFrame([r for world in iq._progress(jobs, args.datasets) for r in world]).sort_values(["seed", "pilot"])
    summary = summarise(rows)
    result = {"benchmark": "level miss of the synthetic control and the bias it leaves (null worlds, oohc_per_1000)",
              "command": f".venv/bin/python benchmarks/sc_level_miss.py --datasets {args.datasets} --seed {args.seed}"
                         + (f" --out {args.out}" if args.out.resolve() != OUT.resolve() else ""),
              "units": "per 1,000 children (rate units); mean_pct_of_level: the mean over the mean post-period synthetic level",
              "seconds": round(time.perf_counter() - start, 1), "pilots": summary}
    result["max_abs_icpt_pre_gap"] = float(rows["icpt_pre_gap"].abs().max())
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for entry in summary:
        print(f"{entry['pilot']:>22} (level {entry['mean_level']:.1f}): "
              + "; ".join(f"{m} {entry[m]['mean']:+.3f} ± {2 * entry[m]['mcse']:.3f} (sd {entry[m]['sd']:.2f})" for m in MEASURES)
              + "; " + "; ".join(f"{m} {entry[m]['share']:.3f} ± {2 * entry[m]['mcse']:.3f}" for m in CALIBRATION))
    print(result["seconds"], "s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
