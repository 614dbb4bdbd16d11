"""The Great Expectations validation of the worlds ``benchmarks/impact_quality.py`` validates,
without its (much longer) evaluation: do they pass the critical rules?

Same seeds, settings and sample as the quality benchmark (scenarios effect and null, world ``i``
of ``--datasets`` validated when ``i % --validate-every == 0``), the same validation
(``impact_quality._validate``: the pipeline's stored raw and panel suites). Prints and writes,
per scenario, the worlds validated and failed and the failed critical rules with examples.

Run: ``.venv/bin/python benchmarks/impact_quality_validation.py [--datasets 200] [--validate-every 10]``
(writes ``benchmarks/results/impact_quality_validation.json``; about 30 CPU seconds per world).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from joblib import Parallel, delayed

sys.path.insert(0, str(Path(__file__).resolve().parent))
import impact_quality as iq  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "impact_quality_validation.json"


def validate_world(scenario: str, seed: int) -> dict:
    iq._quiet()
    from aoresearch.panel.stage import make_panel
    from aoresearch.sources.demo import generate_demo

    s = iq._setup(None)
    params = s.params
    effect = {k: iq.EFFECT_SCALE[scenario] * float(v) for k, v in params.data.demo.effect.items()}
    demo = replace(params.data.demo, categories=tuple(iq.PANELS.values()), effect=effect)
    raw = generate_demo(s.catalogue, params.data.years, params.pilots, demo, seed)
    panels = {name: make_panel(raw, s.catalogue, s.validation_params, name) for name in iq.PANELS}
    return {"scenario": scenario, "seed": seed, **iq._validate(raw, panels, s)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--validate-every", type=int, default=iq.VALIDATE_EVERY)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args(argv)
    tasks = [(name, iq.SCENARIOS[name] + i + 1) for name in iq.DEFAULT_SCENARIOS
             for i in range(0, args.datasets, args.validate_every)]
    start = time.perf_counter()
    task = validate_world if __name__ != "__main__" else __import__(Path(__file__).stem).validate_world
    worlds = sorted(Parallel(n_jobs=args.n_jobs)(delayed(task)(*t) for t in tasks), key=lambda w: (w["scenario"], w["seed"]))
    summary = {name: {"validated": sum(w["scenario"] == name for w in worlds),
                      "with_critical_failure": sum(w["scenario"] == name and w["critical_failures"] > 0 for w in worlds)}
               for name in iq.DEFAULT_SCENARIOS}
    rules: dict[str, list[int]] = {}
    for w in worlds:
        for label in sorted(set(w["critical"])):
            rules.setdefault(label, []).append(w["seed"])
    result = {"benchmark": "Great Expectations validation of the impact-quality benchmark's sampled worlds",
              "command": f".venv/bin/python benchmarks/impact_quality_validation.py --datasets {args.datasets} --validate-every {args.validate_every}",
              "seconds": round(time.perf_counter() - start, 1), "scenarios": summary,
              "critical_failures_by_rule": {k: {"worlds": len(v), "seeds": v[:10]} for k, v in sorted(rules.items())},
              "mean_expectations": sum(w["expectations"] for w in worlds) / len(worlds)}
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("scenarios", "critical_failures_by_rule", "seconds")}, indent=1))
    return 0 if not rules else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
