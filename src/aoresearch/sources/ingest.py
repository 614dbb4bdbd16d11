"""Choose the data source named in the parameters and deliver its raw data set."""

from __future__ import annotations

import logging
from pathlib import Path

from aoresearch.catalogue import Catalogue
from aoresearch.config import Params
from aoresearch.sources.demo import generate_demo
from aoresearch.sources.file import read_sotkanet_extract
from aoresearch.sources.raw import RawData, recover_interrupted_write, write_raw

__all__ = ["ingest", "ingest_to_folder"]

logger = logging.getLogger(__name__)


def ingest(params: Params, catalogue: Catalogue) -> RawData:
    """Return the raw data set of ``params.data.source`` (demo, file or sotkanet).

    Raises
    ------
    RawDataError
        The file source cannot read its extract, or a row within data.years has a year after
        the current calendar year.
    DataSourceError
        The API source failed (offline, unknown id, invalid response).
    """
    data = params.data
    if data.source == "demo":
        return generate_demo(catalogue, data.years, params.pilots, data.demo, params.seed)
    if data.source == "file":
        return read_sotkanet_extract(data.file.path, catalogue, data.years)
    from aoresearch.sources.sotkanet_api import fetch_sotkanet  # imported lazily: needs only requests

    return fetch_sotkanet(catalogue, data.sotkanet, data.years)


def ingest_to_folder(params: Params, catalogue: Catalogue, out_dir: str | Path) -> RawData:
    """Ingest and write atomically to ``out_dir``; on any failure ``out_dir`` is left as it was.

    Leftovers of an earlier interrupted write (staging folders, a ``.raw.old`` backup) are
    repaired first, before the source is read; see :func:`~aoresearch.sources.raw.recover_interrupted_write`.
    """
    recover_interrupted_write(out_dir)
    raw = ingest(params, catalogue)
    write_raw(raw, out_dir)
    logger.info("wrote %d rows from source '%s' to %s", len(raw.observations), params.data.source, out_dir)
    return raw
