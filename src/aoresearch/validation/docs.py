"""Make a rendered Data Docs site byte-identical across reruns on the same data.

Besides the run time (fixed by :mod:`aoresearch.validation.run_id`), Great Expectations writes
three things into its HTML pages that change on every run:

- the batch's load time (``ge_load_time``, a ``YYYYMMDDTHHMMSS.ffffffZ`` stamp);
- a cache-busting ``?d=<now>`` query on the logo's URL;
- a random UUID4 in the ids of collapsible sections (``collapse-body-<uuid>``).

:func:`normalise_data_docs` rewrites the pages in place: every such stamp becomes the fixed
run time, the query is dropped, and each page's UUIDs are numbered in order of first
appearance (so the links between a toggle and its section still match). It also makes every page
readable offline (:func:`aoresearch.validation.offline_docs.add_offline_reading`: a stylesheet of
our own and, on the site index, a static run list). Running it again on its output changes nothing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from aoresearch.validation.offline_docs import add_offline_reading
from aoresearch.validation.run_id import RUN_TIME

__all__ = ["normalise_data_docs", "normalise_page"]

_STAMP = re.compile(r"\b\d{8}T\d{6}\.\d{6}Z\b")
_LOGO_QUERY = re.compile(r"(\.(?:png|svg|ico))\?d=[^\"'\s>]*")
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
_FIXED_STAMP = RUN_TIME.strftime("%Y%m%dT%H%M%S.%fZ")


def normalise_page(text: str) -> str:
    """One Data Docs page with its run-specific stamps, queries and UUIDs made fixed."""
    text = _LOGO_QUERY.sub(r"\1", _STAMP.sub(_FIXED_STAMP, text))
    numbers: dict[str, str] = {}

    def number(match: re.Match) -> str:
        return numbers.setdefault(match.group(0), f"id{len(numbers) + 1}")

    return _UUID.sub(number, text)


def normalise_data_docs(folder: str | Path) -> int:
    """Normalise every HTML page under ``folder`` in place and make it readable offline; return how many pages changed."""
    changed = 0
    folder = Path(folder)
    for page in sorted(folder.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        fixed = add_offline_reading(normalise_page(text), _site_root(folder, page))
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")
            changed += 1
    return changed


def _site_root(folder: Path, page: Path) -> str:
    """Relative path from ``page``'s folder to the site's root ``folder``: ``""`` or ``"../../"``."""
    up = os.path.relpath(folder, page.parent)
    return "" if up == "." else up.replace(os.sep, "/") + "/"
