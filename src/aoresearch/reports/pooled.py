"""The pooled answer in the reports: the pilots that started together, beside one pilot's own estimate.

Formats ``data/impact_pooled/pooled.parquet`` (the ``impact_pooled`` stage,
:mod:`aoresearch.impact.pooling`), read by :func:`aoresearch.impact.files.read_pooled`
(re-exported here for the notebooks); nothing is estimated here.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from aoresearch.impact.files import read_pooled
from aoresearch.reports.i18n import format_number, t

__all__ = ["read_pooled", "pooled_html", "pooled_index_html"]  # read_pooled: aoresearch.impact.files


def _pct(value: float, lang: str) -> str:
    if value is None or not np.isfinite(float(value)):
        return "–"
    text = format_number(value, lang, 0 if abs(value) >= 10 else 1)
    return text if value < 0 or text.startswith(("−", "-")) else f"+{text}"


def _sentence(row: pd.Series, lang: str, alpha: float) -> str:
    group = t(f"pooled_group_{row['group']}", lang)
    verdict = t("pooled_clear" if row["p_value"] < alpha else "pooled_zero", lang)
    return t("pooled_sentence", lang, group=group, n=int(row["n_pilots"]), year=int(row["adoption_year"]),
             pct=_pct(row["percent"], lang), pct_lower=_pct(row["percent_lower"], lang),
             pct_upper=_pct(row["percent_upper"], lang), p=format_number(row["p_value"], lang, 2),
             mde=format_number(abs(row["mde_percent"]), lang, 0), verdict=verdict)


def pooled_html(pooled: pd.DataFrame | None, pilot_key: str, category: str, outcome: str | None, lang: str,
                alpha: float = 0.05) -> str:
    """Pooled estimates (the pilot's category, then all pilots) that include ``pilot_key`` ("" if none)."""
    if pooled is None or pooled.empty or outcome is None:
        return ""
    rows = pooled[(pooled["outcome"] == outcome) & pooled["pilots"].str.split(",").map(lambda keys: pilot_key in keys)]
    rows = rows[rows["group"].isin([category, "all"])]
    if rows.empty:
        return ""
    rows = rows.assign(order=rows["group"].map({category: 0, "all": 1})).sort_values("order")
    sentences = [t("pooled_intro", lang)] + [_sentence(row, lang, alpha) for _, row in rows.iterrows()]
    body = "".join(f"<p>{html.escape(s)}</p>" for s in sentences)
    return f'<div class="ao-pooled">{body}</div>'


def pooled_index_html(pooled: pd.DataFrame | None, outcome: str, lang: str, alpha: float = 0.05) -> str:
    """Every pooled estimate of ``outcome`` for the index page ("" if none)."""
    if pooled is None or pooled.empty:
        return ""
    rows = pooled[pooled["outcome"] == outcome]
    if rows.empty:
        return ""
    order = {"all": 0, "municipality": 1, "wellbeing_county": 2}
    rows = rows.iloc[np.argsort([order.get(g, 3) for g in rows["group"]], kind="stable")]
    body = "".join(f"<p>{html.escape(_sentence(row, lang, alpha))}</p>" for _, row in rows.iterrows())
    return f'<div class="ao-pooled"><p>{html.escape(t("pooled_intro", lang))}</p>{body}</div>'
