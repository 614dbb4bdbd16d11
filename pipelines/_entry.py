"""Shared plumbing of the stage entry scripts: logging and turning library errors into exit codes."""

from __future__ import annotations

import logging
import sys
from typing import Callable

from aoresearch.errors import AoresearchError


def run(main: Callable[[list[str]], int]) -> None:
    """Run ``main(argv)``; a library error prints its message (no traceback) and exits 1."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    try:
        sys.exit(main(sys.argv[1:]))
    except AoresearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
