"""Shared plumbing of the stage entry scripts: logging, one BLAS thread, library errors as exit codes.

A multi-threaded BLAS splits sums differently with the machine's load and core count, so results
differed in the last bits between runs (measured: fixed-effects estimates of the associations
stage by up to 5e-9). Every stage therefore runs BLAS on one thread: the environment variables
reach processes started later (joblib workers, notebook kernels), ``threadpool_limits`` the
libraries already loaded. The stages' own parallelism (joblib placebo fits, ``threads`` of the
gradient-boosted trees) is unaffected.

Across machines, OpenBLAS picks its compute kernels by CPU (``DYNAMIC_ARCH``), and kernels of
different instruction sets round differently: the impact stage's backtests, placebos and weights
differed by up to 8e-9 relative between this project's default kernel and OpenBLAS's generic
one (``OPENBLAS_CORETYPE=Prescott``; the AVX2 ``Haswell`` kernel gave identical files), enough
to change a file's hash after rounding to 10 digits. A stage therefore pins the ``Haswell``
kernels on every x86-64 CPU that has AVX2 and FMA (AMD since Zen and Intel since Haswell, AVX-512
machines included), unless ``OPENBLAS_CORETYPE`` is set already (:func:`_pin_blas_kernel`).

For the same reason a stage runs with a fixed ``PYTHONHASHSEED``: string hashing is randomised
per process, and the iteration order of sets in pyfixest changed its fixed-effects estimates in
the last bits from one run to the next (measured on the associations stage). The seed can only
be set before the interpreter starts, so a stage script started without it restarts itself once,
with ``os.execv``: the same process (same pid) runs the new interpreter, so signals sent to the
stage by ``dvc repro`` reach it; there is no parent left waiting in between.

Before any work, a stage checks the whole parameter file (``--params``, default ``params.yaml``)
against :mod:`aoresearch.params_schema` and stops with every problem listed (exit 1). The check
runs when this module is imported, so a script that imports ``_entry`` before its libraries
(pandas, scikit-learn or Great Expectations take seconds to import) fails in about a second. The
``check_params`` DVC stage runs the same check first in ``dvc repro``, before DVC removes any
stage's previous outputs.

A stage stops when it is told to: SIGTERM, SIGINT (Ctrl+C, an interrupted ``dvc repro``) or
SIGHUP makes it terminate the processes it started (joblib/loky workers of the forecast and
impact stages, notebook kernels of the reports), SIGKILL those that do not stop within
``WORKER_GRACE_S``, unwind (``finally`` blocks remove staging files) and exit with code
``128 + signum``. If the unwinding hangs, the process ends anyway after ``EXIT_GRACE_S``. A
second signal during the clean-up ends it at once.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Callable


def _pin_blas_kernel(cpuinfo: str = "/proc/cpuinfo") -> str | None:
    """Set ``OPENBLAS_CORETYPE=Haswell`` where the CPU has AVX2 and FMA (module docstring);
    return the kernel in effect (None: OpenBLAS chooses)."""
    if "OPENBLAS_CORETYPE" not in os.environ:
        try:
            flags = next((line.split(":", 1)[1].split() for line in Path(cpuinfo).read_text().splitlines()
                          if line.startswith("flags")), [])
        except OSError:  # not Linux: OpenBLAS chooses (macOS on ARM has other kernels anyway)
            flags = []
        if {"avx2", "fma"} <= set(flags):
            os.environ["OPENBLAS_CORETYPE"] = "Haswell"
    return os.environ.get("OPENBLAS_CORETYPE")


for _name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_name] = "1"
_pin_blas_kernel()
_RUN_AS_STAGE = Path(sys.argv[0]).resolve().parent == Path(__file__).resolve().parent  # a script in pipelines/ is the program
if os.environ.get("PYTHONHASHSEED") != "0" and _RUN_AS_STAGE:
    os.environ["PYTHONHASHSEED"] = "0"  # only when a stage script in pipelines/ is the program being run
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])

from threadpoolctl import threadpool_limits  # noqa: E402

from aoresearch.errors import AoresearchError  # noqa: E402
from aoresearch.params_schema import check_params_file  # noqa: E402


WORKER_GRACE_S = 2.0
EXIT_GRACE_S = 5.0
_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))
_KEEP = ("resource_tracker",)  # loky's tracker ignores SIGTERM and exits by itself when the stage does


class StageStopped(BaseException):
    """Raised in the main thread by the stop handler; ``BaseException`` so that no ``except Exception`` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def run(main: Callable[[list[str]], int]) -> None:
    """Run ``main(argv)``; a library error prints its message (no traceback) and exits 1.

    SIGTERM, SIGINT and SIGHUP stop the stage and the processes it started; the exit code is
    then ``128 + signum`` (143 for SIGTERM, 130 for SIGINT).
    """
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    install_stop_handlers()
    try:
        with threadpool_limits(limits=1, user_api="blas"):
            code = main(sys.argv[1:])
    except AoresearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = 1
    except StageStopped as stop:
        stop_workers()  # anything started while unwinding
        print(f"stopped by {stop}: the stage did not finish; run `dvc repro` again.", file=sys.stderr)
        code = 128 + stop.signum
    sys.exit(code)


