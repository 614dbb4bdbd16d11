"""Issue 16's forecast targets in the risk-factor report (``notebooks/risk_factors.ipynb``).

The forecast stage chooses, per outcome and horizon, the forecast with the smallest error on
validation years before the test years, and scores it on the test years as a ratio of its
child-weighted MAE to persistence's (``chosen`` of each outcome in ``forecast/summary.json``:
:func:`~aoresearch.factors.stage.chosen_summary`). This module turns that into the report's
table and plain statement of the targets: the chosen forecast is never worse than persistence
(ratio at most :data:`NEVER_WORSE`) at any of :data:`TARGET_HORIZONS`, and at most
:data:`LONG_TARGET` at horizon :data:`LONG_HORIZON`. It also puts the gradient-boosted model's
skill next to its SHAP attributions, and names the forecast actually projected when it is
another one.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from aoresearch.reports.disclosure import disclosure_table
from aoresearch.reports.i18n import format_number, t, year_span

__all__ = ["NEVER_WORSE", "LONG_HORIZON", "LONG_TARGET", "TARGET_HORIZONS", "TargetCheck", "chosen_forecasts",
           "forecast_name", "check_targets", "chosen_table_html", "targets_html", "targets_brief_html",
           "years_tested", "model_skill_html"]

NEVER_WORSE = 1.0
LONG_HORIZON = 3
LONG_TARGET = 0.97
TARGET_HORIZONS = (1, 2, 3)
CHOSEN_COLUMNS = ["outcome", "horizon", "forecast", "shrink", "ratio"]


def chosen_forecasts(summary: Mapping, horizons: Sequence[int] = TARGET_HORIZONS) -> pd.DataFrame:
    """The forecast chosen per outcome and horizon, from the forecast stage's summary.

    Returns
    -------
    DataFrame, shape (n_outcomes * n_horizons, 5)
        ``outcome``, ``horizon``, ``forecast`` (None where none was chosen), ``shrink`` (the
        combination's fraction) and ``ratio`` (test-year MAE over persistence's); a row for every
        outcome of the summary at every one of ``horizons`` and every horizon chosen.
    """
    rows = []
    for outcome, entry in sorted((summary.get("outcomes") or {}).items()):
        chosen = {int(key[1:]): choice for key, choice in (entry.get("chosen") or {}).items()}
        for horizon in sorted(set(horizons) | set(chosen)):
            choice = chosen.get(horizon, {})
            rows.append({"outcome": outcome, "horizon": horizon, "forecast": choice.get("forecast"),
                         "shrink": float(choice.get("shrink", np.nan)),
                         "ratio": float(choice.get("ratio_to_persistence", np.nan))})
    return pd.DataFrame(rows, columns=CHOSEN_COLUMNS)


def years_tested(summary: Mapping) -> tuple[int, int] | None:
    """First and last test year of the forecast stage's summary, or None if it has none."""
    years = list(summary.get("test_years") or [])
    for entry in (summary.get("outcomes") or {}).values():
        years += list(entry.get("test_years") or [])
    return (int(min(years)), int(max(years))) if years else None


def forecast_name(forecast: str, shrink: float, lang: str) -> str:
    """A candidate forecast in words (the combination with its share of the model's change)."""
    if forecast == "combination":
        return t("forecast_combination", lang, pct=format_number(100 * shrink, lang, 0))
    return t(f"forecast_{forecast}", lang)


@dataclass(frozen=True)
class TargetCheck:
    """Where :func:`chosen_forecasts`' rows miss the targets (rows of the same frame).

    ``worse``: chosen forecast worse than persistence (ratio above :data:`NEVER_WORSE`);
    ``above_long``: ratio above :data:`LONG_TARGET` at :data:`LONG_HORIZON`; ``unassessed``:
    no forecast chosen (or no test ratio) at a target horizon.
    """

    worse: pd.DataFrame
    above_long: pd.DataFrame
    unassessed: pd.DataFrame

    @property
    def met(self) -> bool:
        return self.worse.empty and self.above_long.empty and self.unassessed.empty

    def outcomes_missed(self) -> set[str]:
        return set(self.worse["outcome"]) | set(self.above_long["outcome"]) | set(self.unassessed["outcome"])


def check_targets(chosen: pd.DataFrame, horizons: Sequence[int] = TARGET_HORIZONS) -> TargetCheck:
    """Compare the chosen forecasts' test ratios (:func:`chosen_forecasts`) with the targets."""
    ratio = chosen["ratio"].astype(float)
    target = chosen["horizon"].isin(list(horizons))
    unassessed = target & (chosen["forecast"].isna() | ratio.isna())
    return TargetCheck(worse=chosen[ratio > NEVER_WORSE], unassessed=chosen[unassessed],
                       above_long=chosen[(chosen["horizon"] == LONG_HORIZON) & (ratio > LONG_TARGET)])


def _pct(ratio: float, lang: str) -> str:
    return format_number(100 * ratio, lang, 1)


