"""Benchmark of the foundation stages (issue 2): ingest + panels on demo data.

Measures, in a fresh copy of the repository on this machine:
- wall time of `dvc repro ingest panel` from nothing (targets: < 60 s),
- wall time of a no-op `dvc repro` (median of 5; target < 5 s),
- peak resident memory of any stage process (target < 2 GB).

Run: `.venv/bin/python benchmarks/foundation.py` (writes benchmarks/results/foundation.json).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _repo_copy import REPO, copy_repository, peak_child_rss_mb, temporary_copy, timed  # noqa: E402

DVC = str(Path(sys.executable).parent / "dvc")
STAGES = ["ingest", "panel"]
TARGETS = {"pipeline_s": 60.0, "noop_s": 5.0, "peak_rss_mb": 2048.0}


def main() -> int:
    with temporary_copy() as tmp:
        root = copy_repository(Path(tmp))
        full = timed([DVC, "repro", *STAGES], root)
        noop = [timed([DVC, "repro", *STAGES], root) for _ in range(5)]
        peak = peak_child_rss_mb()
    result = {
        "benchmark": "foundation stages (ingest, panel x3) on synthetic demo data",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "pipeline_s": round(full, 2),
        "noop_s": round(statistics.median(noop), 2),
        "peak_rss_mb": round(peak, 1),
        "targets": TARGETS,
    }
    result["meets_targets"] = all(result[k] < v for k, v in TARGETS.items())
    out = REPO / "benchmarks" / "results" / "foundation.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0 if result["meets_targets"] else 1


if __name__ == "__main__":
    sys.exit(main())
