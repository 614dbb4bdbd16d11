"""Benchmark (issue 15): the test suite's small-world pipeline, two variants alternated.

The end-to-end tests (``tests/pipeline``) run ``dvc repro`` in a copy of the repository whose
params.yaml describes a small world (``SMALL_WORLD``, ``SMALL_WORLD_PILOTS`` in
``tests/pipeline/conftest.py``). Every stage of that world reruns, whatever dvc.lock says. Two
comparisons (``--compare``):

- ``lock``: the copy with the committed dvc.lock, which records the full-size world (DVC reads
  and rewrites that whole 3,700-line file after every stage, ``benchmarks/dvc_lock_rewrite.py``),
  against none: the lock grows from nothing as the stages run (what the tests now do).
  Result: ``benchmarks/results/test_world_pipeline.json``.
- ``workers``: ``validation.n_jobs`` and ``impact.n_jobs`` at the pipeline's 2 (params.yaml, what
  the tests do) against 1, to see whether the tests should run these stages in one process as
  they run the factor stages (``factors.n_jobs: 1``). Result:
  ``benchmarks/results/test_world_workers.json``: 2 alternated rounds (stop 31): CPU median
  146.0 -> 140.0 s, wall 130.5 -> 134.9 s, outputs identical. The validation workers are forked
  from a server that imported Great Expectations once, so one process saves little CPU and
  costs wall time; the tests keep the pipeline's workers.

This runs the small world's ``dvc repro`` from nothing in fresh copies, alternating the two
variants, and reports the wall time, the time per stage and the CPU time of DVC and every stage
process. The outputs must not depend on the variant: every output hash of every run is compared
with the first run's.

Run: `.venv/bin/python benchmarks/test_world_pipeline.py [--compare lock|workers] [--rounds 2]
[--out FILE]`. Each run takes about 2.5-3 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "pipeline"))
from _repo_copy import REPO  # noqa: E402
from pipeline import import_s, output_hashes, repro_by_stage  # noqa: E402
from conftest import SMALL_WORLD, SMALL_WORLD_PILOTS, RepoCopy  # noqa: E402

# Per comparison: its two variants (the alternative tried second) and the result file.
COMPARISONS = {
    "lock": (("committed_lock", "no_lock"), "test_world_pipeline.json"),
    "workers": (("two_workers", "one_process"), "test_world_workers.json"),  # not adopted (docstring)
}
ONE_PROCESS = {"validation.n_jobs": 1, "impact.n_jobs": 1}


def small_world_copy(root: Path, variant: str = "no_lock") -> RepoCopy:
    """The tests' copy (tests/pipeline/conftest.py) at ``root``; ``committed_lock``: with the
    committed dvc.lock copied in, as the copy had it before; ``one_process``: validation and
    impact without worker processes."""
    copy = RepoCopy(REPO, root)
    copy.set_params(**SMALL_WORLD)
    pilots = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))["pilots"]
    copy.set_params(pilots={key: pilots[key] for key in SMALL_WORLD_PILOTS})
    if variant == "committed_lock":
        shutil.copy2(REPO / "dvc.lock", root / "dvc.lock")
    if variant == "one_process":
        copy.set_params(**ONE_PROCESS)
    return copy


def one_run(variant: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="aoresearch-bench-") as tmp:
        copy = small_world_copy(Path(tmp), variant)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        total, stages = repro_by_stage(copy.root)  # its stages import the copy's src (PYTHONPATH)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        hashes = output_hashes(copy.root / "dvc.lock")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"pipeline_s": round(total, 2), "cpu_s": round(cpu, 2), "stages_s": stages, "hashes": hashes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compare", choices=sorted(COMPARISONS), default="lock", help="which two variants")
    parser.add_argument("--rounds", type=int, default=2, help="pairs of runs, the two variants alternated")
    parser.add_argument("--out", type=Path, help="result file (default: benchmarks/results/, per comparison)")
    args = parser.parse_args(argv)
    variants, result_name = COMPARISONS[args.compare]
    out = args.out or REPO / "benchmarks" / "results" / result_name
    imports = [import_s()]
    runs: dict[str, list[dict]] = {v: [] for v in variants}
    for round_ in range(args.rounds):
        order = variants if round_ % 2 == 0 else variants[::-1]
        for variant in order:
            runs[variant].append(one_run(variant))
            print(variant, runs[variant][-1]["pipeline_s"], "s", flush=True)
    imports.append(import_s())
    # The small world's outputs: a run with the committed lock also keeps the stale entries of the
    # stages the small world does not have (e.g. the other pilots'), which are not compared.
    reference = runs[variants[1]][0]["hashes"]
    differing = sorted({p for rs in runs.values() for r in rs for p in reference if r["hashes"].get(p) != reference[p]})
    summary = {}
    for variant, rs in runs.items():
        stage_names = rs[0]["stages_s"]
        summary[variant] = {
            "pipeline_s": [r["pipeline_s"] for r in rs],
            "pipeline_median_s": round(statistics.median(r["pipeline_s"] for r in rs), 2),
            "cpu_s": [r["cpu_s"] for r in rs],
            "cpu_median_s": round(statistics.median(r["cpu_s"] for r in rs), 2),
            "stage_median_s": {s: round(statistics.median(r["stages_s"].get(s, 0.0) for r in rs), 2) for s in stage_names},
        }
    first, second = variants
    result = {
        "benchmark": f"the test suite's small-world pipeline (tests/pipeline/conftest.py) from nothing, {first} and {second}, alternated",
        "command": "python benchmarks/test_world_pipeline.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "import_s_before_after": imports},
        "rounds": args.rounds,
        "stages": len(runs[second][0]["stages_s"]),
        "variants": summary,
        "saved_median_s": round(summary[first]["pipeline_median_s"] - summary[second]["pipeline_median_s"], 2),
        "saved_cpu_median_s": round(summary[first]["cpu_median_s"] - summary[second]["cpu_median_s"], 2),
        "outputs": len(reference),
        "outputs_differing_between_runs": differing,
    }
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
