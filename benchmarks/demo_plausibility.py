"""Does the demo generator stay inside the validation's value-dependent critical rules on the
worlds of ``benchmarks/impact_quality.py``?

The quality benchmark validates only every 10th world (Great Expectations costs ~15 s a world).
This benchmark generates every one of its worlds (same seeds and settings: municipalities and
wellbeing services counties, the service-model effect of params.yaml scaled per scenario as
there: ``quality.EFFECT_SCALE``, e.g. 0 for ``null`` and 3 for ``large``) and evaluates the
critical rules of the raw targets whose values depend on the random draws and of the panels,
with the pandas evaluation of ``tests/sources/demo_expectations.py`` that reads the very
expectation objects the suites build. It records, per world, the failed rules, and the largest
year-on-year change of a percentage (the rule ``raw_percent_changes.percent_change_plausible``,
bound ``validation.max_percent_change``), with the indicator, region and size behind it.

Run: ``.venv/bin/python benchmarks/demo_plausibility.py [--datasets 200] [--scenarios ...] [--n-jobs 2]``
(writes ``benchmarks/results/demo_plausibility.json``; a few CPU seconds per world).

Until generator version 4 this benchmark gave every scenario but ``null`` the unscaled effect of
params.yaml (the ``large`` and ``harmful`` scenarios differed from ``effect`` only by their seeds).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "benchmarks"), str(REPO / "tests" / "sources")]

import impact_quality as quality  # noqa: E402 - the quality benchmark's seeds and settings
from joblib import Parallel, delayed  # noqa: E402
from demo_expectations import critical_failures  # noqa: E402

from aoresearch.panel.stage import make_panel  # noqa: E402
from aoresearch.sources.demo import generate_demo  # noqa: E402
from aoresearch.sources.demo.generate import GENERATOR_VERSION  # noqa: E402
from aoresearch.validation import derived, panel_targets, raw_targets, validation_config  # noqa: E402
from aoresearch.validation.report import CRITICAL, severity_of  # noqa: E402
from aoresearch.validation.rules import Target, is_count, is_percent  # noqa: E402

OUT = REPO / "benchmarks" / "results" / "demo_plausibility.json"
VALUE_DEPENDENT = {"raw_percent_changes", "raw_count_changes", "raw_counts", "raw_ratios", "raw_observations"}


def _raw_frames(obs, catalogue, config) -> dict:
    populations = [i.raw_id for i in catalogue.indicators if i.role == "denominator" and is_count(i)]
    percents = [i.raw_id for i in catalogue.indicators if is_percent(i) and i.value_column == "value"]
    return {
        "raw_observations": obs,
        "raw_counts": derived.count_values(obs, catalogue),
        "raw_ratios": derived.raw_ratios(obs, catalogue),
        "raw_count_changes": derived.count_changes(obs, catalogue, populations, config.change_base),
        "raw_percent_changes": derived.percent_changes(obs, catalogue, percents),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=int, default=200, help="worlds per scenario (the quality benchmark's default)")
    parser.add_argument("--scenarios", nargs="+", choices=sorted(quality.SCENARIOS), default=list(quality.SCENARIOS),
                        help="which of the quality benchmark's scenarios (default: all four)")
    parser.add_argument("--n-jobs", type=int, default=2, help="joblib processes (default 2)")
    parser.add_argument("--out", type=Path, default=OUT, help="result JSON")
    args = parser.parse_args(argv)
    quality._quiet()
    tasks = [(name, seed) for name in args.scenarios
             for seed in range(quality.SCENARIOS[name] + 1, quality.SCENARIOS[name] + args.datasets + 1)]
    start = time.perf_counter()
    check = _check_world
    if check.__module__ == "__main__":  # workers unpickle it by reference from this file imported as a module
        import importlib

        check = importlib.import_module(Path(__file__).stem)._check_world
    worlds = list(Parallel(n_jobs=args.n_jobs)(delayed(check)(name, seed) for name, seed in tasks))
    return _summarise(args, worlds, start)


@lru_cache(maxsize=1)
def _context():
    """Setup, validation config and the critical value-dependent raw rules (once per process)."""
    setup = quality._setup(None)
    params, catalogue = setup.params, setup.catalogue
    config = validation_config(setup.validation_params)
    probe = generate_demo(catalogue, params.data.years, params.pilots, _demo(params, "null"), quality.SCENARIOS["null"] + 1)
    rules = {t.name: t.expectations for t in raw_targets(probe, catalogue, config)
             if t.name in VALUE_DEPENDENT and any(severity_of(e.meta) == CRITICAL for e in t.expectations)}
    return setup, config, rules


def _demo(params, scenario: str):
    effect = {k: quality.EFFECT_SCALE[scenario] * float(v) for k, v in params.data.demo.effect.items()}
    return replace(params.data.demo, categories=tuple(quality.PANELS.values()), effect=effect)


def _check_world(scenario: str, seed: int) -> dict:
    quality._quiet()
    setup, config, rules = _context()
    params, catalogue = setup.params, setup.catalogue
    raw = generate_demo(catalogue, params.data.years, params.pilots, _demo(params, scenario), seed)
    frames = _raw_frames(raw.observations, catalogue, config)
    targets = [Target(name, frames[name], rules[name]) for name in rules]
    for name in quality.PANELS:
        targets += panel_targets(name, make_panel(raw, catalogue, setup.validation_params, name), catalogue, config)
    worst = frames["raw_percent_changes"].sort_values("change_points").iloc[-1]
    return {"scenario": scenario, "seed": seed, "failed": sorted({f.split(":")[0] for f in critical_failures(targets)}),
            "largest_percent_change": {"points": round(float(worst["change_points"]), 1),
                                       "indicator": catalogue.by_raw_id(int(worst["indicator"])).key,
                                       "region": int(worst["region"]), "year": int(worst["year"])}}


def _summarise(args, worlds: list[dict], start: float) -> int:
    _, config, _ = _context()
    failed = [w for w in worlds if w["failed"]]
    changes = sorted(w["largest_percent_change"]["points"] for w in worlds)
    command = f".venv/bin/python benchmarks/demo_plausibility.py --datasets {args.datasets}"
    if list(args.scenarios) != list(quality.SCENARIOS):
        command += f" --scenarios {' '.join(args.scenarios)}"
    result = {
        "benchmark": "demo_plausibility", "command": command + (f" --out {args.out}" if args.out.resolve() != OUT.resolve() else ""),
        "generator_version": GENERATOR_VERSION,
        "seeds": {name: [quality.SCENARIOS[name] + 1, quality.SCENARIOS[name] + args.datasets] for name in args.scenarios},
        "effect_scale": {name: quality.EFFECT_SCALE[name] for name in args.scenarios},
        "worlds": len(worlds), "worlds_with_critical_failure": len(failed),
        "failures": failed, "max_percent_change_bound": config.max_percent_change,
        "largest_percent_change": {"max": changes[-1], "median": changes[len(changes) // 2]},
        "worst_world": max(worlds, key=lambda w: w["largest_percent_change"]["points"]),
        "seconds": round(time.perf_counter() - start, 1), "n_jobs": args.n_jobs,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "failures"}, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