def check_params_argument(argv: list[str]) -> None:
    """Check the file named by ``--params`` in ``argv`` (default ``params.yaml``) if it exists.

    A missing file is left to the stage's own ``load_params``, which names it; a script without
    parameters (``--params`` absent and no ``params.yaml`` in the working directory) is not checked.

    Raises
    ------
    ParameterError
        Listing every problem of the file (see :func:`aoresearch.params_schema.check_params`).
    """
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--params", default="params.yaml")
    path = Path(parser.parse_known_args(argv)[0].params)
    if path.is_file():
        check_params_file(path)


def install_stop_handlers() -> None:
    """Handle SIGTERM, SIGINT and SIGHUP with :func:`_on_stop` (only the main thread can)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in _STOP_SIGNALS:
        signal.signal(signum, _on_stop)


def _on_stop(signum: int, frame: object) -> None:
    for other in _STOP_SIGNALS:
        signal.signal(other, _exit_now)
    name = signal.Signals(signum).name
    _say(f"{name} received: stopping the stage and its worker processes")
    stopped = stop_workers()
    if stopped:
        _say(f"{name}: stopped {stopped} worker process(es)")
    watchdog = threading.Timer(EXIT_GRACE_S, os._exit, (128 + signum,))
    watchdog.daemon = True
    watchdog.start()
    raise StageStopped(signum)


def _say(message: str) -> None:
    try:
        print(message, file=sys.stderr, flush=True)
    except (OSError, RuntimeError):  # stderr closed, or the signal interrupted a write to it
        pass


def _exit_now(signum: int, frame: object) -> None:
    stop_workers(grace_s=0.0)
    os._exit(128 + signum)


def stop_workers(grace_s: float = WORKER_GRACE_S) -> int:
    """Terminate every descendant process, SIGKILL those still alive after ``grace_s``; return how many.

    Uses psutil when installed, otherwise ``/proc``. Loky's resource tracker is left to exit on
    its own when the stage ends (it ignores SIGTERM and cleans up shared memory on the way out).
    """
    pids = [pid for pid in _descendants() if not _is_kept(pid)]
    for pid in pids:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [pid for pid in alive if _alive(pid)]
    for pid in alive:
        _signal(pid, signal.SIGKILL)
    for _ in range(40):  # up to 2 s for the kernel to take them down
        alive = [pid for pid in alive if _alive(pid)]
        if not alive:
            break
        time.sleep(0.05)
    return len(pids)


def _descendants() -> list[int]:
    """Pids of every process below this one (children first)."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            return [child.pid for child in psutil.Process().children(recursive=True)]
        except psutil.Error:
            return []
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        stat = _proc_stat(int(entry.name))
        if stat is not None:
            children.setdefault(stat[1], []).append(int(entry.name))
    found, queue = [], [os.getpid()]
    while queue:
        for child in children.get(queue.pop(0), []):
            found.append(child)
            queue.append(child)
    return found


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of ``pid`` from ``/proc/<pid>/stat``, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def _is_kept(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return any(word in command for word in _KEEP)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _alive(pid: int) -> bool:
    """False once ``pid`` has exited; a direct child is reaped here so that it does not stay a zombie."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass  # not our child, or already reaped (by joblib)
    stat = _proc_stat(pid)
    if stat is not None:
        return stat[0] not in ("Z", "X")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


if _RUN_AS_STAGE:
    try:
        check_params_argument(sys.argv[1:])
    except AoresearchError as _exc:
        print(f"error: {_exc}", file=sys.stderr)
        sys.exit(1)
