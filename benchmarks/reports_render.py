"""Benchmark of the report stages (issue 6): time to render every report on demo data.

Renders, one process each as the DVC stages do (`pipelines/render_report.py`, papermill with the
`aoresearch` kernel + nbconvert): the situation room, the risk-factor report, one impact report
per pilot in params.yaml, and the index. Targets: all reports < 180 s, each < 45 s.

Inputs are the pipeline's outputs in ./data when present (raw, panel, impact/<pilot>,
factors; run `make repro` first), otherwise contract-shaped impact and factor outputs written
from the demo ground truth (as the report tests do).

Run: `.venv/bin/python benchmarks/reports_render.py [--out FILE]` (default benchmarks/results/reports_render.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
TARGETS = {"total_s": 180.0, "each_s": 45.0}


def _workspace(root: Path) -> str:
    """Copy params, notebooks and scripts to ``root`` and provide data; returns where results came from."""
    for name in ("params.yaml", "notebooks", "pipelines"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
    document = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
    data = REPO / "data"
    complete = all((data / "impact" / key / "summary.json").is_file() for key in document["pilots"]) and \
        (data / "factors" / "forecast" / "factor_table.parquet").is_file()
    if complete:
        (root / "data").symlink_to(data)
        (root / "metrics").symlink_to(REPO / "metrics")
        (root / "reports" / "figures").mkdir(parents=True)
        (root / "reports" / "figures" / "factors").symlink_to(REPO / "reports" / "figures" / "factors")
        return "pipeline outputs in data/"
    sys.path.insert(0, str(REPO / "tests" / "reports"))
    from conftest import write_contract_factors, write_contract_impact  # noqa: PLC0415

    (root / "data").mkdir()
    for name in ("raw", "panel"):
        shutil.copytree(data / name, root / "data" / name)
    write_contract_impact(root / "data", document)
    write_contract_factors(root / "data", root / "reports" / "figures" / "factors", document)
    return "raw and panels from data/, impact and factor outputs contract-shaped from the demo ground truth"


def _timed(root: Path, script: str, *args: str) -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, str(root / "pipelines" / script), *args], cwd=root,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{script} {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "reports_render.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench_reports_") as tmp:
        root = Path(tmp)
        inputs = _workspace(root)
        pilots = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))["pilots"]
        jobs = [("situation_room", ("situation_room",)), ("risk_factors", ("risk_factors",))]
        jobs += [(f"impact_{key}", ("impact", "--pilot", key)) for key in pilots]
        seconds = {name: round(_timed(root, "render_report.py", *args), 2) for name, args in jobs}
        seconds["index"] = round(_timed(root, "render_index.py"), 2)
    total = round(sum(seconds.values()), 2)
    result = {
        "benchmark": "render every report (papermill + nbconvert, one process each) on synthetic demo data",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "inputs": inputs,
        "seconds": seconds,
        "total_s": total,
        "max_s": max(seconds.values()),
        "targets": TARGETS,
        "meets_targets": total < TARGETS["total_s"] and max(seconds.values()) < TARGETS["each_s"],
    }
    out = args.out
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0 if result["meets_targets"] else 1


if __name__ == "__main__":
    sys.exit(main())
