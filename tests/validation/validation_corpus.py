"""Helpers of the validation tests: a Sotkanet-format extract on disk, the stage entry scripts
run as subprocesses (ingest with the file source, then validate raw: :func:`run_stages`), and
the same two steps through the library in this process (:func:`run_library`), which spares the
two interpreters and the Great Expectations import (about 12 s of CPU without compiled
bytecode) of each run."""

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

from aoresearch.catalogue import load_catalogue
from aoresearch.config import load_params
from aoresearch.errors import AoresearchError, ValidationFailedError
from aoresearch.sources.ingest import ingest_to_folder
from aoresearch.sources.raw import read_raw

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = REPO / "src/aoresearch/resources/indicators.yaml"
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
    common = ["--params", str(params), "--catalogue", str(CATALOGUE)]
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


@dataclass
class LibraryRun:
    """What :func:`run_library` saw: the step that stopped (``ingest``, ``validate``, or ``done``),
    the error's message (what the entry script prints after ``error: ``; for ``validate`` one line
    per failed critical expectation) and one line per failed expectation, critical or warning
    (the validate stage prints the critical ones in its error and logs the warnings)."""

    step: str
    error: str
    failures: str = ""

    @property
    def text(self) -> str:
        """Everything the two steps report about the data: what the stages write to stderr."""
        return f"{self.error}\n{self.failures}"

    def line(self, rule: str) -> str:
        """The error's line of the failed critical expectation ``rule``."""
        return next(l for l in self.error.splitlines() if f"[{rule}]" in l)


def run_library(workdir: Path, extract: Path, gx: Path = REPO / "gx") -> LibraryRun:
    """What :func:`run_stages` runs, in this process: the params it writes, the ingest of the
    file source to ``workdir/raw`` (:func:`~aoresearch.sources.ingest.ingest_to_folder`), then
    validate raw on the data read back from there, with the stored project ``gx``. An error of
    the library stops the step, as the entry scripts' ``run`` does (exit code 1)."""
    from aoresearch.validation import load_site_config, validate_raw, validation_config

    params, catalogue = load_params(write_params(workdir / "params.yaml", extract)), load_catalogue(CATALOGUE)
    try:
        ingest_to_folder(params, catalogue, workdir / "raw")
    except AoresearchError as exc:
        return LibraryRun("ingest", str(exc))
    site = load_site_config(gx, "raw", workdir / "docs")
    report = validate_raw(read_raw(workdir / "raw"), catalogue, validation_config(params), site, source=str(workdir / "raw"))
    failures = "\n".join(o.describe() for o in report.outcomes if not o.success)
    try:
        report.raise_for_critical()
    except ValidationFailedError as exc:
        return LibraryRun("validate", str(exc), failures)
    return LibraryRun("done", "", failures)
