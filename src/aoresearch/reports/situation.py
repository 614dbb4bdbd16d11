"""Content of the situation room report: which regions are shown, latest values, the summary.

The notebook ``notebooks/situation_room.ipynb`` calls these functions; they hold no layout
beyond small HTML fragments, so the content can be tested without executing the notebook.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from aoresearch.catalogue import Catalogue, Rate
from aoresearch.config import Pilot
from aoresearch.errors import PanelStructureError
from aoresearch.panel.files import read_panel
from aoresearch.reports.dating import report_basis, retrieval_date
from aoresearch.reports.disclosure import disclosure_table, is_small_count, small_regions
from aoresearch.reports.i18n import format_number, rate_label, t

__all__ = [
    "HEADLINE_RATE",
    "RegionRows",
    "Situation",
    "load_situation",
    "region_label",
    "latest_values",
    "headline",
    "summary_html",
    "latest_table_html",
    "provenance_html",
    "footnotes_html",
    "scenario_inputs",
    "projection_note",
]

HEADLINE_RATE = "oohc_per_1000"
_ROLE_ORDER = {"outcome": 0, "risk": 1, "protective": 2, "context": 3}


@dataclass(frozen=True)
class RegionRows:
    """One pilot region's panel rows (sorted by year)."""

    pilot: Pilot
    rows: pd.DataFrame


@dataclass(frozen=True)
class Situation:
    """What the situation room shows.

    Attributes
    ----------
    regions : tuple of RegionRows
        Pilot regions shown individually, in the requested order.
    hidden : tuple of Pilot
        Pilot regions below ``min_children``: named, never shown individually.
    national : DataFrame, shape (n_years, n_columns)
        The whole country's panel rows.
    rates : tuple of Rate
        Catalogue rates with data, outcomes first.
    unavailable : tuple of Rate
        Catalogue rates without any value in the regions shown or the country.
    latest_year : int
        Last year of the national panel.
    min_children : int
    """

    regions: tuple[RegionRows, ...]
    hidden: tuple[Pilot, ...]
    national: pd.DataFrame
    rates: tuple[Rate, ...]
    unavailable: tuple[Rate, ...]
    latest_year: int
    min_children: int


def load_situation(panel_dir: str | Path, pilots: Sequence[Pilot], catalogue: Catalogue, min_children: int,
                   national: str = "country") -> Situation:
    """Read the panels the situation room needs and apply the minimum region size.

    Parameters
    ----------
    panel_dir : str or Path
        Folder of ``<category>.parquet`` panels.
    pilots : sequence of Pilot
        Regions to show; each is read from the panel named by its ``category``.
    catalogue : Catalogue
    min_children : int
        Regions with fewer children aged 0-17 (in any year) are hidden.
    national : str
        Name of the whole-country panel.

    Raises
    ------
    ParameterError
        If a panel file is missing.
    PanelStructureError
        If a pilot region has no rows in its panel.
    """
    panels = {name: read_panel(panel_dir, name).frame for name in dict.fromkeys(p.category for p in pilots)}
    country = read_panel(panel_dir, national).frame.sort_values("year").reset_index(drop=True)
    shown, hidden = [], []
    for pilot in pilots:
        rows = _pilot_rows(panels[pilot.category], pilot)
        (hidden if small_regions(rows, min_children) else shown).append(RegionRows(pilot, rows))
    frames = [r.rows for r in shown] + [country]
    rates = sorted(catalogue.rates, key=lambda r: _ROLE_ORDER.get(r.role, 9))
    available = tuple(r for r in rates if any(r.column in f and f[r.column].notna().any() for f in frames))
    return Situation(
        regions=tuple(shown),
        hidden=tuple(r.pilot for r in hidden),
        national=country,
        rates=available,
        unavailable=tuple(r for r in rates if r not in available),
        latest_year=int(country["year"].max()),
        min_children=min_children,
    )


