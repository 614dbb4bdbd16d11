"""Helpers of the validation tests: a Sotkanet-format extract on disk and the stage entry
scripts run as subprocesses (ingest with the file source, then validate raw)."""

from __future__ import annotations

import gzip
import importlib.util
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[2]
PILOT_REGIONS = (378, 261, 972, 964, 965)
YEARS = (2012, 2024)


def _load_repo_copy():
    spec = importlib.util.spec_from_file_location("_pipeline_conftest", REPO / "tests" / "pipeline" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.RepoCopy


RepoCopy = _load_repo_copy()


def write_extract(folder: Path, obs: pd.DataFrame, regions: pd.DataFrame) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / "observations.csv.gz", "wt", encoding="utf-8", newline="") as handle:
        obs.to_csv(handle, index=False)
    regions.to_csv(folder / "regions.csv", index=False)
    documented = REPO.parent / "shared" / "data" / "sotkanet" / "indicators.csv"
    if documented.is_file():  # which ids the extract holds: the others are not expected from it
        shutil.copyfile(documented, folder / "indicators.csv")
    return folder


def write_params(path: Path, extract: Path) -> Path:
    document = yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))
    document["data"]["source"] = "file"
    document["data"]["file"]["path"] = str(extract)
    document["data"]["years"] = {"start": YEARS[0], "end": YEARS[1]}
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class StageRun:
    step: str
    returncode: int
    stderr: str


def run_stages(workdir: Path, extract: Path, gx: Path = REPO / "gx") -> StageRun:
    """Run ingest then validate raw (entry scripts, subprocesses) with the stored project ``gx``;
    return the first failing step."""
    params = write_params(workdir / "params.yaml", extract)
    common = ["--params", str(params), "--catalogue", str(REPO / "src/aoresearch/resources/indicators.yaml")]
    steps = {
        "ingest": [sys.executable, str(REPO / "pipelines/ingest.py"), *common, "--out", str(workdir / "raw")],
        "validate": [
            sys.executable, str(REPO / "pipelines/validate.py"), "raw", *common, "--gx", str(gx),
            "--raw", str(workdir / "raw"), "--docs", str(workdir / "docs"), "--metrics", str(workdir / "metrics.json"),
            "--summary", str(workdir / "summary.json"),
        ],
    }
    for step, command in steps.items():
        result = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
        if result.returncode != 0:
            return StageRun(step, result.returncode, result.stderr)
    return StageRun("done", 0, result.stderr)
