"""Benchmark (issue 15): the test suite's small-world pipeline, with and without a stale dvc.lock.

The end-to-end tests (``tests/pipeline``) run ``dvc repro`` in a copy of the repository whose
params.yaml describes a small world (``SMALL_WORLD``, ``SMALL_WORLD_PILOTS`` in
``tests/pipeline/conftest.py``). Every stage of that world reruns, whatever dvc.lock says. Until
now the copy carried the committed dvc.lock, which records the full-size world: DVC reads and
rewrites that whole 3,700-line file after every stage (``benchmarks/dvc_lock_rewrite.py``).
Without it, the lock grows from nothing as the stages run.

This runs the small world's ``dvc repro`` from nothing in fresh copies, alternating the two
variants (the committed dvc.lock copied in; no dvc.lock), and reports the wall time, the time
per stage and the CPU time of DVC and every stage process. The outputs must not depend on the
variant: every output hash of every run is compared with the first run's.

Run: `.venv/bin/python benchmarks/test_world_pipeline.py [--rounds 2] [--out FILE]`
(writes benchmarks/results/test_world_pipeline.json). Each run takes about 2.5-3 minutes.
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

VARIANTS = ("committed_lock", "no_lock")


def small_world_copy(root: Path, committed_lock: bool) -> RepoCopy:
    """The tests' copy (tests/pipeline/conftest.py) at ``root``; with ``committed_lock`` the
    committed dvc.lock copied in, as the copy had it before."""
    copy = RepoCopy(REPO, root)
    copy.set_params(**SMALL_WORLD)
    pilots = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))["pilots"]
    copy.set_params(pilots={key: pilots[key] for key in SMALL_WORLD_PILOTS})
    if committed_lock:
        shutil.copy2(REPO / "dvc.lock", root / "dvc.lock")
    return copy


def one_run(committed_lock: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="aoresearch-bench-") as tmp:
        copy = small_world_copy(Path(tmp), committed_lock)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        total, stages = repro_by_stage(copy.root)  # its stages import the copy's src (PYTHONPATH)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        hashes = output_hashes(copy.root / "dvc.lock")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"pipeline_s": round(total, 2), "cpu_s": round(cpu, 2), "stages_s": stages, "hashes": hashes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2, help="pairs of runs, the two variants alternated")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "test_world_pipeline.json")
    args = parser.parse_args(argv)
    imports = [import_s()]
    runs: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    for round_ in range(args.rounds):
        order = VARIANTS if round_ % 2 == 0 else VARIANTS[::-1]
        for variant in order:
            runs[variant].append(one_run(variant == "committed_lock"))
            print(variant, runs[variant][-1]["pipeline_s"], "s", flush=True)
    imports.append(import_s())
    # The small world's outputs: a run with the committed lock also keeps the stale entries of the
    # stages the small world does not have (e.g. the other pilots'), which are not compared.
    reference = runs["no_lock"][0]["hashes"]
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
    result = {
        "benchmark": "the test suite's small-world pipeline (tests/pipeline/conftest.py) from nothing, "
                     "with the committed dvc.lock and without one, alternated",
        "command": "python benchmarks/test_world_pipeline.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "import_s_before_after": imports},
        "rounds": args.rounds,
        "stages": len(runs["no_lock"][0]["stages_s"]),
        "variants": summary,
        "saved_median_s": round(summary["committed_lock"]["pipeline_median_s"] - summary["no_lock"]["pipeline_median_s"], 2),
        "outputs": len(reference),
        "outputs_differing_between_runs": differing,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
