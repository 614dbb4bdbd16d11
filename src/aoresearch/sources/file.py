"""The ``file`` source: a Sotkanet-format extract on disk.

The folder holds ``observations.csv.gz`` (or ``observations.csv``) in the long schema and
``regions.csv`` (see ``../shared/data/sotkanet/README.md``), and optionally ``indicators.csv``
documenting which indicator ids the extract holds (column ``id``: an id or a range ``552-570``).
Catalogue ids that ``indicators.csv`` does not list are not expected from the extract: they are
skipped with a notice and listed in the provenance (``not_in_extract``), so that data validation
does not require them; a listed id without rows is an error of the extract that validation
reports. The extract is read, never modified.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import zlib
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from aoresearch.catalogue import Catalogue
from aoresearch.errors import RawDataError
from aoresearch.sources.levels import level_notices
from aoresearch.sources.raw import RawData, coerce_observations, coerce_regions, restrict_years, years_notice

__all__ = ["read_sotkanet_extract", "find_observations_file"]

logger = logging.getLogger(__name__)
_OBSERVATION_FILES = ("observations.csv.gz", "observations.csv")


def find_observations_file(folder: Path) -> Path:
    """Return the observations file of an extract folder.

    Raises
    ------
    RawDataError
        If the folder does not exist or holds no observations file.
    """
    if not folder.is_dir():
        raise RawDataError(
            f"data.file.path: {folder} is not a folder; point it at a Sotkanet extract such as "
            f"../shared/data/sotkanet (with observations.csv.gz and regions.csv)."
        )
    for name in _OBSERVATION_FILES:
        if (folder / name).is_file():
            return folder / name
    raise RawDataError(f"{folder} holds none of {list(_OBSERVATION_FILES)}.")


def read_sotkanet_extract(folder: str | Path, catalogue: Catalogue, years: range, *, current_year: int | None = None) -> RawData:
    """Read a Sotkanet extract, keeping the catalogue's indicators within ``years``.

    Parameters
    ----------
    folder : str or Path
        Extract folder with ``observations.csv[.gz]`` and ``regions.csv``.
    catalogue : Catalogue
        Indicators to keep; entries without a Sotkanet id are skipped with a notice, and so are
        ids absent from the extract (those its ``indicators.csv`` does not list are also named in
        the provenance's ``not_in_extract``) and region categories without rows against each
        indicator's ``levels``.
    years : range
        Years to keep. Rows of other years are dropped; those after ``years`` are logged and
        listed in the provenance (``dropped_years`` and a notice).
    current_year : int, optional
        The current calendar year (default: today's, UTC); no kept row may be later.

    Returns
    -------
    RawData
        Observations of shape (n_rows, 6), the region table and a provenance record.

    Raises
    ------
    RawDataError
        If a file is missing, empty, not valid gzip/CSV, a column has the wrong type, or a
        row within ``years`` has a year after the current calendar year.
    """
    folder = Path(folder)
    obs_path = find_observations_file(folder)
    # Only an empty cell is missing: text such as "n/a" must be reported, not read as NaN.
    observations = coerce_observations(_read_csv(obs_path, keep_default_na=False, na_values=[""]), str(obs_path))
    regions = _read_csv(folder / "regions.csv", dtype={"code": str}, keep_default_na=False)
    regions = coerce_regions(regions, str(folder / "regions.csv"))
    notices = _skip_notices(catalogue)
    wanted = {i.sotkanet_id for i in catalogue.fetchable}
    present = set(observations["indicator"].unique())
    documented = _documented_ids(folder / "indicators.csv")
    absent = [i for i in catalogue.fetchable if i.sotkanet_id not in present]
    not_in_extract = [i for i in absent if documented is not None and i.sotkanet_id not in documented]
    notices += [
        f"indicator {i.sotkanet_id} ({i.key}) is in the catalogue but not in {obs_path.name}"
        + ("; the extract's indicators.csv does not list it either, so it is not expected from this extract" if i in not_in_extract else "")
        for i in absent
    ]
    dropped = sorted(present - wanted)
    if dropped:
        notices.append(f"{obs_path.name}: dropped indicator ids {dropped} that the catalogue does not list")
    current_year = datetime.now(timezone.utc).year if current_year is None else current_year
    kept, dropped_years = restrict_years(observations[observations["indicator"].isin(wanted)], years, str(obs_path), current_year)
    notices += [n for n in (years_notice(dropped_years, obs_path.name),) if n]
    notices += level_notices(kept, regions, catalogue)
    for notice in notices:
        logger.warning(notice)
    provenance = {
        "source": "file",
        "synthetic": False,
        "path": str(folder),
        "files": {p.name: _file_record(p) for p in (obs_path, folder / "regions.csv")},
        "years": [years.start, years.stop - 1],
        "rows": int(len(kept)),
        "dropped_years": dropped_years,
        "not_in_extract": [i.sotkanet_id for i in not_in_extract],
        "notices": notices,
        "licence": "CC BY 4.0, source: THL, Sotkanet",
    }
    return RawData(kept, regions, provenance)


def _documented_ids(path: Path) -> frozenset[int] | None:
    """Indicator ids an extract's ``indicators.csv`` lists (``id``: ``191`` or ``552-570``), or
    None without the file.

    Raises
    ------
    RawDataError
        If the file has no ``id`` column or an id is not a whole number or range.
    """
    if not path.is_file():
        return None
    frame = _read_csv(path, dtype=str, keep_default_na=False)
    if "id" not in frame:
        raise RawDataError(f"{path} has no column 'id' (columns: {list(frame.columns)}); expected one id or range such as 552-570 per row.")
    ids: set[int] = set()
    for text in frame["id"]:
        low, _, high = text.strip().partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            raise RawDataError(f"{path}: id {text!r} is not a whole number or a range such as 552-570.")
        ids.update(range(int(low), int(high or low) + 1))
    return frozenset(ids)


def _skip_notices(catalogue: Catalogue) -> list[str]:
    return [
        f"catalogue entry '{i.key}' has no Sotkanet id yet; skipped (fill in sotkanet_id to fetch it)"
        for i in catalogue.unfetchable
    ]


def _read_csv(path: Path, **kwargs) -> pd.DataFrame:
    if not path.is_file():
        raise RawDataError(f"{path} does not exist; a Sotkanet extract needs it.")
    if path.stat().st_size == 0:
        raise RawDataError(f"{path} is empty (0 bytes); expected a CSV with a header row.")
    try:
        frame = pd.read_csv(path, **kwargs)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise RawDataError(f"{path} is a truncated or corrupt gzip file ({exc}); fetch or copy it again.") from exc
    except pd.errors.EmptyDataError as exc:
        raise RawDataError(f"{path} has no columns; expected a CSV with a header row.") from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise RawDataError(f"{path} is not a readable CSV: {exc}") from exc
    if frame.empty:
        raise RawDataError(f"{path} has a header but no data rows.")
    return frame


def _file_record(path: Path) -> dict:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    stat = path.stat()
    modified = datetime.fromtimestamp(stat.st_mtime, timezone.utc).isoformat(timespec="seconds")
    return {"sha256": digest.hexdigest(), "bytes": stat.st_size, "modified": modified}
