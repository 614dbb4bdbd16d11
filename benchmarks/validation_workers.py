"""Benchmark (issue 15): the validate stages with ``validation.n_jobs`` 1 against 2, alternated.

Runs ``pipelines/validate.py raw`` and ``... panels`` as the DVC stages do, on the pipeline's
data in data/ (run `make repro` first), with params.yaml's ``validation.n_jobs`` set to 1 and
to 2 in a temporary copy of params.yaml, pair by pair in alternating order (this machine's
speed changes within minutes). Outputs (Data Docs, metrics, summary, marker) go to temporary
folders; the benchmark fails unless every run's outputs are byte-identical to the first run's.

Run: `.venv/bin/python benchmarks/validation_workers.py [--pairs 3]` (writes
benchmarks/results/validation_workers.json).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import yaml

from _results import machine, write_result  # benchmarks/, the script's folder

REPO = Path(__file__).resolve().parents[1]


def _params(folder: Path, n_jobs: int) -> Path:
    document = yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))
    document["validation"]["n_jobs"] = n_jobs
    path = folder / f"params_{n_jobs}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _run(what: str, params: Path, work: Path, keep: Path) -> float:
    return run_stage(what, work, keep, stage_args=["--params", str(params)])


def run_stage(what: str, work: Path, keep: Path, stage_args: list[str] = (), interpreter_args: list[str] = ()) -> float:
    """Run ``pipelines/validate.py what`` into ``work`` (the same path every run: outputs may name
    it), then move its outputs to ``keep``; ``interpreter_args`` come before the script (e.g. ``-c``)."""
    work.mkdir(parents=True)
    command = [sys.executable, *interpreter_args, "pipelines/validate.py", what, *stage_args, "--docs", str(work / "docs"),
               "--metrics", str(work / "metrics.json"), "--summary", str(work / "summary.json"), "--marker", str(work / "marker.json")]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    work.rename(keep)
    return elapsed


def _same_tree(a: Path, b: Path) -> bool:
    compared = filecmp.dircmp(a, b)
    if compared.left_only or compared.right_only or compared.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, compared.common_files, shallow=False)
    return not mismatch and not errors and all(_same_tree(a / d, b / d) for d in compared.common_dirs)


def alternated_runs(pairs: int, variants: tuple, run: Callable[[str, object, Path, Path], float]) -> tuple[dict, bool]:
    """``run(what, variant, work, keep)`` for both validate stages (``raw``, ``panels``) and each
    variant, pair by pair in alternating order (the first pair in the order given), outputs in a
    temporary folder. Returns the seconds per stage and variant, and whether every run's outputs
    were byte-identical to the first run's. Stops if the pipeline's data are not in data/."""
    if not (REPO / "data" / "panel" / "country.parquet").is_file():
        raise SystemExit("error: no pipeline data in data/; run `make repro` first.")
    times: dict[str, dict] = {w: {v: [] for v in variants} for w in ("raw", "panels")}
    identical = True
    with tempfile.TemporaryDirectory(prefix="bench_validation_") as tmp:
        root = Path(tmp)
        for pair in range(pairs):
            for what in ("raw", "panels"):
                for variant in (variants if pair % 2 == 0 else variants[::-1]):
                    out = root / f"{what}_{variant}_{pair}"
                    times[what][variant].append(round(run(what, variant, root / "work", out), 2))
                    identical &= _same_tree(root / f"{what}_{variants[0]}_0", out)  # pair 1 runs it first
                    print(f"pair {pair + 1}: {what:6s} {variant!s:14s}: {times[what][variant][-1]:6.2f} s", flush=True)
    return times, identical


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "validation_workers.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench_validation_params_") as folder:
        params = {n: _params(Path(folder), n) for n in (1, 2)}
        times, identical = alternated_runs(args.pairs, (1, 2), lambda what, n, work, keep: _run(what, params[n], work, keep))
    result = {
        "benchmark": "validate stages, validation.n_jobs 1 against 2, alternated pairs, demo data",
        "machine": machine(),
        "runs_s": {what: {str(n): t for n, t in by_n.items()} for what, by_n in times.items()},
        "median_s": {what: {str(n): statistics.median(t) for n, t in by_n.items()} for what, by_n in times.items()},
        "outputs_identical": identical,
    }
    write_result(args.out, result)
    print(json.dumps(result["median_s"]), "identical outputs:", identical)
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
