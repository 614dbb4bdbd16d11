"""Coverage and size of the pooled effect alone, on more demo worlds than ``impact_quality.py``
affords (issue 12: is the pooled intervals' over-coverage in the null worlds real?).

``benchmarks/impact_quality.py --datasets 200`` measured the pooled intervals' coverage in the
worlds without an effect at 0.975 (all four 2020 pilots, the two cities) and 0.990 (the two
counties), above the 93-97% criterion. With 200 worlds the Monte Carlo standard error of a
coverage near 0.95 is 1.5 points, so this benchmark repeats only the pooled part on independent
worlds, at about a third of the cost per world: for each world, the synthetic control of each
of the four 2020 pilots on ``oohc_per_1000`` (the pipeline's :func:`sc_inputs`,
:func:`fit_pilot_sc` and the effect rows and backtests that ``evaluate_outcome`` writes, without
its DiD and placebos, which pooling does not use), then the pipeline's
:func:`aoresearch.impact.pooling.pool_pilots` and the quality benchmark's own truth, coverage,
rejection and power-at-MDE bookkeeping (``impact_quality._pooled``, ``summarise_pooled``).

Seeds: null worlds ``--seed + i``, effect worlds ``--seed + 100000 + i`` (i = 0..N-1); the
default 1500001.. / 1600001.. is used neither by the tests nor by the other benchmarks (1300001.. /
1400001.. were used for a first, exploratory look at 150 worlds each: null coverage 0.960 / 0.940 / 0.960).
``--scenarios harmful`` (or ``large``) runs the quality benchmark's other effect sizes
(``impact_quality.EFFECT_SCALE``: the effect of params.yaml times -2 / 3), seeds ``--seed + 200000 + i``
/ ``--seed + 300000 + i``. ``--seed 2800001 --scenarios harmful`` (seeds 3000001..) checked, on
other worlds, the pooled effect's understatement of a harmful effect in the quality benchmark
(-1.83, MCSE 0.58, log points x 100): there -0.68 (MCSE 0.58, all four pilots).

``--intercept on|off`` replaces ``impact.intercept`` of params.yaml (the synthetic control with
or without an intercept, :func:`aoresearch.impact._sc_weights.intercept_shift`) in every fit;
without it the benchmark uses params.yaml's value. Seeds 2100001.. / 2200001.. were used to
compare the two (issue 12 follow-up), with ``--intercept on`` and ``--intercept off``.

Run: ``.venv/bin/python benchmarks/pooled_coverage.py [--datasets 150] [--seed 1500001] [--n-jobs 2] [--intercept on|off]``
(writes ``benchmarks/results/pooled_coverage.json``; about 2.5 CPU seconds per world).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
from joblib import Parallel, delayed

sys.path.insert(0, str(Path(__file__).resolve().parent))
import impact_quality as iq  # noqa: E402  (setup, truth and pooled bookkeeping of the quality benchmark)

OUT = Path(__file__).resolve().parent / "results" / "pooled_coverage.json"
EFFECT_SEED_OFFSET = 100_000
# First seed of each scenario's worlds: --seed plus this offset (null and effect as before).
SEED_OFFSETS = {"null": 0, "effect": EFFECT_SEED_OFFSET, "harmful": 200_000, "large": 300_000}


def setup(intercept: bool | None):
    """The quality benchmark's setup, with ``impact.intercept`` replaced unless ``intercept`` is None."""
    s = iq._setup((iq.HEADLINE,))
    return s if intercept is None else replace(s, config=replace(s.config, intercept=intercept))


def world_rows(scenario: str, seed: int, intercept: bool | None = None) -> list[dict]:
    """The pooled rows (one per group) of one world, as ``impact_quality._pooled`` records them."""
    iq._quiet()
    from scipy import stats

    from aoresearch.impact._pilot_sc import fit_pilot_sc
    from aoresearch.impact.evaluate import _backtest_table, _sc_effects, sc_inputs
    from aoresearch.panel.stage import make_panel
    from aoresearch.sources.demo import generate_demo

    s = setup(intercept)
    params, config = s.params, s.config
    effect = {k: iq.EFFECT_SCALE[scenario] * float(v) for k, v in params.data.demo.effect.items()}
    demo = replace(params.data.demo, categories=tuple(iq.PANELS.values()), effect=effect)
    raw = generate_demo(s.catalogue, params.data.years, params.pilots, demo, seed)
    panels = {name: make_panel(raw, s.catalogue, s.validation_params, name) for name in iq.PANELS}
    headline, problems = {}, []
    for pilot in s.pooled:
        inputs = sc_inputs(panels[pilot.category], pilot, params.pilots, iq.HEADLINE, config)
        run = fit_pilot_sc(inputs.Y, inputs.frame, pilot.region, pilot.adoption_year, iq.HEADLINE, config, seed)
        post = run.sc.gap_.index >= pilot.adoption_year
        observed = (run.sc.gap_ + run.sc.synthetic_)[post]
        headline[pilot.key] = SimpleNamespace(effects=_sc_effects(run, observed, iq.HEADLINE, config),
                                              backtests=_backtest_table(run, iq.HEADLINE))
    world = {"scenario": scenario, "seed": seed}
    return iq._pooled(s, panels, raw.ground_truth, headline, config, seed, world, False, problems, stats)


