"""Run identifiers of a validation that depend on the validated data, never on the clock.

Great Expectations names each validation result by a run name and a run time and writes both
into the Data Docs (page paths, the index list, the result header). Its default run time is
the wall clock, so every rerun of a DVC stage changed the bytes, and so the hash, of the Data
Docs. Here the run name carries a digest of the validated rows and the run time is a fixed
instant, :data:`RUN_TIME` (the Unix epoch): the same data gives the same Data Docs, and
different data give a different run name.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd

__all__ = ["RUN_TIME", "frame_digest", "run_identifier"]

RUN_TIME = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_DIGEST_CHARS = 12


def frame_digest(frame: pd.DataFrame) -> str:
    """SHA-256 (hex) of a frame's column names, dtypes and values, row order included.

    The index is left out: the validated rows are what Great Expectations sees.
    """
    digest = hashlib.sha256()
    for column, dtype in frame.dtypes.items():
        digest.update(f"{column}\0{dtype}\0".encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def run_identifier(table: str, frame: pd.DataFrame):
    """The ``RunIdentifier`` of validating ``frame`` as ``table``: ``<table>-<digest>`` at :data:`RUN_TIME`.

    Parameters
    ----------
    table : str
        Name of the validated table (the suite's name).
    frame : DataFrame
        The validated rows.

    Returns
    -------
    great_expectations.core.run_identifier.RunIdentifier
    """
    from great_expectations.core.run_identifier import RunIdentifier

    return RunIdentifier(run_name=f"{table}-{frame_digest(frame)[:_DIGEST_CHARS]}", run_time=RUN_TIME)
