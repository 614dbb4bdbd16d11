"""Atomic file writes: a reader sees the old file or the new one, never half a file.

Every writer of a pipeline artifact goes through :func:`atomic_write`: the content is written
to a hidden staging file beside the target (``.<name>.<random>.partial``) and renamed over it,
so an interrupted stage leaves the previous output intact and no truncated file posing as
complete. Only the standard library is imported here; pandas is imported by
:func:`atomic_write_parquet` when it is called.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["atomic_write", "atomic_write_text", "atomic_write_bytes", "atomic_write_parquet"]


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(staging)`` on a temporary file beside ``path``, then rename it to ``path``.

    The parent folder is created if needed; on any error (or a stop signal) the staging file is
    removed and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # the mode of a plainly written file, not mkstemp's 0600
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(text: str, path: str | Path) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return atomic_write(path, lambda staging: staging.write_text(text, encoding="utf-8"))


def atomic_write_bytes(data: bytes, path: str | Path) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return atomic_write(path, lambda staging: staging.write_bytes(data))


def atomic_write_parquet(frame: "pd.DataFrame", path: str | Path) -> Path:
    """Write ``frame`` without its index as parquet to ``path`` atomically."""
    return atomic_write(path, lambda staging: frame.to_parquet(staging, index=False))
