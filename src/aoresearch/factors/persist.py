"""Fitted models written to disk with bytes that depend only on the model, not on its history.

A pickle writes an object met a second time as a reference to the first, so its bytes depend
on which parts of the object graph are the same Python object, not only on their values. A
forecaster fitted in a joblib worker and sent back to the stage process arrives with its own
copy of the tree nodes' record dtype per array, where one fitted in-process shares one dtype
object: the same trees gave files of different bytes, and so different DVC hashes, depending on
the worker that fitted them and how loky returned the results (issue 14: 2 of 8 forecast models
differed between runs with identical metrics; measured here: three small gradient-boosted models
fitted in a loky worker pickled to 256,113 bytes, the same fitted in-process to 204,977). Here the model is pickled in the pure-Python
pickler's ``fast`` mode, which keeps no memo: every object is written out by value, so equal
models give equal bytes. The files load with :func:`joblib.load` as before (about 1.7 times
larger; the models have no reference cycles, which fast mode cannot write).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from aoresearch.atomic import atomic_write_bytes

__all__ = ["model_bytes", "save_model"]


def model_bytes(model: Any) -> bytes:
    """The joblib file of ``model`` (readable by :func:`joblib.load`), independent of object identity.

    Raises
    ------
    ValueError
        If the object graph has a reference cycle (fast mode would recurse without end).
    """
    from joblib.numpy_pickle import NumpyPickler

    buffer = io.BytesIO()
    pickler = NumpyPickler(buffer)
    pickler.fast = True  # no memo: bytes follow values only
    try:
        pickler.dump(model)
    except RecursionError as exc:
        raise ValueError(f"{type(model).__name__} has a reference cycle; it cannot be written identity-free.") from exc
    return buffer.getvalue()


def save_model(model: Any, path: str | Path) -> Path:
    """Write :func:`model_bytes` of ``model`` to ``path`` (replaced atomically) and return the path."""
    return atomic_write_bytes(model_bytes(model), path)
