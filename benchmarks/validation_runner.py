"""Benchmark (issue 15): the validate stages with and without storing unchanged suites again.

Before each Checkpoint the runner puts the suite rendered for the current params (with the hand
edits of the stored one) into the run's copy of gx/. Great Expectations' ``add_or_update`` does
that by searching the stored expectations for each new one, quadratic in the expectations. The
runner now skips it when the rendering is what is stored (``runner._stores_the_same``). This
runs ``pipelines/validate.py raw`` and ``... panels`` as the DVC stages do (params.yaml as it
is, ``validation.n_jobs`` included), on the pipeline's data in data/ (run `make repro` first),
once as it is and once with the skip switched off (``_stores_the_same`` patched to answer no),
pair by pair in alternating order. Outputs (Data Docs, metrics, summary, marker) go to
temporary folders; the benchmark fails unless every run's outputs are byte-identical to the
first run's.

Run: `.venv/bin/python benchmarks/validation_runner.py [--pairs 3]` (writes
benchmarks/results/validation_runner.json).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _results import machine, write_result  # noqa: E402
from validation_workers import REPO, alternated_runs, run_stage  # noqa: E402

VARIANTS = ("skip_unchanged", "always_store")
# The stage's own entry point, with the skip switched off first (the workers are forked: they inherit it).
ALWAYS_STORE = ("import runpy, sys; from aoresearch.validation import runner; "
                "runner._stores_the_same = lambda suite, stored: False; "
                "sys.argv = sys.argv[1:]; sys.path.insert(0, 'pipelines'); runpy.run_path(sys.argv[0], run_name='__main__')")


def _run(variant: str, what: str, work: Path, keep: Path) -> float:
    return run_stage(what, work, keep, interpreter_args=["-c", ALWAYS_STORE] if variant == "always_store" else [])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "validation_runner.json")
    args = parser.parse_args(argv)
    times, identical = alternated_runs(args.pairs, VARIANTS, lambda what, variant, work, keep: _run(variant, what, work, keep))
    medians = {what: {v: statistics.median(t) for v, t in by_v.items()} for what, by_v in times.items()}
    result = {
        "benchmark": "validate stages (params.yaml as it is), unchanged suites not stored again against always "
                     "stored (add_or_update), alternated pairs, demo data",
        "command": "python benchmarks/validation_runner.py " + " ".join(argv),
        "machine": machine(),
        "runs_s": times,
        "median_s": medians,
        "saved_median_s": {what: round(m["always_store"] - m["skip_unchanged"], 2) for what, m in medians.items()},
        "outputs_identical": identical,
    }
    write_result(args.out, result)
    print(json.dumps(result["median_s"]), "identical outputs:", identical)
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
