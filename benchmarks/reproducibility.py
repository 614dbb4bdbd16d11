"""Byte-identical reruns: the DVC pipeline run twice from nothing, every output hash compared.

Runs `dvc repro` (all stages, or only ``--targets``) in two fresh copies of the repository
(each stage's library code imported from its own copy) and reports, for every output listed
in the committed dvc.lock,
- whether its hash is the same in both runs (target: every output),
- whether it equals the hash in the committed dvc.lock,
and for a differing folder output the files inside it that differ between the runs.

Run: `.venv/bin/python benchmarks/reproducibility.py [--targets STAGE ...]`
(writes benchmarks/results/reproducibility.json; about twice the pipeline's time).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _repo_copy import REPO, copy_repository, environment, temporary_copy  # noqa: E402
from pipeline import output_hashes  # noqa: E402

DVC = str(Path(sys.executable).parent / "dvc")


def file_hashes(root: Path, output: str) -> dict[str, str]:
    """{relative file path: md5} of one output (a file or every file of a folder)."""
    path = root / output
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
    return {p.relative_to(root).as_posix(): hashlib.md5(p.read_bytes()).hexdigest() for p in files}


def run_once(root: Path, targets: list[str]) -> tuple[dict[str, str], dict[str, dict[str, str]], float]:
    """Run `dvc repro` in ``root``; return the lock's output hashes, per-file hashes and seconds."""
    env = {**environment(), "PYTHONPATH": str(root / "src")}
    (root / "dvc.lock").unlink(missing_ok=True)  # from nothing: only the stages run here are recorded
    start = time.perf_counter()
    result = subprocess.run([DVC, "repro", *targets], cwd=root, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"dvc repro failed in {root}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    hashes = output_hashes(root / "dvc.lock")
    return hashes, {out: file_hashes(root, out) for out in hashes}, seconds


def compare(committed: dict[str, str], runs: list[dict[str, str]], files: list[dict[str, dict[str, str]]]) -> dict:
    """Per output of the committed dvc.lock: same across runs, same as committed, differing files."""
    outputs = {}
    for out in sorted(committed):
        hashes = [run.get(out) for run in runs]
        across = hashes[0] is not None and len(set(hashes)) == 1
        entry = {"same_across_runs": across, "same_as_committed": across and hashes[0] == committed[out]}
        if hashes[0] is not None and not across:
            first, second = files[0][out], files[1][out]
            entry["differing_files"] = sorted(f for f in set(first) | set(second) if first.get(f) != second.get(f))
        if hashes[0] is None:
            entry["not_run"] = True
        outputs[out] = entry
    return outputs


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", nargs="*", default=[], help="stages to reproduce (default: all)")
    args = parser.parse_args(argv)
    committed = output_hashes(REPO / "dvc.lock")
    runs, files, seconds = [], [], []
    for _ in range(2):
        with temporary_copy() as tmp:
            hashes, per_file, took = run_once(copy_repository(Path(tmp)), args.targets)
        runs.append(hashes)
        files.append(per_file)
        seconds.append(round(took, 1))
    outputs = compare(committed, runs, files)
    ran = {k: v for k, v in outputs.items() if not v.get("not_run")}
    identical = sorted(k for k, v in ran.items() if v["same_across_runs"])
    as_committed = sorted(k for k, v in ran.items() if v["same_as_committed"])
    result = {
        "benchmark": "dvc repro twice from nothing in fresh copies; output hashes compared (issue 14)",
        "machine": {"cpus": os.cpu_count()},
        "targets": args.targets or "all stages",
        "repro_s": seconds,
        "outputs": len(ran),
        "identical_across_runs": len(identical),
        "equal_to_committed_dvc_lock": len(as_committed),
        "differing_across_runs": {k: v.get("differing_files", []) for k, v in ran.items() if not v["same_across_runs"]},
        "different_from_committed_dvc_lock": sorted(set(ran) - set(as_committed)),
        "outputs_detail": outputs,
    }
    out = REPO / "benchmarks" / "results" / "reproducibility.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"{len(identical)} of {len(ran)} outputs identical across the two runs; "
          f"{len(as_committed)} of {len(ran)} equal to the committed dvc.lock")
    for name, differing in result["differing_across_runs"].items():
        print(f"  differs between runs: {name}" + (f" ({', '.join(differing[:5])}{' ...' if len(differing) > 5 else ''})" if differing else ""))
    for name in result["different_from_committed_dvc_lock"]:
        print(f"  differs from dvc.lock: {name}")
    return 0 if len(identical) == len(ran) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
