"""The data-validation section of the reports index: counts, warnings and hand edits, and links
to the Great Expectations Data Docs.

The index shows the essentials of each validate stage's summary (``data/validation/<what>.json``):
per validated table, the counts, every failed warning, and the expectations of the stored suites
(``gx/expectations/``) edited or added by hand (``edited_expectations``, ``added_expectations``,
when the summary has them). A warning is shown without its example rows: they name single small
regions, which the funder-facing pages do not show individually (``reports.min_children``); the
Data Docs, for researchers, keep them. The Data Docs are readable offline too, in a plainer form
(:mod:`aoresearch.validation.offline_docs`).
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
        details = "".join(f"<li>{html.escape(_without_examples(w['message']))}</li>" for w in summary.get("warnings", []))
        details += _hand_edits(summary, lang)
        items.append(f"<li>{html.escape(counts)} {docs}{f'<ul>{details}</ul>' if details else ''}</li>")
    return (f'<section class="ao-validation"><h2>{html.escape(t("index_validation_title", lang))}</h2>'
            f"<p>{html.escape(t('index_validation_intro', lang))}</p><ul>{''.join(items)}</ul></section>")


def _hand_edits(summary: Mapping, lang: str) -> str:
    """One item per kind (edited, added) listing the stored expectations changed by hand, if any."""
    items = []
    for kind in ("edited", "added"):
        changes = summary.get(f"{kind}_expectations") or []
        if changes:
            names = "; ".join(f"{c['table']} [{c['rule']}] ({c['file']})" for c in changes)
            items.append(f"<li>{html.escape(t(f'index_validation_{kind}', lang, names=names))}</li>")
    return "".join(items)


def _without_examples(message: str) -> str:
    """A warning's message up to its example rows (``"..., e.g. (region 97, ...)"``)."""
    return message.split(", e.g. ", 1)[0]
