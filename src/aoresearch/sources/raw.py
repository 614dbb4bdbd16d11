"""The one raw format every data source writes: Sotkanet's long schema.

A raw data set is a folder with

- ``observations.parquet``: one row per (indicator, region, year, gender) with columns
  ``indicator`` (int), ``region`` (int), ``year`` (int), ``gender`` (total | female | male),
  ``value`` (the primary value, float) and ``abs_value`` (the absolute count, float);
- ``regions.csv``: ``id``, ``title_fi``, ``category``, ``code``;
- ``provenance.json``: where the data came from and when;
- ``ground_truth.json``: only for synthetic demo data, the true injected effects;
- ``responses/``: only for the API source, each raw response body as received.

Writes are atomic: the folder is built beside its destination and renamed into place, so a
failed or interrupted run never leaves a partial data set that poses as complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aoresearch.errors import RawDataError

__all__ = [
    "RawData",
    "OBSERVATION_COLUMNS",
    "REGION_COLUMNS",
    "GENDERS",
    "read_raw",
    "write_raw",
    "coerce_observations",
    "coerce_regions",
    "atomic_write_text",
]

OBSERVATION_COLUMNS = ("indicator", "region", "year", "gender", "value", "abs_value")
REGION_COLUMNS = ("id", "title_fi", "category", "code")
GENDERS = ("total", "female", "male")
_INTEGER_COLUMNS = ("indicator", "region", "year")
_FLOAT_COLUMNS = ("value", "abs_value")


@dataclass(frozen=True)
class RawData:
    """A raw data set in Sotkanet's long schema.

    Attributes
    ----------
    observations : DataFrame, shape (n_rows, 6)
        Columns ``OBSERVATION_COLUMNS``.
    regions : DataFrame, shape (n_regions, 4)
        Columns ``REGION_COLUMNS``.
    provenance : dict
        Source, retrieval time, request URLs, ``data-updated`` per indicator, notices.
    ground_truth : dict or None
        True effects injected by the demo generator; ``None`` for real data.
    responses : dict of str to str
        File name to raw response text (API source), stored under ``responses/``.
    """

    observations: pd.DataFrame
    regions: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)
    ground_truth: dict[str, Any] | None = None
    responses: dict[str, str] = field(default_factory=dict)

    @property
    def is_synthetic(self) -> bool:
        return bool(self.provenance.get("synthetic", False))


def coerce_observations(frame: pd.DataFrame, origin: str) -> pd.DataFrame:
    """Return ``frame`` with the raw schema's columns and dtypes, or raise naming the problem.

    Raises
    ------
    RawDataError
        If a column is missing, a numeric column holds text, or a gender is unknown.
    """
    missing = [c for c in OBSERVATION_COLUMNS if c not in frame.columns]
    if missing:
        raise RawDataError(
            f"{origin}: missing columns {missing}; the Sotkanet long schema needs "
            f"{list(OBSERVATION_COLUMNS)}. Got {list(frame.columns)}."
        )
    out = pd.DataFrame(index=frame.index)
    for column in _INTEGER_COLUMNS:
        values = _numeric(frame[column], column, origin)
        if values.isna().any() or (values % 1 != 0).any():
            bad = frame.loc[values.isna() | (values % 1 != 0), column].head(3).tolist()
            raise RawDataError(f"{origin}: column '{column}' must hold whole numbers; found {bad}.")
        out[column] = values.astype("int64")
    genders = frame["gender"].astype("string").str.strip().str.lower()
    unknown = sorted(set(genders.dropna().unique()) - set(GENDERS))
    if unknown or genders.isna().any():
        raise RawDataError(f"{origin}: column 'gender' must be one of {list(GENDERS)}; found {unknown or ['<empty>']}.")
    out["gender"] = genders.astype(str)
    for column in _FLOAT_COLUMNS:
        out[column] = _numeric(frame[column], column, origin).astype("float64")
    return out.reset_index(drop=True)


def coerce_regions(frame: pd.DataFrame, origin: str) -> pd.DataFrame:
    """Return the region table with ``REGION_COLUMNS`` (``code`` may be empty)."""
    missing = [c for c in ("id", "title_fi", "category") if c not in frame.columns]
    if missing:
        raise RawDataError(f"{origin}: region table lacks columns {missing}; expected {list(REGION_COLUMNS)}.")
    out = frame.reindex(columns=list(REGION_COLUMNS)).copy()
    ids = _numeric(out["id"], "id", origin)
    if ids.isna().any():
        raise RawDataError(f"{origin}: region ids must be whole numbers; found empty ids.")
    out["id"] = ids.astype("int64")
    out["title_fi"] = out["title_fi"].astype("string").fillna("").astype(str)
    out["category"] = out["category"].astype("string").fillna("").astype(str)
    out["code"] = out["code"].astype("string").fillna("").astype(str)
    if out["id"].duplicated().any():
        raise RawDataError(f"{origin}: duplicated region ids {out.loc[out['id'].duplicated(), 'id'].head(5).tolist()}.")
    return out.sort_values("id").reset_index(drop=True)


def _numeric(column: pd.Series, name: str, origin: str) -> pd.Series:
    converted = pd.to_numeric(column, errors="coerce")
    bad = column.notna() & converted.isna()
    if bad.any():
        rows = column[bad].head(3)
        examples = ", ".join(f"row {i + 2}: {v!r}" for i, v in rows.items())
        raise RawDataError(f"{origin}: column '{name}' must be numeric; found text ({examples}).")
    return converted


def write_raw(raw: RawData, out_dir: str | Path) -> Path:
    """Write ``raw`` to ``out_dir`` atomically and return the folder."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    try:
        observations = raw.observations.sort_values(["indicator", "region", "year", "gender"])
        observations.reset_index(drop=True).to_parquet(staging / "observations.parquet", index=False)
        raw.regions.to_csv(staging / "regions.csv", index=False)
        _dump_json(raw.provenance, staging / "provenance.json")
        if raw.ground_truth is not None:
            _dump_json(raw.ground_truth, staging / "ground_truth.json")
        if raw.responses:
            (staging / "responses").mkdir()
            for name, text in raw.responses.items():
                (staging / "responses" / Path(name).name).write_text(text, encoding="utf-8")
        _replace_dir(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def read_raw(folder: str | Path) -> RawData:
    """Read a raw data set written by :func:`write_raw`.

    Raises
    ------
    RawDataError
        If the folder or one of its files is missing or unreadable.
    """
    folder = Path(folder)
    try:
        observations = pd.read_parquet(folder / "observations.parquet")
        regions = pd.read_csv(folder / "regions.csv", dtype={"code": str}, keep_default_na=False)
        provenance = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise RawDataError(f"raw data set {folder} is incomplete or unreadable: {exc}. Re-run the ingest stage.") from exc
    truth_path = folder / "ground_truth.json"
    truth = json.loads(truth_path.read_text(encoding="utf-8")) if truth_path.exists() else None
    regions = coerce_regions(regions, str(folder / "regions.csv"))
    return RawData(observations, regions, provenance, truth)


def atomic_write_text(text: str, path: str | Path) -> None:
    """Write ``text`` to ``path`` through a temporary file and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _dump_json(document: dict, path: Path) -> None:
    path.write_text(json.dumps(document, indent=2, sort_keys=True, default=_json_default) + "\n", encoding="utf-8")


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def _replace_dir(staging: Path, target: Path) -> None:
    if target.exists():
        backup = target.with_name(f".{target.name}.old")
        shutil.rmtree(backup, ignore_errors=True)
        os.replace(target, backup)
        os.replace(staging, target)
        shutil.rmtree(backup, ignore_errors=True)
    else:
        os.replace(staging, target)
