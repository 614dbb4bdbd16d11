"""Shared plumbing of the stage entry scripts: logging, one BLAS thread, library errors as exit codes.

A multi-threaded BLAS splits sums differently with the machine's load and core count, so results
differed in the last bits between runs (measured: fixed-effects estimates of the associations
stage by up to 5e-9). Every stage therefore runs BLAS on one thread: the environment variables
reach processes started later (joblib workers, notebook kernels), ``threadpool_limits`` the
libraries already loaded. The stages' own parallelism (joblib placebo fits, ``threads`` of the
gradient-boosted trees) is unaffected.

For the same reason a stage runs with a fixed ``PYTHONHASHSEED``: string hashing is randomised
per process, and the iteration order of sets in pyfixest changed its fixed-effects estimates in
the last bits from one run to the next (measured on the associations stage). The seed can only
be set before the interpreter starts, so a stage script started without it restarts itself once.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Callable

for _name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_name] = "1"
if os.environ.get("PYTHONHASHSEED") != "0" and Path(sys.argv[0]).resolve().parent == Path(__file__).resolve().parent:
    os.environ["PYTHONHASHSEED"] = "0"  # only when a stage script in pipelines/ is the program being run
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])

from threadpoolctl import threadpool_limits  # noqa: E402

from aoresearch.errors import AoresearchError  # noqa: E402


def run(main: Callable[[list[str]], int]) -> None:
    """Run ``main(argv)``; a library error prints its message (no traceback) and exits 1."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    try:
        with threadpool_limits(limits=1, user_api="blas"):
            code = main(sys.argv[1:])
        sys.exit(code)
    except AoresearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