def scale_check(rows: pd.DataFrame) -> list[dict]:
    """Is the pooled interval's scale right, and its degrees of freedom? Per scenario and group:

    * ``se2_over_error2``: mean ``se_log**2`` over mean squared error of the log effect. A
      calibrated scale gives 1; above 1 the intervals are too wide on average.
    * ``cv2_se2`` against ``mean_2_over_dof``: the squared coefficient of variation of
      ``se_log**2`` across worlds, and what a scale with ``dof`` degrees of freedom has
      (``var(chi2_dof / dof) = 2 / dof``). Below it, the scale varies less than ``t(dof)``
      assumes and the intervals over-cover; above it, the worlds' scales differ beyond the
      estimation noise (worlds are not alike) or ``dof`` is too high.
    """
    out = []
    for (scenario, group), g in rows.groupby(["scenario", "group"], sort=True):
        g = g[g["se_log"].notna() & g["error_x100"].notna()]
        se2, error2 = g["se_log"] ** 2, (g["error_x100"] / 100) ** 2
        out.append({"scenario": scenario, "group": group, "n": len(g),
                    "se2_over_error2": float(se2.mean() / error2.mean()),
                    "cv2_se2": float(se2.var() / se2.mean() ** 2), "mean_2_over_dof": float((2 / g["dof"]).mean()),
                    "sd_error_over_se": float((g["error_x100"] / 100 / g["se_log"]).std())})
    return out


def read_rows(path: Path) -> pd.DataFrame:
    """Rows written by ``--rows`` (the scenario "null" must not be read as a missing value)."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=int, default=150, help="worlds per scenario")
    parser.add_argument("--seed", type=int, default=1_500_001, help="first null seed; effect worlds start at seed + 100000")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT, help="result JSON (default benchmarks/results/pooled_coverage.json)")
    parser.add_argument("--rows", type=Path, default=None, help="also write every pooled row (one per world and group) to this CSV")
    parser.add_argument("--from-rows", type=Path, default=None,
                        help="summarise the rows a previous run wrote with --rows (same --datasets and --seed) instead of computing them")
    parser.add_argument("--scenarios", nargs="+", choices=sorted(SEED_OFFSETS), default=["null", "effect"],
                        help="which worlds (default: null effect); seeds --seed + 0 / 100000 / 200000 / 300000 for "
                             "null / effect / harmful / large (impact_quality's EFFECT_SCALE)")
    parser.add_argument("--intercept", choices=("on", "off"), default=None,
                        help="replace params.yaml's impact.intercept (default: params.yaml's value)")
    args = parser.parse_args(argv)
    intercept = None if args.intercept is None else args.intercept == "on"
    start = time.perf_counter()
    tasks = [(name, args.seed + SEED_OFFSETS[name] + i) for name in args.scenarios for i in range(args.datasets)]
    if args.from_rows:
        rows = read_rows(args.from_rows)
        expected = {(name, seed) for name, seed in tasks}
        found = set(zip(rows["scenario"], rows["seed"]))
        if found != expected:
            parser.error(f"--from-rows {args.from_rows}: its worlds are not those of --datasets {args.datasets} --seed {args.seed} "
                         f"({len(found)} found, {len(expected)} expected, {len(found ^ expected)} differ)")
    else:
        task = world_rows if __name__ != "__main__" else __import__(Path(__file__).stem).world_rows  # by reference in workers
        results = Parallel(n_jobs=args.n_jobs, return_as="generator_unordered")(delayed(task)(*t, intercept) for t in tasks)
        rows = pd.DataFrame([r for world in iq._progress(results, len(tasks)) for r in world])
    config = setup(intercept).config
    summary = iq.summarise_pooled(rows, config.alpha)
    result = {"benchmark": "pooled effect of the four 2020 pilots: coverage, null rejection and power at the MDE",
              "command": f".venv/bin/python benchmarks/pooled_coverage.py --datasets {args.datasets} --seed {args.seed}"
                         + (f" --scenarios {' '.join(args.scenarios)}" if args.scenarios != ["null", "effect"] else "")
                         + (f" --intercept {args.intercept}" if args.intercept else "")
                         + (f" --out {args.out}" if args.out.resolve() != OUT.resolve() else ""),
              "intercept": config.intercept,
              "datasets_per_scenario": args.datasets,
              "seeds": {name: args.seed + SEED_OFFSETS[name] for name in args.scenarios},
              "criteria": {"coverage": list(iq.COVERAGE_RANGE), "null_rejection_max": iq.NULL_REJECTION_MAX,
                           "power_at_mde": list(iq.POWER_RANGE)},
              "seconds": None if args.from_rows else round(time.perf_counter() - start, 1),
              "summarised_from_rows": str(args.from_rows) if args.from_rows else None, "pooled": iq._records(summary),
              "scale_check": scale_check(rows), "scale_check_rule": scale_check.__doc__}
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.rows:
        rows.to_csv(args.rows, index=False)
    columns = ["scenario", "group", "n", "coverage", "coverage_mcse", "rejection_rate", "bias_x100", "mcse_x100", "mean_dof",
               "power_at_mde"]
    print(summary[[c for c in columns if c in summary]].round(3).to_string(index=False))
    print(pd.DataFrame(result["scale_check"]).round(3).to_string(index=False))
    print(f"{result['seconds']} s" if result["seconds"] is not None else f"summarised from {args.from_rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