def chosen_table_html(chosen: pd.DataFrame, names: Mapping[str, str], lang: str) -> str:
    """Table of the chosen forecast and its test-year error (% of persistence's), one row per
    outcome (``names``: display name per outcome, else the column name), one column per horizon."""
    if chosen.empty:
        return ""
    cells = chosen.assign(text=["–" if pd.isna(r.forecast) else t("chosen_cell", lang, pct=_pct(r.ratio, lang),
                                                                  name=forecast_name(r.forecast, r.shrink, lang))
                                for r in chosen.itertuples()])
    wide = cells.pivot(index="outcome", columns="horizon", values="text").fillna("–")
    order = [o for o in dict.fromkeys([*names, *wide.index]) if o in wide.index]
    wide = wide.loc[order]
    wide.index = [names.get(o, o) for o in wide.index]
    wide.columns = [t("col_horizon_ahead", lang, h=int(h)) for h in wide.columns]
    return disclosure_table(wide, lang, column_kinds={c: "text" for c in wide.columns})


def _items(rows: pd.DataFrame, names: Mapping[str, str], lang: str, key: str) -> str:
    return "; ".join(t(key, lang, outcome=names.get(r.outcome, r.outcome), h=int(r.horizon), pct=_pct(r.ratio, lang))
                     for r in rows.itertuples())


def targets_html(chosen: pd.DataFrame, names: Mapping[str, str], years: tuple[int, int] | None, lang: str) -> str:
    """A paragraph stating the targets and whether the chosen forecasts meet them, naming every
    outcome and horizon that misses; "" without chosen forecasts.

    ``names``: running-text name per outcome; ``years``: first and last test year.
    """
    if chosen.empty:
        return ""
    check = check_targets(chosen)
    first, last = years if years else ("–", "–")
    judged_on = year_span("test_year_span", "test_years_span", first, last, lang) if years else \
        t("test_years_span", lang, first=first, last=last)
    parts = [t("targets_intro", lang, test_years=judged_on, long_h=LONG_HORIZON,
               long_pct=format_number(100 * LONG_TARGET, lang, 0))]
    if check.met:
        parts.append(t("targets_met", lang))
    if not check.worse.empty:
        parts.append(t("targets_worse", lang, items=_items(check.worse, names, lang, "targets_item")))
    if not check.above_long.empty:
        parts.append(t("targets_long", lang, h=LONG_HORIZON, pct=format_number(100 * LONG_TARGET, lang, 0),
                       items=_items(check.above_long, names, lang, "targets_item_long")))
    if not check.unassessed.empty:
        parts.append(t("targets_unassessed", lang, items=_items(check.unassessed, names, lang, "targets_item_unassessed")))
    if not check.worse.empty:
        parts.append(t("targets_worse_meaning", lang))
    return f'<p class="{"ao-note" if check.met else "ao-caution"}">{html.escape(" ".join(parts))}</p>'


def targets_brief_html(chosen: pd.DataFrame, lang: str) -> str:
    """One sentence for the report's opening: are the targets met for every outcome, else for
    how many outcomes not; "" without chosen forecasts."""
    if chosen.empty:
        return ""
    check = check_targets(chosen)
    total = chosen["outcome"].nunique()
    if check.met:
        return f'<p class="ao-note">{html.escape(t("targets_brief_met", lang, n=total))}</p>'
    text = t("targets_brief_missed", lang, missed=len(check.outcomes_missed()), n=total)
    return f'<p class="ao-caution">{html.escape(text)}</p>'


def model_skill_html(summary: Mapping, outcome: str, horizon: int, lang: str) -> str:
    """A paragraph for SHAP attributions of ``outcome`` at ``horizon``: they explain the
    gradient-boosted model, whose test-year error relative to persistence is given, and the
    forecast the scenarios and the situation room project with at that horizon is named.

    The model's ratio is the summary's ``mae_ratio_to_persistence`` (measured at the summary's
    ``horizon``; not stated at another horizon) or, where the model was chosen, its chosen ratio.
    """
    entry = (summary.get("outcomes") or {}).get(outcome) or {}
    choice = (entry.get("chosen") or {}).get(f"h{horizon}")
    ratio = (entry.get("mae_ratio_to_persistence") or {}).get("model")
    if int(summary.get("horizon", horizon)) != horizon:
        ratio = None
    if choice and choice.get("forecast") == "model":
        ratio = choice.get("ratio_to_persistence", ratio)
    years = years_tested({"outcomes": {outcome: entry}}) or years_tested(summary)
    if ratio is None or years is None:
        parts = [t("drivers_model_skill_unknown", lang, h=horizon)]
    else:
        parts = [t("drivers_model_skill", lang, h=horizon, tested=year_span("tested_year", "tested_years", *years, lang),
                   pct=_pct(float(ratio), lang))]
    if not choice:
        parts.append(t("drivers_projected_unchosen", lang, h=horizon))
    elif choice["forecast"] == "model":
        parts.append(t("drivers_projected_with_model", lang, h=horizon))
    else:
        parts.append(t("drivers_projected_with_other", lang, h=horizon,
                       name=forecast_name(choice["forecast"], float(choice.get("shrink", np.nan)), lang),
                       pct=_pct(float(choice["ratio_to_persistence"]), lang)))
    caution = ratio is None or float(ratio) >= 1 or (choice is not None and choice["forecast"] != "model")
    return f'<p class="{"ao-caution" if caution else "ao-note"}">{html.escape(" ".join(parts))}</p>'
