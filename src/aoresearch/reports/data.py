"""Report inputs: the pipeline's panels (read by :mod:`aoresearch.panel.files`), their summaries and the raw data's provenance."""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from aoresearch.errors import ParameterError
import aoresearch.panel.files as panel_files
from aoresearch.panel.files import read_panel_summaries

__all__ = ["read_panel", "read_panel_or_none", "read_panel_summaries", "read_provenance", "read_scenarios", "is_synthetic", "SCENARIO_COLUMNS"]

SCENARIO_COLUMNS = ("region", "outcome", "scenario", "year", "prediction")

logger = logging.getLogger(__name__)


def read_panel(panel_dir: str | Path, name: str) -> pd.DataFrame:
    """The frame of :func:`aoresearch.panel.read_panel` (for the report notebooks).

    Raises
    ------
    PanelStructureError
        As :func:`aoresearch.panel.read_panel` (the message names the file and the stage to run).
    """
    return panel_files.read_panel(panel_dir, name).frame


def read_panel_or_none(panel_dir: str | Path, name: str) -> pd.DataFrame | None:
    """The frame of :func:`aoresearch.panel.read_panel_or_none`: ``None`` (logged) if the panel
    does not exist, for reports that must still render and say what is missing."""
    panel = panel_files.read_panel_or_none(panel_dir, name)
    return None if panel is None else panel.frame


def read_provenance(raw_dir: str | Path) -> dict[str, Any] | None:
    """The raw data set's provenance record (``<raw_dir>/provenance.json``), or ``None`` (logged)
    if it is unavailable or unreadable. Only this file is read, not the observations."""
    path = Path(raw_dir) / "provenance.json"
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        logger.warning("no provenance at %s: %s", path, exc)
        return None


def is_synthetic(provenance: dict[str, Any] | None, summaries: dict[str, dict[str, Any]]) -> bool:
    """Whether a report must carry the synthetic-data mark.

    True if the provenance or any panel summary says the data are synthetic, and also when
    neither is available: an unmarked report of demo data is the worse mistake.
    """
    flags = [bool(s.get("synthetic")) for s in summaries.values() if "synthetic" in s]
    if provenance is not None and "synthetic" in provenance:
        flags.append(bool(provenance["synthetic"]))
    if not flags:
        warnings.warn("neither provenance nor panel summaries say whether the data are synthetic; "
                      "marking the report as synthetic.", stacklevel=2)
        return True
    return any(flags)


def read_scenarios(path: str | Path | None) -> pd.DataFrame | None:
    """Scenario projections, or ``None`` if ``path`` is not given or does not exist yet.

    The expected table (``data/factors/scenarios.parquet``, or CSV) is long, one row per region,
    outcome, scenario and year: columns :data:`SCENARIO_COLUMNS` (``lower``/``upper`` optional).
    It is returned with ``outcome`` renamed ``rate`` and ``prediction`` renamed ``value``.

    Raises
    ------
    ParameterError
        If the file exists but lacks a column.
    """
    if path is None or not Path(path).is_file():
        return None
    path = Path(path)
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    missing = [c for c in SCENARIO_COLUMNS if c not in frame.columns]
    if missing:
        raise ParameterError(
            f"scenarios_path: {path} lacks columns {missing}; expected a long table with {list(SCENARIO_COLUMNS)}."
        )
    return frame.rename(columns={"outcome": "rate", "prediction": "value"})
