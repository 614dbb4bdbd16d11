"""Run the targets of a validate stage in worker processes (``validation.n_jobs``).

:func:`share_targets` splits the targets into at most ``n_jobs`` shares of about equal
:func:`estimated_work`, deterministically (longest first, each to the least loaded share), and
:func:`run_in_workers` runs one share per worker process, returning one result per target in the
targets' order. The caller (:func:`aoresearch.validation.runner.run_targets`) then builds the
Data Docs once, in its own process.

Why it gives the Data Docs of a sequential run, byte for byte: each worker opens the run's
temporary copy of ``gx/`` (:func:`aoresearch.validation.store.run_context`) with its own
file-mode context and writes only the files of its own targets there (the suite, the Checkpoint,
the validation result under ``uncommitted/validations/<table>/``), the files a sequential run
writes, in the same way. Data Docs are rendered from the stored files alone, after every worker
has finished, and the site folder is written from scratch by the parent: a failed worker leaves
no site at all, never a partial one.

Why fork, and when not: a forked worker starts at once with Great Expectations, pandas and the
targets' frames already in memory (spawning one costs seconds of imports and a pickled copy of
every frame). Forking is safe when the parent runs no other Python thread, so that no lock can
be inherited half-held: the case of the validate stages, which fork before running any
Checkpoint themselves (checked by :func:`start_method`; the native threads pyarrow leaves after
reading parquet, its CPU pool and jemalloc's background thread, have at-fork handlers of their
own). Otherwise (a pytest-xdist worker, a notebook kernel, or a process where Great
Expectations has already started tqdm's monitor thread) workers are forked from the
``forkserver``, a fresh single-threaded process that imports this package once (as with any
start method but fork, a calling script needs the ``if __name__ == "__main__":`` guard; the
stage scripts have it).
"""

from __future__ import annotations

import multiprocessing
import pickle
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

from aoresearch.validation.rules import Target

__all__ = ["estimated_work", "share_targets", "start_method", "run_in_workers"]

Result = TypeVar("Result")

# An expectation costs a fixed amount (Great Expectations' overhead per expectation, a pandas
# query per row condition) plus time in proportion to the rows, about that much again per 200,000
# rows: a rough fit to one timing of each Checkpoint on the demo data, not a committed benchmark.
# Rows x expectations alone would give the 232,518-row municipality rates one worker and the other
# eleven panel tables the other, an uneven split. The stages' gain with this estimate is measured
# by benchmarks/validation_workers.py.
ROWS_PER_FIXED_COST = 200_000
_WORKER: dict[str, Any] = {}  # in a worker process: its context, the targets and the function to run


def estimated_work(target: Target) -> float:
    """Relative time to validate ``target``: its expectations times ``1 + rows / 200,000``."""
    return len(target.expectations) * (1.0 + len(target.frame) / ROWS_PER_FIXED_COST)


def share_targets(targets: Sequence[Target], n_jobs: int) -> list[list[int]]:
    """Indices of ``targets`` in at most ``n_jobs`` non-empty shares of about equal estimated work.

    Longest first, each target goes to the share with the least work so far (ties: the lower
    index), so the same targets always give the same shares. Each share lists its indices in
    ascending order.
    """
    work = [estimated_work(t) for t in targets]
    loads = [0.0] * max(1, min(n_jobs, len(targets)))
    shares: list[list[int]] = [[] for _ in loads]
    for index in sorted(range(len(targets)), key=lambda i: (-work[i], i)):
        lightest = min(range(len(loads)), key=lambda k: (loads[k], k))
        shares[lightest].append(index)
        loads[lightest] += work[index]
    return [sorted(share) for share in shares if share]


def start_method() -> str:
    """``fork`` when this process runs only its main thread (module docstring), else ``forkserver``
    (``spawn`` where there is none)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def run_in_workers(
    validate: Callable[[Any, Target], Result], gx_dir: str | Path, targets: Sequence[Target], n_jobs: int
) -> list[Result]:
    """``validate(context, target)`` for every target, in ``n_jobs`` worker processes.

    Parameters
    ----------
    validate : callable
        A picklable function (module-level, or a ``functools.partial`` of one) of a file-mode
        context and a target; its result must be picklable.
    gx_dir : path
        The run's temporary copy of ``gx/``; each worker opens its own context on it.
    targets : sequence of Target
    n_jobs : int
        Worker processes, at most one per target (:func:`share_targets`).

    Returns
    -------
    list
        One result per target, in the order of ``targets``.

    Raises
    ------
    Exception
        The error of the first target, in the order of ``targets``, whose ``validate`` raised
        (the error a run in one process stops at), with its notes (:func:`validate` may name the
        target in one) and the worker's traceback as its cause; an exception that does not
        pickle comes back as a RuntimeError with its type, message and notes.
    RuntimeError
        If a worker process ended without returning (killed, crashed), naming the targets left
        unvalidated.
    """
    shares = share_targets(targets, n_jobs)
    results: list[Any] = [None] * len(targets)
    failures: list[_TargetFailed] = []
    mp_context = multiprocessing.get_context(start_method())
    if mp_context.get_start_method() == "forkserver":
        mp_context.set_forkserver_preload([__name__, "aoresearch.validation.runner"])
    with ProcessPoolExecutor(len(shares), mp_context=mp_context, initializer=_start_worker,
                             initargs=(str(gx_dir), tuple(targets), validate)) as pool:
        futures = [pool.submit(_validate_share, share) for share in shares]
        for share, future in zip(shares, futures):
            try:
                validated = future.result()
            except _TargetFailed as failed:
                failures.append(failed)
                continue
            except BrokenProcessPool as exc:
                left = sorted(i for s, f in zip(shares, futures) if f.exception() is not None for i in s)
                raise RuntimeError(
                    f"a validation worker process ended before returning ({exc}); not validated: {', '.join(targets[i].name for i in left)}."
                ) from exc
            for index, result in zip(share, validated):
                results[index] = result
    if failures:
        first = min(failures, key=lambda failed: failed.index)
        raise first.error from first.__cause__  # the cause: the worker's traceback (concurrent.futures)
    return results


class _TargetFailed(Exception):
    """In a worker: ``validate`` raised ``error`` on the target at ``index``; it stopped the share."""

    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(index, error)
        self.index, self.error = index, error


def _start_worker(gx_dir: str, targets: tuple[Target, ...], validate: Callable[[Any, Target], Any]) -> None:
    """Worker initializer: default signal handling (a forked worker would inherit the stage's stop
    handlers, and the stage ends its workers with SIGTERM) and a file-mode context on ``gx_dir``."""
    from aoresearch.validation.store import _file_context

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    _WORKER.update(context=_file_context(Path(gx_dir)), targets=targets, validate=validate)


def _validate_share(indices: list[int]) -> list[Any]:
    """In a worker: the results of the targets at ``indices``."""
    context, targets, validate = _WORKER["context"], _WORKER["targets"], _WORKER["validate"]
    done = []
    for index in indices:
        try:
            done.append(validate(context, targets[index]))
        except Exception as exc:  # the worker's traceback, sent as text, shows where it was raised
            raise _TargetFailed(index, exc if _pickles(exc) else _stand_in(exc)) from exc
    return done


def _pickles(exc: Exception) -> bool:
    """Whether ``exc`` survives pickling, its way back to the parent."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return False
    return True


def _stand_in(exc: Exception) -> RuntimeError:
    """A RuntimeError with the type, message and notes of ``exc``."""
    stand_in = RuntimeError(f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}")
    for note in getattr(exc, "__notes__", ()):
        stand_in.add_note(note)
    return stand_in
