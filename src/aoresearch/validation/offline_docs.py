"""Make a rendered Data Docs site readable without the internet.

Great Expectations' pages load Bootstrap, jQuery, bootstrap-table and Font Awesome from CDNs.
Offline (a funder opening the HTML from a zip, a reviewer without internet) a site index shows
no run list at all, because bootstrap-table builds it in JavaScript from a ``data: [...]`` array
inside a script, and the other pages are unstyled. :func:`add_offline_reading` adds to a page:

- a small stylesheet of our own (bordered, padded tables; a readable font; green and red
  status; a check mark or cross in place of the Font Awesome icons; collapsed sections and
  inactive tabs shown; buttons that need the scripts hidden);
- a one-line script, after the CDN scripts, that marks the page online (``ao-online`` on
  ``<html>``) when jQuery with bootstrap-table has loaded: the stylesheet then steps aside and
  the static lists are hidden, so an online reader sees the Great Expectations pages unchanged;
- on a site index, a static HTML run list (status, Expectation Suite with a link to its page,
  run name, link to the validation result) and a list of the Expectation Suites, built from
  the page's own ``data: [...]`` arrays, sorted by name so reruns give the same bytes;
- the Great Expectations logo from the site's own ``static/images`` instead of the web.

Every addition sits between ``<!-- ao-offline:begin -->`` and ``<!-- ao-offline:end -->`` and is
removed before the page is rewritten, so running it again on its own output changes nothing.
If a ``data`` array cannot be read, the index says so in place of the list and still links
every validation page it can find in the array's text.
"""

from __future__ import annotations

import ast
import html
import json
import logging
import re
from dataclasses import dataclass

__all__ = ["ValidationRun", "add_offline_reading", "index_lists"]

logger = logging.getLogger(__name__)

BEGIN, END = "<!-- ao-offline:begin -->", "<!-- ao-offline:end -->"
_ADDED = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
_TABLE_DATA = re.compile(r"\$\('#(?P<table>[\w-]+)'\)\.bootstrapTable\(\s*Object\.assign\(\s*\{\s*"
                         r"columns: [^\n]*\n\s*data: (?P<data>[^\n]*?),?[ \t]*\n")
_LINK_PATH = re.compile(r"""['"]_table_row_link_path['"]:\s*['"]([^'"]+)['"]""")
_HREF = re.compile(r'href="([^"]+)"')
_WEB_LOGO = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png"

_STYLE = """<style>
html.ao-online .ao-offline-only { display: none; }
html:not(.ao-online) body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif;
  font-size: 15px; line-height: 1.45; color: #212529; margin: 0 1.5em 4em; }
html:not(.ao-online) a { color: #0b5cad; }
html:not(.ao-online) table { border-collapse: collapse; margin: 0.5em 0 1em; }
html:not(.ao-online) th, html:not(.ao-online) td { border: 1px solid #c8ccd0; padding: 4px 8px;
  text-align: left; vertical-align: top; }
html:not(.ao-online) th { background: #eef0f2; }
html:not(.ao-online) .alert { background: #eef0f2; padding: 0.5em 1em; margin: 1em 0; }
html:not(.ao-online) .text-success, html:not(.ao-online) .ao-passed { color: #1e7e34; }
html:not(.ao-online) .text-danger, html:not(.ao-online) .ao-failed { color: #c82333; font-weight: 600; }
html:not(.ao-online) .fa-check-circle::before { content: "\\2714"; }
html:not(.ao-online) .fa-times::before { content: "\\2718"; }
html:not(.ao-online) .fas { font-style: normal; }
html:not(.ao-online) .collapse, html:not(.ao-online) .tab-content > .tab-pane { display: block; opacity: 1; }
html:not(.ao-online) .btn, html:not(.ao-online) [id$="-body-table-toolbar"] { display: none; }
html:not(.ao-online) nav ul, html:not(.ao-online) .nav { padding-left: 1.2em; }
html:not(.ao-online) footer { font-size: 12px; }
</style>"""
_ONLINE = ("<script>if (window.jQuery && jQuery.fn && jQuery.fn.bootstrapTable) "
           "document.documentElement.classList.add('ao-online');</script>")


@dataclass(frozen=True)
class ValidationRun:
    """One row of a site index's validation results, as the page's ``data`` array gives it.

    Attributes
    ----------
    suite : str
        Expectation Suite (and validated table) name.
    success : bool
    run_name : str
    result_link, suite_link : str
        Paths of the validation result page and the suite page, relative to the index page.
    """

    suite: str
    success: bool
    run_name: str
    result_link: str
    suite_link: str


