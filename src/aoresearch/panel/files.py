"""The panel artifact on disk: its one writer and its one reader.

The ``panel@<name>`` stage writes ``<folder>/<name>.parquet`` (the region-year panel) and
``<folder>/<name>.summary.json`` (its size, imputed cells and whether the data are synthetic).
Every consumer (validation, factors, impact, reports) reads them with :func:`read_panel`, which
returns a checked :class:`Panel` or raises one error naming the file, what was expected and the
stage that writes it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from aoresearch.atomic import atomic_write_parquet, atomic_write_text
from aoresearch.errors import PanelStructureError
from aoresearch.panel.spec import PanelSpec

__all__ = ["Panel", "panel_path", "summary_path", "write_panel", "read_panel", "read_panel_or_none", "read_panel_summaries"]

KEYS_ONLY = PanelSpec()
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Panel:
    """A panel as the ``panel`` stage wrote it: ``frame`` passed the reader's spec, ``summary``
    is its summary JSON and ``synthetic`` says whether the summary marks the data as synthetic."""

    name: str
    frame: pd.DataFrame = field(repr=False)
    summary: Mapping[str, Any]
    synthetic: bool


def panel_path(folder: str | Path, name: str) -> Path:
    """``<folder>/<name>.parquet``."""
    return Path(folder) / f"{name}.parquet"


def summary_path(folder: str | Path, name: str) -> Path:
    """``<folder>/<name>.summary.json``."""
    return Path(folder) / f"{name}.summary.json"


def write_panel(panel: pd.DataFrame, summary: dict, out_dir: str | Path, name: str) -> Path:
    """Write ``<out_dir>/<name>.parquet`` and its summary JSON, each through an atomic rename."""
    target = atomic_write_parquet(panel, panel_path(out_dir, name))
    atomic_write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", summary_path(out_dir, name))
    return target


def read_panel(folder: str | Path, name: str, spec: PanelSpec | None = KEYS_ONLY) -> Panel:
    """Read panel ``name`` from ``folder`` and check it against ``spec``.

    The default spec asks for the ``region`` and ``year`` columns and unique (region, year)
    keys; pass a fuller :class:`PanelSpec` to ask for more, or ``None`` where the caller checks
    the panel itself (the ``validate_panels`` stage reports every problem with Great Expectations).

    Raises
    ------
    PanelStructureError
        If the parquet file or its summary JSON is missing or unreadable, or the panel fails
        ``spec``; the message names the file and the stage that writes it.
    """
    path, summary_file = panel_path(folder, name), summary_path(folder, name)
    rerun = f"run `dvc repro panel@{name}` (the panel stage writes it) or pass the folder holding the panels"
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        problem = "does not exist" if not path.is_file() else f"is not a readable parquet file ({exc})"
        raise PanelStructureError(f"panel file {path} {problem}; expected the region-year panel '{name}'; {rerun}.") from exc
    try:
        summary = json.loads(summary_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        problem = "does not exist" if not summary_file.is_file() else f"is not valid JSON ({exc})"
        raise PanelStructureError(f"panel summary {summary_file} {problem}; expected the summary of panel {path}; {rerun}.") from exc
    if not isinstance(summary, dict):
        raise PanelStructureError(f"panel summary {summary_file} holds a {type(summary).__name__}; expected a JSON object; {rerun}.")
    if spec is not None:
        spec.check(frame, name=f"panel file {path}")
    return Panel(name=name, frame=frame, summary=summary, synthetic=bool(summary.get("synthetic", False)))


def read_panel_or_none(folder: str | Path, name: str) -> Panel | None:
    """Like :func:`read_panel`, but ``None`` if the panel file does not exist (reports that must
    still render and say what is missing)."""
    if not panel_path(folder, name).is_file():
        logger.warning("panel %s does not exist", panel_path(folder, name))
        return None
    return read_panel(folder, name)


def read_panel_summaries(folder: str | Path) -> dict[str, dict[str, Any]]:
    """Every ``<name>.summary.json`` in ``folder``, by panel name (empty if none)."""
    return {path.name.removesuffix(".summary.json"): json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(Path(folder).glob("*.summary.json"))}