def _pilot_rows(panel: pd.DataFrame, pilot: Pilot) -> pd.DataFrame:
    rows = panel[panel["region"] == pilot.region].sort_values("year").reset_index(drop=True)
    if rows.empty:
        raise PanelStructureError(
            f"pilot '{pilot.key}' (region {pilot.region}) has no rows in the '{pilot.category}' panel; "
            f"check pilots.{pilot.key}.region and .category in params.yaml."
        )
    return rows


def region_label(region: RegionRows, lang: str) -> str:
    """Display name: the pilot's name in English, the official Finnish name in Finnish."""
    if lang == "fi" and "region_name" in region.rows:
        return str(region.rows["region_name"].iloc[0])
    return region.pilot.name


def latest_values(situation: Situation, lang: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Latest-year values of every available rate per region, and the whole country.

    Returns
    -------
    values : DataFrame, shape (n_rates, n_regions)
        Index = rate labels in ``lang``; columns = region labels.
    imputed : DataFrame of bool, same shape
        True where the rate rests on a filled-in suppressed count.
    national : Series, shape (n_rates,)
        Whole-country values.
    """
    labels = [rate_label(r, lang) for r in situation.rates]
    values, imputed = {}, {}
    for region in situation.regions:
        row = _year_row(region.rows, situation.latest_year)
        name = region_label(region, lang)
        values[name] = [_get(row, r.column) for r in situation.rates]
        imputed[name] = [bool(_get(row, f"{r.column}_imputed", False)) for r in situation.rates]
    national_row = _year_row(situation.national, situation.latest_year)
    national = pd.Series([_get(national_row, r.column) for r in situation.rates], index=labels, dtype=float)
    return (pd.DataFrame(values, index=labels, dtype=float), pd.DataFrame(imputed, index=labels, dtype=bool), national)


def _year_row(rows: pd.DataFrame, year: int) -> pd.Series | None:
    match = rows[rows["year"] == year]
    return None if match.empty else match.iloc[0]


def _get(row: pd.Series | None, column: str, default: Any = float("nan")) -> Any:
    if row is None or column not in row.index or pd.isna(row[column]):
        return default
    return row[column]


def headline(situation: Situation, rate: str = HEADLINE_RATE) -> pd.DataFrame:
    """The headline rate per shown region in the latest year, against the whole country.

    Returns
    -------
    DataFrame, shape (n_regions, 6)
        ``key``, ``year``, ``value``, ``imputed``, ``national``, ``ratio`` (value / national).
    """
    national = _get(_year_row(situation.national, situation.latest_year), rate)
    records = []
    for region in situation.regions:
        row = _year_row(region.rows, situation.latest_year)
        value = _get(row, rate)
        records.append({
            "key": region.pilot.key,
            "year": situation.latest_year,
            "value": value,
            "imputed": bool(_get(row, f"{rate}_imputed", False)),
            "national": national,
            "ratio": value / national if national and national > 0 else float("nan"),
        })
    return pd.DataFrame.from_records(records, columns=["key", "year", "value", "imputed", "national", "ratio"])


def summary_html(situation: Situation, lang: str, rate: str = HEADLINE_RATE) -> str:
    """The report's opening: one plain-words sentence per region on out-of-home care.

    Returns
    -------
    str
        ``<div class="ao-summary">`` with a lead sentence, one bullet per region and the caution.
    """
    parts = []
    if not situation.regions:
        parts.append(f"<p>{html.escape(t('no_regions', lang))}</p>")
    elif any(r.column == rate for r in situation.rates):
        lines = headline(situation, rate)
        comparable = lines[~lines["imputed"] & lines["ratio"].notna()]
        below = int((comparable["ratio"] < 0.995).sum())
        parts.append(f'<p class="ao-lead">{html.escape(t("lead_oohc", lang, year=situation.latest_year, below=below, n=len(lines)))}</p>')
        items = "".join(f"<li>{html.escape(_sentence(r, line, lang))}</li>" for r, line in zip(situation.regions, lines.itertuples()))
        parts.append(f"<ul>{items}</ul>")
    parts.append(f'<p class="ao-caution">{html.escape(t("caution_descriptive", lang))}</p>')
    if situation.hidden:
        names = ", ".join(p.name for p in situation.hidden)
        parts.append(f"<p>{html.escape(t('not_shown_small', lang, min_children=format_number(situation.min_children, lang, 0), regions=names))}</p>")
    return f'<div class="ao-summary">{"".join(parts)}</div>'


def _sentence(region: RegionRows, line: Any, lang: str) -> str:
    name = region_label(region, lang)
    adoption = region.pilot.adoption_year
    when = t("sentence_adoption" if adoption <= line.year else "sentence_adoption_planned", lang, year=adoption)
    if line.imputed:
        return f"{t('sentence_oohc_suppressed', lang, region=name, year=line.year)} {when}"
    pct = round(abs(line.ratio - 1) * 100)
    key = "cmp_same" if pct == 0 else ("cmp_below" if line.ratio < 1 else "cmp_above")
    text = t("sentence_oohc", lang, region=name, year=line.year, value=format_number(line.value, lang),
             national=format_number(line.national, lang), comparison=t(key, lang, pct=pct))
    return f"{text} {when}"


def latest_table_html(situation: Situation, lang: str, small_count_max: int = 5) -> str:
    """The latest-year table: numbers of children and placements, then every rate by role."""
    values, imputed, national = latest_values(situation, lang)
    counts, count_flags = _count_rows(situation, lang)
    country = t("whole_country", lang)
    values = pd.concat([counts, values])
    values[country] = list(counts[country]) + list(national)
    imputed = pd.concat([count_flags, imputed]).reindex(columns=values.columns).fillna(False)
    groups = {label: t("role_counts", lang) for label in counts.index}
    groups.update({rate_label(r, lang): t(f"role_{r.role}", lang) for r in situation.rates})
    children = {region_label(r, lang): r.rows["children_0_17"].min() for r in situation.regions}
    return disclosure_table(
        values, lang, row_kinds={label: "count" for label in counts.index}, imputed=imputed.astype(bool),
        groups=groups, column_children=children, caption=t("latest_caption", lang, year=situation.latest_year),
        small_count_max=small_count_max,
    )


def _count_rows(situation: Situation, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = {"children_0_17": t("children_count", lang), "placements_0_17": t("placements_count", lang)}
    frames = [(region_label(r, lang), r.rows) for r in situation.regions] + [(t("whole_country", lang), situation.national)]
    values, flags = {}, {}
    for name, frame in frames:
        row = _year_row(frame, situation.latest_year)
        values[name] = [_get(row, key) for key in rows]
        flags[name] = [bool(_get(row, f"{key}_imputed", False)) for key in rows]
    labels = list(rows.values())
    return pd.DataFrame(values, index=labels, dtype=float), pd.DataFrame(flags, index=labels, dtype=bool)


def provenance_html(provenance: dict[str, Any] | None, lang: str, generated: str | None = None, raw_dir: str | Path = "") -> str:
    """Data provenance as a two-column table: source, synthetic or real, retrieval date, years, licence.

    ``generated`` is the "Report generated" row; by default what the provenance says the report
    was generated from (:func:`aoresearch.reports.dating.report_basis`), never the run date, so
    the same inputs render the same bytes.
    """
    if provenance is None:
        return f"<p>{html.escape(t('provenance_missing', lang, path=str(raw_dir)))}</p>"
    source = str(provenance.get("source", ""))
    synthetic = bool(provenance.get("synthetic", False))
    years = provenance.get("years") or []
    items = [
        (t("about_source", lang), t(f"source_{source}", lang) if f"source_{source}" in _SOURCES else source),
        (t("about_synthetic", lang), t("value_synthetic" if synthetic else "value_real", lang)),
        (t("about_retrieved", lang), _retrieved(provenance, synthetic, lang)),
        (t("about_years", lang), f"{years[0]}–{years[-1]}" if years else t("value_not_recorded", lang)),
        (t("about_licence", lang), str(provenance.get("licence") or ("–" if synthetic else t("source_credit", lang)))),
        (t("about_generated", lang), generated if generated is not None else report_basis(provenance, lang)),
    ]
    if provenance.get("notice"):
        items.append((t("about_notice", lang), str(provenance["notice"])))
    values = pd.DataFrame({"": [v for _, v in items]}, index=[k for k, _ in items])
    return f'<div class="ao-provenance">{disclosure_table(values, lang, column_kinds={"": "text"})}</div>'


_SOURCES = {"source_demo", "source_file", "source_sotkanet"}


def footnotes_html(situation: Situation, lang: str, small_count_max: int = 5) -> str:
    """Footnotes of the latest-values table: the marks it uses, and indicators without data."""
    counts, count_flags = _count_rows(situation, lang)
    _, imputed, _ = latest_values(situation, lang)
    notes = []
    if count_flags.to_numpy().any() or counts.map(lambda v: is_small_count(v, 1, small_count_max)).to_numpy().any():
        notes.append(t("footnote_small_count", lang, n=small_count_max + 1))
    if imputed.to_numpy().any():
        notes.append(t("footnote_imputed", lang))
    if situation.unavailable:
        notes.append(t("not_available", lang, names="; ".join(rate_label(r, lang) for r in situation.unavailable)))
    return '<div class="ao-footnotes">' + "".join(f"<p>{html.escape(n)}</p>" for n in notes) + "</div>"


def scenario_inputs(situation: Situation, scenarios: pd.DataFrame, rate: Rate, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Observed history and projections of one rate for the shown regions, keyed by region label.

    Parameters
    ----------
    scenarios : DataFrame
        Long table with columns ``region`` (Sotkanet id), ``scenario``, ``year``, ``rate``
        (a catalogue rate column) and ``value``.

    Returns
    -------
    history, projections : DataFrame
        ``label``, ``year``, ``value`` (imputed values left out) and ``label``, ``scenario``,
        ``year``, ``value``.
    """
    history, projections = [], []
    for region in situation.regions:
        label = region_label(region, lang)
        rows = region.rows
        flag = rows.get(f"{rate.column}_imputed", pd.Series(False, index=rows.index)).fillna(False).astype(bool)
        history.append(pd.DataFrame({"label": label, "year": rows["year"], "value": rows[rate.column].where(~flag)}))
        mine = scenarios[(scenarios["region"] == region.pilot.region) & (scenarios["rate"] == rate.column)]
        projections.append(mine.assign(label=label)[["label", "scenario", "year", "value"]])
    return pd.concat(history, ignore_index=True), pd.concat(projections, ignore_index=True)


def _retrieved(provenance: dict[str, Any], synthetic: bool, lang: str) -> str:
    return retrieval_date(provenance) or t("value_generated" if synthetic else "value_not_recorded", lang)


def projection_note(scenarios: pd.DataFrame, rate: str, lang: str) -> str:
    """One sentence naming the forecast projected at each horizon for ``rate`` (the scenarios
    stage's ``forecast`` column, chosen on validation years; several names joined by " / " where
    the rows differ, e.g. a county projected by persistence where the fixed-effects model has no
    effect for it); empty if the table has none. Pass the shown regions' rows.

    Parameters
    ----------
    scenarios : DataFrame
        :func:`~aoresearch.reports.data.read_scenarios`' table, with ``horizon``, ``forecast`` and,
        for the combination, ``shrink`` columns.
    """
    if "forecast" not in scenarios.columns:
        return ""
    rows = scenarios[scenarios["rate"] == rate].drop_duplicates(["horizon", "forecast"]).sort_values(["horizon", "forecast"])
    choices = "; ".join(
        t("projection_horizon", lang, h=int(h), name=" / ".join(_forecast_name(r, lang) for r in group.itertuples()))
        for h, group in rows.groupby("horizon", sort=True)
    )
    return t("projection_forecast", lang, choices=choices) if choices else ""


def _forecast_name(row, lang: str) -> str:
    if row.forecast == "combination":
        return t("forecast_combination", lang, pct=format_number(100 * float(getattr(row, "shrink", float("nan"))), lang, 0))
    return t(f"forecast_{row.forecast}", lang)
