"""Progress of long loops: a tqdm bar where a person watches, count and elapsed time in the log.

A stage run by ``dvc repro`` in a terminal shows a bar on stderr; the same loop run in CI, under
``make test`` or with stderr redirected to a file logs one INFO line per step instead
(``"forecast: outcome 3/8 (oohc_per_1000) done, 41.2 s"``), so a log that stops moving says
which step is slow. Neither goes to stdout, which the stages keep for their own output.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from typing import TypeVar

from tqdm.auto import tqdm

__all__ = ["track"]

T = TypeVar("T")


def track(items: Iterable[T], label: str, unit: str, log: logging.Logger, total: int | None = None,
          bar: bool | None = None, describe: Callable[[T], str] = str) -> Iterator[T]:
    """Yield ``items`` while reporting progress.

    Parameters
    ----------
    items : iterable
    label : str
        What is being done, e.g. ``"impact tampere"``.
    unit : str
        What one item is, e.g. ``"outcome"``.
    log : logging.Logger
        Receives one INFO line per finished item when no bar is shown.
    total : int, optional
        Number of items; ``len(items)`` when it has one.
    bar : bool, optional
        Force the bar on or off; by default on when stderr is a terminal.
    describe : callable, optional
        Names an item in the log line (default ``str``), e.g. the outcome of a ``(outcome, result)`` pair.
    """
    if total is None and isinstance(items, Sized):
        total = len(items)
    show_bar = sys.stderr.isatty() if bar is None else bar
    if show_bar:
        yield from tqdm(items, desc=label, unit=f" {unit}", total=total, file=sys.stderr, dynamic_ncols=True)
        return
    start = time.perf_counter()
    count = "?" if total is None else str(total)
    for i, item in enumerate(items, 1):
        yield item
        log.info("%s: %s %d/%s (%s) done, %.1f s", label, unit, i, count, describe(item), time.perf_counter() - start)
