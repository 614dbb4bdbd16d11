"""Benchmark (issue 15): how long each stage script takes to start, before it does any work.

Every DVC stage is a new interpreter that imports its libraries before it reads a byte of data;
the pipeline starts 26 of them, the tests' small-world pipelines 22 each. This runs each script
of ``pipelines/`` with ``--help``: the interpreter starts, ``_entry`` checks params.yaml (and
restarts itself once with a fixed ``PYTHONHASHSEED``), the script imports everything it imports at
module level, argparse prints the usage and exits. That is each stage's fixed start-up cost.

With ``--other DIR`` (a checkout of another commit) the same scripts of that checkout run too,
with its own ``src`` first on ``PYTHONPATH``, alternated with this one's, so that the two are
compared in the same minutes. Best of ``--repeats`` per script.

Run: `.venv/bin/python benchmarks/stage_imports.py [--other /path/to/checkout] [--repeats 5]
[--out FILE]` (writes benchmarks/results/stage_imports.json; about a minute).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _results import machine, write_result  # noqa: E402
from _repo_copy import REPO, timed  # noqa: E402

# Each script, as the pipeline's stages run it (the report stages start their notebook kernels
# only when they render, so --help shows the script's own start).
SCRIPTS = ("check_params", "ingest", "validate", "build_panel", "pilot_regions", "impact", "impact_pooled",
           "render_report", "render_index", "associations", "forecast", "factor_figures", "scenarios")


def start_s(root: Path, script: str) -> float:
    """Seconds of ``python pipelines/<script>.py --help`` in checkout ``root`` (its own src)."""
    return timed([sys.executable, str(root / "pipelines" / f"{script}.py"), "--help"], root)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--other", type=Path, help="a checkout of another commit, measured alternately")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "stage_imports.json")
    args = parser.parse_args(argv)
    roots = {"this": REPO, **({"other": args.other.resolve()} if args.other else {})}
    runs: dict[str, dict[str, list[float]]] = {name: {s: [] for s in SCRIPTS} for name in roots}
    for script in SCRIPTS:
        start_s(REPO, script)  # warm the page cache of the script's libraries
        for round_ in range(args.repeats):
            for name in list(roots)[:: 1 if round_ % 2 == 0 else -1]:
                runs[name][script].append(round(start_s(roots[name], script), 3))
    best = {name: {s: min(t) for s, t in per.items()} for name, per in runs.items()}
    result = {
        "benchmark": "each stage script's start (python pipelines/<script>.py --help), best of the repeats",
        "command": "python benchmarks/stage_imports.py " + " ".join(argv),
        "machine": machine(),
        "roots": {name: str(root) for name, root in roots.items()},
        "best_s": best,
        "total_best_s": {name: round(sum(per.values()), 3) for name, per in best.items()},
        "runs_s": runs,
    }
    write_result(args.out, result)
    print(json.dumps({k: result[k] for k in ("best_s", "total_best_s")}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