def add_offline_reading(text: str, site_root: str | None = None) -> str:
    """One Data Docs page with the offline stylesheet, the online switch and, on an index, the static lists.

    Parameters
    ----------
    text : str
        The page's HTML (earlier additions are replaced, so the function is idempotent).
    site_root : str, optional
        Relative path from the page's folder to the site's root folder (``""``, ``"../../"``), for
        the logo in the site's ``static/images``; None leaves the logo's web address alone.
    """
    text = _ADDED.sub("", text)
    if site_root is not None:
        text = text.replace(f'src="{_WEB_LOGO}"', f'src="{site_root}static/images/logo-long.png"')
    text = _insert_before(text, "</head>", _STYLE + _ONLINE)
    lists = _index_lists_html(text)
    if lists:
        anchor = re.search(r'<div[^>]*class="tab-content"', text)
        text = _insert_at(text, anchor.start() if anchor else _after_body(text), lists)
    return text


def index_lists(text: str) -> tuple[list[ValidationRun] | None, list[tuple[str, str]] | None, list[str]]:
    """The validation runs and Expectation Suites listed in a site index's ``data`` arrays.

    Returns
    -------
    runs : list of ValidationRun or None
        Sorted by suite and run name; None if the page has no validation results array.
    suites : list of (name, link) or None
        Sorted by name; None if the page has no Expectation Suites array.
    unreadable : list of str
        The text of each array that could not be read, for the fallback links.
    """
    runs = suites = None
    unreadable: list[str] = []
    for match in _TABLE_DATA.finditer(text):
        rows = _literal(match.group("data"))
        if rows is None or not all(isinstance(row, dict) for row in rows):
            logger.warning("Data Docs table %s: its data array is not a list of records; the offline "
                           "list links the pages found in its text instead", match.group("table"))
            unreadable.append(match.group("data"))
        elif any("run_name" in row for row in rows):
            runs = sorted((_run(row) for row in rows), key=lambda r: (r.suite, r.run_name, r.result_link))
        else:
            suites = sorted((_plain(row.get("expectation_suite_name", "")), row.get("_table_row_link_path", ""))
                            for row in rows)
    return runs, suites, unreadable


def _literal(source: str) -> list | None:
    """A ``data`` array read as a Python literal (Great Expectations writes a list's repr), else as JSON."""
    for read in (ast.literal_eval, json.loads):
        try:
            value = read(source)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        return value if isinstance(value, list) else None
    return None


def _run(row: dict) -> ValidationRun:
    suite = str(row.get("_expectation_suite_name_sort") or _plain(row.get("expectation_suite_name", "")))
    if "_validation_success_text" in row:
        success = str(row["_validation_success_text"]).lower() == "success"
    else:
        success = "ge-success-icon" in str(row.get("validation_success", ""))
    suite_link = _HREF.search(str(row.get("expectation_suite_name", "")))
    return ValidationRun(suite, success, str(row.get("run_name", "")), str(row.get("_table_row_link_path", "")),
                         html.unescape(suite_link.group(1)) if suite_link else f"expectations/{suite}.html")


def _plain(fragment: object) -> str:
    """The text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", str(fragment))).split())


def _index_lists_html(text: str) -> str:
    runs, suites, unreadable = index_lists(text)
    parts = []
    if runs is not None:
        rows = "".join(
            f'<tr class="{"ao-passed" if r.success else "ao-failed"}">'
            f'<td>{"&#10004; passed" if r.success else "&#10008; failed"}</td>'
            f"<td>{_link(r.suite_link, r.suite)}</td><td>{html.escape(r.run_name)}</td>"
            f"<td>{_link(r.result_link, 'validation result')}</td></tr>"
            for r in runs)
        parts.append("<h5>Validation results</h5><table><thead><tr><th>Status</th><th>Expectation Suite</th>"
                     f"<th>Run name</th><th>Result page</th></tr></thead><tbody>{rows}</tbody></table>")
    if suites is not None:
        items = "".join(f"<li>{_link(link, name)}</li>" for name, link in suites)
        parts.append(f"<h5>Expectation Suites</h5><ul>{items}</ul>")
    for source in unreadable:
        links = "".join(f"<li>{_link(path, path)}</li>" for path in sorted(set(_LINK_PATH.findall(source))))
        parts.append("<p>The list of this table could not be read from the page; the pages it links "
                     f"are:</p><ul>{links}</ul>")
    if not parts:
        return ""
    return ('<section class="ao-offline-only" id="ao-offline-lists"><p><em>Static list for reading '
            f"without the internet (the interactive table needs scripts from the web).</em></p>{''.join(parts)}</section>")


def _link(path: str, label: str) -> str:
    return f'<a href="{html.escape(path, quote=True)}">{html.escape(label)}</a>'


def _insert_before(text: str, tag: str, addition: str) -> str:
    at = text.find(tag)
    return _insert_at(text, at if at >= 0 else _after_body(text), addition)


def _after_body(text: str) -> int:
    body = re.search(r"<body[^>]*>", text)
    return body.end() if body else 0


def _insert_at(text: str, at: int, addition: str) -> str:
    return text[:at] + BEGIN + addition + END + text[at:]
