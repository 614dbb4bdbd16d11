"""The impact artifacts on disk: table names and columns, and their one reader.

:mod:`aoresearch.impact.outputs` writes ``data/impact/<pilot>/`` (``summary.json``,
``outcomes.json`` and one ``<table>.parquet`` per name in :data:`TABLES`, columns
:data:`COLUMNS`, rows sorted by :data:`SORT_KEYS`; the file contents are described there) and
``data/impact_pooled/pooled.parquet``. The pooling stage and the reports read them here, so
that a report only formats. Only pandas is imported: the estimators stay unloaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from aoresearch.errors import RawDataError

__all__ = ["TABLES", "SORT_KEYS", "COLUMNS", "read_pilot_summary", "read_pilot_tables", "read_pilot_folder", "read_pooled"]

SORT_KEYS = {
    "effects": ["outcome", "estimator", "period"],
    "trajectory": ["outcome", "year"],
    "weights": ["outcome", "weight", "donor"],
    "placebos": ["outcome", "kind", "region"],
    "placebo_gaps": ["outcome", "region", "year"],
    "event_study": ["outcome", "estimator", "event_time"],
    "leave_one_out": ["outcome", "dropped"],
    "power": ["outcome", "n_post"],
    "backtests": ["outcome", "origin", "lead"],
}
TABLES = tuple(SORT_KEYS)
COLUMNS = {
    "effects": ["estimator", "outcome", "period", "effect", "lower", "upper", "percent", "percent_lower", "percent_upper",
                "observed", "counterfactual", "p_value", "se", "dof", "method"],
    "trajectory": ["outcome", "year", "observed", "synthetic", "gap", "adoption_year"],
    "weights": ["outcome", "donor", "donor_name", "weight"],
    "placebos": ["outcome", "kind", "region", "region_name", "pre_mspe", "pre_rmspe", "post_rmspe", "rmspe_ratio", "att",
                 "treated", "kept", "fake_year", "percent"],
    "placebo_gaps": ["outcome", "year", "region", "gap"],
    "event_study": ["estimator", "outcome", "event_time", "estimate", "lower", "upper", "p_value"],
    "leave_one_out": ["outcome", "dropped", "dropped_name", "dropped_weight", "effect", "counterfactual", "percent",
                      "pre_rmspe", "full_effect"],
    "power": ["outcome", "n_post", "mde", "mde_percent", "sigma", "dof", "n_backtests", "alpha", "power", "baseline"],
    "backtests": ["outcome", "origin", "lead", "error", "counterfactual"],
}


def read_pilot_summary(folder: str | Path) -> dict | None:
    """A pilot's ``summary.json`` as :func:`aoresearch.impact.outputs.write_outputs` wrote it, or None if it does not exist."""
    path = Path(folder) / "summary.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def read_pilot_tables(folder: str | Path, names: tuple[str, ...] = TABLES) -> tuple[dict[str, pd.DataFrame | None], tuple[str, ...]]:
    """A pilot's ``<name>.parquet`` tables (``names``, default every table of :data:`TABLES`)
    and the paths of those that do not exist (their entry is None)."""
    tables, missing = {}, []
    for name in names:
        path = Path(folder) / f"{name}.parquet"
        tables[name] = pd.read_parquet(path) if path.is_file() else None
        if tables[name] is None:
            missing.append(str(path))
    return tables, tuple(missing)


def read_pilot_folder(folder: str | Path) -> dict:
    """One pilot's ``summary.json``, ``effects.parquet`` and ``backtests.parquet`` (what :mod:`aoresearch.impact.pooling` needs).

    Raises
    ------
    RawDataError
        A file is missing; the message names it and the stage that writes it.
    """
    folder = Path(folder)
    summary = read_pilot_summary(folder)
    tables, missing = read_pilot_tables(folder, ("effects", "backtests"))
    missing = ([] if summary is not None else [str(folder / "summary.json")]) + list(missing)
    if missing:
        raise RawDataError(f"impact results {missing} do not exist; run `dvc repro impact@{folder.name}` first.")
    return {"summary": summary, "category": summary["category"], "adoption_year": int(summary["adoption_year"]),
            "synthetic": bool(summary.get("synthetic")), **tables}


def read_pooled(folder: str | Path) -> pd.DataFrame | None:
    """``<folder>/pooled.parquet`` as :func:`aoresearch.impact.outputs.write_pooled` wrote it, or None when the
    ``impact_pooled`` stage has not run."""
    path = Path(folder) / "pooled.parquet"
    return pd.read_parquet(path) if path.is_file() else None
