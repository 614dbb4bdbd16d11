"""The data-validation section of the reports index: counts and warnings readable offline, and
links to the Great Expectations Data Docs.

The Data Docs pages load their styles and build their run list with scripts from the internet,
so an offline reader of the index sees the essentials here: per validated table, the counts and
every failed warning (``data/validation/<what>.json``). A warning is shown without its example
rows: they name single small regions, which the funder-facing pages do not show individually
(``reports.min_children``); the Data Docs, for researchers, keep them.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from pathlib import Path

from aoresearch.reports.i18n import t
from aoresearch.validation.summary_file import DATA_DOCS

__all__ = ["validation_index_html"]


def validation_index_html(summaries: Mapping[str, dict | None], lang: str, index_folder: str | Path = "reports/html") -> str:
    """HTML section for the index page.

    Parameters
    ----------
    summaries : mapping
        ``{"raw": summary or None, "panels": ...}`` (:func:`aoresearch.validation.summary_file.read_validation_summary`);
        None: that stage has not run.
    lang : {"en", "fi"}
    index_folder : path
        Folder of the index page, relative to the repository root, for the relative links.
    """
    items = []
    for what, summary in summaries.items():
        name = html.escape(t(f"validated_{what}", lang))
        if summary is None:
            items.append(f"<li>{name}: {html.escape(t('index_validation_missing', lang))}</li>")
            continue
        counts = t("validation_summary", lang, name=t(f"validated_{what}", lang), passed=summary["passed"],
                   expectations=summary["expectations"], critical=summary["failed_critical"],
                   warnings=summary["failed_warning"])
        link = os.path.relpath(DATA_DOCS[what], index_folder)
        docs = f'<a href="{html.escape(link, quote=True)}">{html.escape(t("index_validation_docs", lang))}</a>'
        warnings = "".join(f"<li>{html.escape(_without_examples(w['message']))}</li>" for w in summary.get("warnings", []))
        items.append(f"<li>{html.escape(counts)} {docs}{f'<ul>{warnings}</ul>' if warnings else ''}</li>")
    return (f'<section class="ao-validation"><h2>{html.escape(t("index_validation_title", lang))}</h2>'
            f"<p>{html.escape(t('index_validation_intro', lang))}</p><ul>{''.join(items)}</ul></section>")


def _without_examples(message: str) -> str:
    """A warning's message up to its example rows (``"..., e.g. (region 97, ...)"``)."""
    return message.split(", e.g. ", 1)[0]
