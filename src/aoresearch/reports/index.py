"""The index page linking every rendered report, each with its opening sentence."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from aoresearch.reports.i18n import check_language, t
from aoresearch.reports.marks import banner_html
from aoresearch.reports.style import REPORT_CSS
from aoresearch.atomic import atomic_write_text

__all__ = ["IndexEntry", "index_html", "write_index", "lead_of_notebook"]

_LEAD = re.compile(r'<p class="ao-lead[^"]*">(.*?)</p>', re.S)


@dataclass(frozen=True)
class IndexEntry:
    """One report on the index page.

    Attributes
    ----------
    title, href, description : str
    lead : str or None
        The report's opening sentence (plain text), if it was rendered.
    available : bool
        False if the report has not been rendered; it is listed without a link.
    """

    title: str
    href: str
    description: str
    lead: str | None = None
    available: bool = True


def lead_of_notebook(path: str | Path) -> str | None:
    """The first ``ao-lead`` paragraph of an executed report notebook, as plain text (None if absent)."""
    import nbformat

    path = Path(path)
    if not path.is_file():
        return None
    for cell in nbformat.read(str(path), as_version=4).cells:
        for output in cell.get("outputs", []):
            match = _LEAD.search(str(output.get("data", {}).get("text/html", "")))
            if match:
                return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()
    return None


def index_html(reports: Sequence[IndexEntry], lang: str, synthetic: bool, generated: str | None = None,
               pooled: str = "", validation: str = "") -> str:
    """The index page as a self-contained HTML document.

    Parameters
    ----------
    reports : sequence of IndexEntry
    lang : {"en", "fi"}
    synthetic : bool
        Show the synthetic-data banner.
    generated : str, optional
        What the reports were generated from, shown at the foot
        (:func:`aoresearch.reports.dating.report_basis`); no foot line if omitted. Never the
        run date: the page must have the same bytes when rerun on the same inputs.
    pooled : str, optional
        HTML of the pooled answer across pilots (:func:`aoresearch.reports.pooled.pooled_index_html`),
        shown before the list.
    validation : str, optional
        HTML of the data-validation section (:func:`aoresearch.reports.validation_index.validation_index_html`),
        shown after the list.
    """
    check_language(lang)
    items = "".join(_item(entry, lang) for entry in reports)
    title = html.escape(t("index_title", lang))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1.0">'
        f"<title>{title}</title><style>{REPORT_CSS}</style></head>"
        f'<body class="ao-report"><main>{banner_html(lang) if synthetic else ""}'
        f"<h1>{title}</h1><p>{html.escape(t('index_intro', lang))}</p>{pooled}"
        f'<ul class="ao-index">{items}</ul>{validation}'
        f"{_foot(generated, lang)}</main></body></html>\n"
    )


def _foot(generated: str | None, lang: str) -> str:
    if not generated:
        return ""
    return f'<p class="ao-foot">{html.escape(t("generated_from", lang, basis=generated))}</p>'


def _item(entry: IndexEntry, lang: str) -> str:
    name = html.escape(entry.title)
    head = f'<a href="{html.escape(entry.href, quote=True)}">{name}</a>' if entry.available else \
        f'<span class="ao-unavailable">{name}</span> <em>({html.escape(t("index_missing", lang))})</em>'
    lead = f'<p class="ao-index-lead">{html.escape(entry.lead)}</p>' if entry.lead else ""
    return f"<li>{head}<p>{html.escape(entry.description)}</p>{lead}</li>"


def write_index(reports: Sequence[IndexEntry], out: str | Path, lang: str, synthetic: bool, pooled: str = "",
                generated: str | None = None, validation: str = "") -> Path:
    """Write :func:`index_html` to ``out`` atomically and return the path.

    Raises
    ------
    ParameterError
        If ``lang`` is not a report language.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(index_html(reports, lang, synthetic, generated=generated, pooled=pooled, validation=validation), out)
    return out
