"""The one raw format every data source writes: Sotkanet's long schema.

A raw data set is a folder with

- ``observations.parquet``: one row per (indicator, region, year, gender) with columns
  ``indicator`` (int), ``region`` (int), ``year`` (int), ``gender`` (total | female | male),
  ``value`` (the primary value, float) and ``abs_value`` (the absolute count, float);
- ``regions.csv``: ``id``, ``title_fi``, ``category``, ``code``;
- ``provenance.json``: where the data came from and when;
- ``ground_truth.json``: only for synthetic demo data, the true injected effects;
- ``responses/``: only for the API source, each raw response body as received.

Writes are atomic: the folder is built beside its destination (``.raw.partial-*``) and
renamed into place, so a failed or interrupted run never leaves a partial data set that poses
as complete. Replacing an existing folder takes two renames (``raw`` to ``.raw.old``, then the
staging folder to ``raw``); termination signals are deferred until both are done, and a process
killed outright (SIGKILL, power loss) is repaired at the next write by
:func:`recover_interrupted_write`, which removes leftover staging folders and puts ``.raw.old``
back when ``raw`` is missing.

Years outside ``data.years`` are dropped by :func:`restrict_years`, which records what it
dropped for the provenance; a year after the current calendar year is an error.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

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
    "recover_interrupted_write",
    "restrict_years",
    "merge_year_records",
    "years_notice",
]

logger = logging.getLogger(__name__)

OBSERVATION_COLUMNS = ("indicator", "region", "year", "gender", "value", "abs_value")
REGION_COLUMNS = ("id", "title_fi", "category", "code")
GENDERS = ("total", "female", "male")
_INTEGER_COLUMNS = ("indicator", "region", "year")
_FLOAT_COLUMNS = ("value", "abs_value")
_HELD_SIGNALS = frozenset(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


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


def restrict_years(frame: pd.DataFrame, years: range, origin: str, current_year: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Keep the rows of ``frame`` whose year lies in ``years``; say what was dropped.

    Parameters
    ----------
    frame : DataFrame
        Rows with integer columns ``indicator``, ``region`` and ``year``.
    years : range
        The years wanted (``data.years``).
    origin : str
        The file or URL the rows came from, for messages.
    current_year : int
        The current calendar year: no row may be of a later year.

    Returns
    -------
    kept : DataFrame
        The rows within ``years``, index reset.
    record : dict
        ``{"start", "end", "before_start", "after_end"}``; each of the last two holds ``rows``
        (count), ``years`` (sorted list) and ``by_indicator`` (indicator id as text to count).

    Raises
    ------
    RawDataError
        If a row kept has a year after ``current_year``; the message names the origin, the
        indicator, the region and the year.
    """
    start, end = years.start, years.stop - 1
    year = frame["year"]
    keep = year.between(start, end)
    record = {
        "start": start, "end": end,
        "before_start": _dropped(frame[year < start]), "after_end": _dropped(frame[year > end]),
    }
    kept = frame[keep].reset_index(drop=True)
    future = kept[kept["year"] > current_year]
    if len(future):
        first = future.sort_values(["year", "indicator", "region"]).iloc[0]
        raise RawDataError(
            f"{origin}: {len(future)} rows have a year after the current calendar year {current_year}, which "
            f"cannot have been observed: indicator {int(first['indicator'])}, region {int(first['region'])}, "
            f"year {int(first['year'])} (years found: {sorted(int(y) for y in future['year'].unique())}). "
            f"The data are corrupt or mislabelled: correct the source, or set data.years.end to {current_year} or earlier."
        )
    return kept, record


def _dropped(rows: pd.DataFrame) -> dict[str, Any]:
    counts = rows["indicator"].value_counts().sort_index()
    return {
        "rows": int(len(rows)),
        "years": sorted(int(y) for y in rows["year"].unique()),
        "by_indicator": {str(int(k)): int(v) for k, v in counts.items()},
    }


