"""The validate stages' summary files (``data/validation/<what>.json``): where they are and how to read them.

Written by :func:`aoresearch.validation.stage.write_metrics` (the counts and every failed
warning); read by the reports index, which shows them offline beside a link to the Data Docs.
Light on purpose (no Great Expectations import): the report stages read it.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["VALIDATED_TABLES", "DATA_DOCS", "summary_path", "read_validation_summary"]

# What each validate stage checks: raw data set and region-year panels (dvc.yaml: validate_raw, validate_panels).
VALIDATED_TABLES = ("raw", "panels")
# The Great Expectations Data Docs of each, relative to the repository root (dvc.yaml outs).
DATA_DOCS = {what: f"reports/validation/{what}/index.html" for what in VALIDATED_TABLES}


def summary_path(folder: str | Path, what: str) -> Path:
    """``<folder>/<what>.json`` for ``what`` in :data:`VALIDATED_TABLES`."""
    if what not in VALIDATED_TABLES:
        raise ValueError(f"validation summary '{what}': expected one of {VALIDATED_TABLES}")
    return Path(folder) / f"{what}.json"


def read_validation_summary(folder: str | Path, what: str) -> dict | None:
    """The summary of one validate stage, or None if that stage has not run.

    Raises
    ------
    ValueError
        If the file exists but is not a JSON object with the counts (names the file and the stage
        that writes it).
    """
    path = summary_path(folder, what)
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"validation summary {path} is unreadable ({exc}); rerun `dvc repro validate_{what}`.") from exc
    missing = {"expectations", "passed", "failed_critical", "failed_warning"} - set(document if isinstance(document, dict) else ())
    if missing:
        raise ValueError(f"validation summary {path} lacks {sorted(missing)}; expected the counts written by "
                         f"`validate_{what}` (rerun `dvc repro validate_{what}`).")
    return document
