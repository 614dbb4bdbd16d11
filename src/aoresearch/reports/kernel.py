"""A report's Jupyter kernel, started before papermill is imported and importing the report stack meanwhile.

Why: a report stage's parent process imports papermill and nbconvert before papermill starts
the kernel, and the kernel then starts and imports pandas, matplotlib and this package in the
notebook's first cell, all one after the other (each about a second or less here; `python -X
importtime` shows the imports). Started first, the kernel does its part on the second core while the parent imports
(issue 15): in ``benchmarks/pipeline.py`` the five impact report stages took 31.1 s against
41.3 s for the previous commit in the same minutes (together with the figure change of
:func:`~aoresearch.reports.plots.freeze_layout`).

The preloading runs silently and without history: the notebook's execution counts, outputs
and namespace are the same as in a kernel started by papermill (the executed notebooks are
byte-identical, ``tests/reports/test_reports_kernel.py``). A module that cannot be imported
here changes nothing: the notebook's own import cell then fails with the usual message.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

__all__ = ["PRELOAD", "started_kernel"]

# What every report notebook imports first (each is imported again by the notebook itself).
PRELOAD = ("pandas", "pyarrow.parquet", "matplotlib.figure", "IPython.display", "aoresearch.config", "aoresearch.catalogue",
           "aoresearch.reports.plots", "aoresearch.reports.data")


@contextmanager
def started_kernel(kernel_name: str, cwd: str | Path | None = None, preload: Sequence[str] = PRELOAD) -> Iterator[object]:
    """Start kernel ``kernel_name`` in ``cwd``, ask it to import ``preload``; yield its manager; shut it down on exit.

    Pass the manager to papermill (``km=``), which then uses this kernel instead of starting one.

    Raises
    ------
    jupyter_client.kernelspec.NoSuchKernel
        If no kernel of that name is installed (the caller names the notebook and the kernel).
    """
    from jupyter_client.blocking import BlockingKernelClient
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    manager = AsyncKernelManager(kernel_name=kernel_name)
    run_sync(manager.start_kernel)(cwd=str(cwd) if cwd is not None else None)
    client = None
    try:
        if preload:
            # A blocking client of its own: papermill's asynchronous client lives on its event loop.
            client = BlockingKernelClient()
            client.load_connection_info(manager.get_connection_info())
            client.start_channels(iopub=False, stdin=False, hb=False, control=False)
            code = "[__import__(name) for name in " + repr(tuple(preload)) + "]"
            client.execute(code, silent=True, store_history=False)
        yield manager
    finally:
        if client is not None:
            client.stop_channels()
            client.context.destroy(linger=0)
        if manager.has_kernel:
            run_sync(manager.shutdown_kernel)(now=True)