def merge_year_records(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Sum several :func:`restrict_years` records of the same year range into one."""
    merged: dict[str, Any] = {"start": records[0]["start"], "end": records[0]["end"]} if records else {}
    for side in ("before_start", "after_end"):
        parts = [r[side] for r in records]
        by_indicator: dict[str, int] = {}
        for part in parts:
            for key, count in part["by_indicator"].items():
                by_indicator[key] = by_indicator.get(key, 0) + count
        merged[side] = {
            "rows": sum(p["rows"] for p in parts),
            "years": sorted({y for p in parts for y in p["years"]}),
            "by_indicator": dict(sorted(by_indicator.items(), key=lambda kv: int(kv[0]))),
        }
    return merged


def years_notice(record: dict[str, Any], origin: str) -> str | None:
    """The notice (for logs and provenance) of rows dropped after ``data.years.end``, if any."""
    after = record["after_end"]
    if not after["rows"]:
        return None
    return (
        f"{origin}: dropped {after['rows']} rows with years after data.years.end {record['end']}: "
        f"years {after['years']}, rows by indicator {after['by_indicator']}"
    )


def write_raw(raw: RawData, out_dir: str | Path) -> Path:
    """Write ``raw`` to ``out_dir`` atomically and return the folder.

    Leftovers of an earlier interrupted write are repaired first (:func:`recover_interrupted_write`).
    On any failure, including a termination signal, ``out_dir`` is left as it was.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    recover_interrupted_write(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(out_dir), dir=out_dir.parent))
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
        _fsync_tree(staging)
        _replace_dir(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def recover_interrupted_write(out_dir: str | Path) -> list[str]:
    """Repair what an interrupted :func:`write_raw` to ``out_dir`` left behind; return what was done.

    - Staging folders ``.<name>.partial-*`` beside ``out_dir`` are removed (never complete).
    - ``.<name>.old`` without ``out_dir`` (stopped between the two renames) is renamed back to
      ``out_dir``: the previous data set is restored (rolled back), as if the write had not run.
    - ``.<name>.old`` beside an ``out_dir`` (stopped before the backup was deleted) is removed.

    Each action is logged at WARNING level.
    """
    out_dir = Path(out_dir)
    parent = out_dir.parent
    if not parent.is_dir():
        return []
    actions = []
    backup = _backup_path(out_dir)
    if backup.exists() and not out_dir.exists():
        os.replace(backup, out_dir)
        _fsync_dir(parent)
        actions.append(
            f"restored {out_dir} from {backup.name}: an earlier write stopped between its two renames; "
            f"rolled back to the previous data set"
        )
    elif backup.exists():
        shutil.rmtree(backup, ignore_errors=True)
        actions.append(f"removed {backup}, the backup left by an earlier write that stopped before deleting it")
    for staging in sorted(parent.glob(f"{_staging_prefix(out_dir)}*")):
        shutil.rmtree(staging, ignore_errors=True)
        actions.append(f"removed staging folder {staging} left by an interrupted write (never a complete data set)")
    for action in actions:
        logger.warning(action)
    return actions


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


def _dump_json(document: dict, path: Path) -> None:
    path.write_text(json.dumps(document, indent=2, sort_keys=True, default=_json_default) + "\n", encoding="utf-8")


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def _staging_prefix(target: Path) -> str:
    return f".{target.name}.partial-"


def _backup_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.old")


@contextmanager
def _signals_held() -> Iterator[None]:
    """Defer SIGINT/SIGTERM/SIGHUP until the block ends (main thread; elsewhere a no-op).

    The handlers are swapped for one that only notes the signal, which is raised again once
    the old handlers are back. (Blocking the signal with ``pthread_sigmask`` would not do: the
    kernel hands a process-directed signal to any other thread, and Python then runs the
    handler in the main thread all the same.)
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {}
    for signum in _HELD_SIGNALS:
        if signal.getsignal(signum) is not None:  # None: a handler not set from Python; leave it
            previous[signum] = signal.signal(signum, lambda number, frame: pending.append(number))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(pending):
            signal.raise_signal(signum)


def _replace_dir(staging: Path, target: Path) -> None:
    """Move ``staging`` to ``target``; an error between the two renames restores the old ``target``."""
    backup = _backup_path(target)
    with _signals_held():
        if target.exists():
            shutil.rmtree(backup, ignore_errors=True)
            os.replace(target, backup)
            try:
                os.replace(staging, target)
            except BaseException:
                os.replace(backup, target)
                raise
            _fsync_dir(target.parent)
        else:
            os.replace(staging, target)
            _fsync_dir(target.parent)
    shutil.rmtree(backup, ignore_errors=True)


def _fsync_tree(folder: Path) -> None:
    """Flush the files of ``folder`` to disk, so that a renamed folder is complete after a crash."""
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
