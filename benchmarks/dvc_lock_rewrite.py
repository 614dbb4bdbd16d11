"""Benchmark (issue 15): what DVC's rewrite of dvc.lock costs after every stage it runs.

After each stage, DVC reads dvc.lock in ruamel's round-trip mode (pure Python, keeps comments
and layout) and writes it back whole (``dvc.dvcfile.Lockfile.dump_stages``). This times DVC's
own two functions on the committed dvc.lock, and again without the ``pilots`` parameter
section that most stages list (the largest part of the file), to show what a smaller lock
would save. Multiplied by the number of stages, it is a floor of the pipeline's DVC overhead
that no stage's code can remove.

Run: `.venv/bin/python benchmarks/dvc_lock_rewrite.py [--repeats 5]` (writes
benchmarks/results/dvc_lock_rewrite.json).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

import yaml
from dvc.utils.serialize._yaml import _dump, parse_yaml_for_update

from _results import machine, write_result  # benchmarks/, the script's folder

REPO = Path(__file__).resolve().parents[1]


def rewrite_s(text: str, repeats: int) -> float:
    """Median seconds of one round-trip read and write of ``text``, as DVC does per stage."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        _dump(parse_yaml_for_update(text, "dvc.lock"), io.StringIO())
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--lock", type=Path, default=REPO / "dvc.lock")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "dvc_lock_rewrite.json")
    args = parser.parse_args(argv)
    text = args.lock.read_text(encoding="utf-8")
    lock = yaml.safe_load(text)
    stages = len(lock["stages"])
    for stage in lock["stages"].values():
        stage.get("params", {}).get("params.yaml", {}).pop("pilots", None)
    without_pilots = yaml.safe_dump(lock, sort_keys=False)
    full = rewrite_s(text, args.repeats)
    smaller = rewrite_s(without_pilots, args.repeats)
    result = {
        "benchmark": "DVC's round-trip rewrite of dvc.lock after each stage (median of repeats)",
        "machine": machine(),
        "stages": stages,
        "lock_lines": len(text.splitlines()),
        "rewrite_s": round(full, 3),
        "pipeline_rewrites_s": round(full * stages, 1),
        "without_pilots_lines": len(without_pilots.splitlines()),
        "without_pilots_rewrite_s": round(smaller, 3),
    }
    write_result(args.out, result)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
