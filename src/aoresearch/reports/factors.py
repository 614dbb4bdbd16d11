"""Content of the risk and protective factors report (``notebooks/risk_factors.ipynb``).

Reads the ``associations`` and ``forecast`` stage outputs (``data/factors/``, including the forecast
stage's evaluation ``forecast/summary.json``) and the PNG figures of ``reports/figures/factors/`` (``factor_figures`` stage).
Missing inputs are listed, not raised.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from aoresearch.catalogue import Catalogue
from aoresearch.reports.disclosure import disclosure_table
from aoresearch.reports.forecast_targets import forecast_name
from aoresearch.reports.i18n import MESSAGES, format_number, rate_label, t, year_span
from aoresearch.reports.marks import mark_figure
from aoresearch.reports.plots import PALETTE, _LocaleFormatter

__all__ = ["FactorResults", "Accuracy", "load_factors", "forecast_accuracy", "accuracy_html", "accuracy_table_html",
           "factor_label", "lead_html", "factor_table_html", "association_lookup", "factor_figures", "external_figure",
           "year_text", "outcome_subject", "pilot_drivers", "plot_drivers", "drivers_sentence",
           "factor_data_source", "data_sources_html"]

OWN_HISTORY_NAMES = ("own_history", "history", "own")
FORECAST_SUMMARY = "forecast/summary.json"
_TABLES = {"factor_table": "forecast/factor_table.parquet", "pilot_attributions": "forecast/pilot_attributions.parquet",
           "associations": "associations.parquet"}
BASELINES = ("region_trend", "fe_linear")


@dataclass(frozen=True)
class FactorResults:
    """The factor stages' tables (``None`` if missing), the forecast stage's evaluation summary
    (empty if missing) and the paths that were not found."""

    tables: Mapping[str, pd.DataFrame | None]
    figures: Path
    missing: tuple[str, ...] = ()
    horizon: int | None = None
    forecast_summary: Mapping = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame | None:
        frame = self.tables.get(name)
        return None if frame is None or frame.empty else frame


def load_factors(factors_dir: str | Path, figures_dir: str | Path) -> FactorResults:
    """Read ``factor_table``, ``pilot_attributions``, ``associations`` and the forecast stage's
    evaluation (``<factors_dir>/forecast/summary.json``) where they exist."""
    factors_dir = Path(factors_dir)
    tables, missing = {}, []
    summary_path = factors_dir / FORECAST_SUMMARY
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.is_file() else {}
    if not summary:
        missing.append(str(summary_path))
    for name, relative in _TABLES.items():
        path = factors_dir / relative
        tables[name] = pd.read_parquet(path) if path.is_file() else None
        if tables[name] is None:
            missing.append(str(path))
    horizon = None
    attributions = tables.get("pilot_attributions")
    if attributions is not None and "horizon" in attributions and len(attributions):
        horizon = int(attributions["horizon"].iloc[0])
    return FactorResults(tables, Path(figures_dir), tuple(missing), horizon, summary)


@dataclass(frozen=True)
class Accuracy:
    """Held-out forecast accuracy of one outcome, as the forecast stage measured it (its summary).

    ``ratio``: the model's child-weighted MAE over persistence's (below 1: the model is better);
    ``baselines``: the same ratio for each other baseline; ``coverage``: child-weighted share of
    observed values inside the forecast interval of nominal coverage ``nominal``.
    """

    outcome: str
    ratio: float
    baselines: Mapping[str, float]
    coverage: float
    nominal: float
    first_year: int
    last_year: int


def forecast_accuracy(results: FactorResults, outcome: str) -> Accuracy | None:
    """Accuracy of ``outcome``'s held-out forecasts against persistence, or None if not measured."""
    summary = (results.forecast_summary.get("outcomes") or {}).get(outcome)
    if not summary:
        return None
    ratios, interval, years = summary["mae_ratio_to_persistence"], summary["interval"], summary["test_years"]
    return Accuracy(outcome, float(ratios["model"]), {b: float(ratios[b]) for b in BASELINES if b in ratios},
                    float(interval["coverage_weighted"]), float(interval["nominal"]), int(min(years)), int(max(years)))


def accuracy_html(accuracy: Accuracy | None, subject: str, horizon: str, lang: str) -> str:
    """One paragraph: does the model forecast better than carrying the last value forward?

    Said plainly when it does not: the projections then add little to the latest observed level.
    """
    if accuracy is None:
        return ""
    tested = year_span("tested_year", "tested_years", accuracy.first_year, accuracy.last_year, lang)
    words = {"subject": subject, "horizon": horizon, "tested": tested}
    if accuracy.ratio < 1:
        text = t("accuracy_better", lang, pct=format_number(100 * (1 - accuracy.ratio), lang, 1), **words)
    else:
        text = t("accuracy_not_better", lang, pct=format_number(100 * accuracy.ratio, lang, 1), **words)
    text += " " + t("accuracy_coverage", lang, coverage=format_number(100 * accuracy.coverage, lang, 0),
                     nominal=format_number(100 * accuracy.nominal, lang, 0))
    css = "ao-note" if accuracy.ratio < 1 else "ao-caution"
    return f'<p class="{css}">{html.escape(text)}</p>'


def chosen_forecasts_html(results: FactorResults, outcome: str, lang: str) -> str:
    """One paragraph: the forecast chosen at each horizon for ``outcome`` and its test-year MAE as a
    percentage of persistence's (the forecast stage's ``chosen``); empty if none was chosen.

    Where the chosen forecast missed by more than persistence on the test years (ratio above 1),
    the paragraph is a caution and says at which horizons: the choice was made on earlier
    validation years, and there the projection is no better than carrying the last value forward
    (issue 16: a target that cannot be met is said in the report).
    """
    chosen = ((results.forecast_summary.get("outcomes") or {}).get(outcome) or {}).get("chosen") or {}
    parts, worse = [], []
    for key, choice in sorted(chosen.items(), key=lambda item: int(item[0][1:])):
        name = forecast_name(choice["forecast"], choice["shrink"], lang)
        pct = format_number(100 * choice["ratio_to_persistence"], lang, 1)
        parts.append(t("chosen_horizon", lang, h=int(key[1:]), name=name, pct=pct))
        if choice["ratio_to_persistence"] > 1:
            worse.append(str(int(key[1:])))
    if not parts:
        return ""
    text = t("chosen_forecasts", lang, choices="; ".join(parts))
    if worse:
        text += " " + t("chosen_worse_than_persistence", lang, horizons=", ".join(worse))
    return f'<p class="{"ao-caution" if worse else "ao-note"}">{html.escape(text)}</p>'


def accuracy_table_html(results: FactorResults, outcomes: Sequence[str], catalogue: Catalogue, lang: str) -> str:
    """Forecast error of the model and each baseline as percent of persistence's, one row per outcome."""
    found = [a for a in (forecast_accuracy(results, o) for o in outcomes) if a is not None]
    if not found:
        return ""
    known = {r.column for r in catalogue.rates}
    values = pd.DataFrame({
        t("col_model_error", lang): [100 * a.ratio for a in found],
        **{t(f"col_{b}_error", lang): [100 * a.baselines.get(b, np.nan) for a in found] for b in BASELINES},
        t("col_coverage", lang): [100 * a.coverage for a in found],
    }, index=[rate_label(catalogue.rate(a.outcome), lang) if a.outcome in known else a.outcome for a in found])
    return disclosure_table(values, lang, digits=1)


def factor_label(factor: str, catalogue: Catalogue, lang: str) -> str:
    """Display name of a factor (a catalogue rate, or the outcome's own history)."""
    if factor in OWN_HISTORY_NAMES or factor.startswith("own_"):
        return t("own_history", lang)
    try:
        return rate_label(catalogue.rate(factor), lang)
    except Exception:  # not a catalogue rate: keep the model's name
        return factor.replace("_", " ")


def factor_data_source(factor: str, catalogue: Catalogue, lang: str) -> str:
    """Where a factor's data come from: its Sotkanet id, "demo-only" (an entry without one), or
    "–" (the outcome's own history or a name that is not a catalogue rate)."""
    if factor in OWN_HISTORY_NAMES or factor.startswith("own_") or factor not in {r.column for r in catalogue.rates}:
        return "–"
    indicator = catalogue.by_key(catalogue.rate(factor).indicator)
    if indicator.sotkanet_id is None:
        return t("data_demo_only", lang)
    return t("data_sotkanet_id", lang, id=indicator.sotkanet_id)


def data_sources_html(results: FactorResults, catalogue: Catalogue, lang: str) -> str:
    """Two sentences: which factors of the factor table are real Sotkanet indicators (with ids)
    and which are demo-only, from the catalogue; "" without a factor table."""
    table = results.table("factor_table")
    if table is None:
        return ""
    known = {r.column for r in catalogue.rates}
    factors = [f for f in dict.fromkeys(table.loc[_is_factor(table), "factor"]) if f in known]
    real = [f for f in factors if catalogue.by_key(catalogue.rate(f).indicator).sotkanet_id is not None]
    demo = [f for f in factors if f not in real]
    parts = []
    if real:
        names = "; ".join(f"{_plain(factor_label(f, catalogue, lang), lang)} ({factor_data_source(f, catalogue, lang)})" for f in real)
        parts.append(t("data_sources_real", lang, factors=names))
    if demo:
        parts.append(t("data_sources_demo", lang, factors="; ".join(_plain(factor_label(f, catalogue, lang), lang) for f in demo)))
    return f"<p>{html.escape(' '.join(parts))}</p>" if parts else ""


def _direction(value: object, lang: str) -> str:
    key = f"direction_{value}"
    return t(key, lang) if key in MESSAGES else str(value)


def _is_factor(frame: pd.DataFrame) -> pd.Series:
    role = frame["expected_role"] if "expected_role" in frame else pd.Series("", index=frame.index)
    return (role != "history") & ~frame["factor"].isin(OWN_HISTORY_NAMES)


def lead_html(results: FactorResults, outcome: str, catalogue: Catalogue, lang: str, top: int = 3) -> str:
    """The opening: the strongest predictors of ``outcome`` in plain words, and mismatches."""
    table = results.table("factor_table")
    if table is None:
        return f'<div class="ao-summary"><p class="ao-lead">{html.escape(t("factors_missing", lang, what=", ".join(results.missing)))}</p></div>'
    rows = table[(table["outcome"] == outcome) & _is_factor(table)].sort_values("shap_mean_abs", ascending=False)
    total = rows["shap_mean_abs"].sum()
    items = [t("factors_item", lang, factor=_plain(factor_label(r.factor, catalogue, lang), lang),
               direction=_direction(r.direction, lang),
               share=format_number(100 * r.shap_mean_abs / total if total else np.nan, lang, 0))
             for r in rows.head(top).itertuples()]
    joined = ", ".join(items[:-1]) + t("factors_and", lang) + items[-1] if len(items) > 1 else "".join(items)
    subject = outcome_subject(outcome, catalogue, lang)
    horizon = t("factors_horizon_1", lang) if (results.horizon or 1) == 1 else t("factors_horizon", lang, n=results.horizon)
    parts = [f'<p class="ao-lead">{html.escape(t("factors_lead", lang, subject=subject, horizon=horizon, factors=joined))}</p>']
    if "mismatch" in table:
        odd = table[(table["mismatch"].fillna(False).astype(bool)) & _is_factor(table)]
        if not odd.empty:
            names = "; ".join(f"{factor_label(r.factor, catalogue, lang)} → {rate_label(catalogue.rate(r.outcome), lang)}"
                              if r.outcome in {x.column for x in catalogue.rates} else factor_label(r.factor, catalogue, lang)
                              for r in odd.itertuples())
            parts.append(f"<p>{html.escape(t('factors_mismatch', lang, factors=names))}</p>")
    parts.append(f'<p class="ao-caution">{html.escape(t("factors_caution", lang))}</p>')
    return f'<div class="ao-summary">{"".join(parts)}</div>'


def _plain(label: str, lang: str) -> str:
    """A label for running text: without its unit in parentheses, lower-case initial in English."""
    text = re.sub(r"\s*\([^)]*\)$", "", label)
    return text[:1].lower() + text[1:] if lang == "en" else text


def outcome_subject(outcome: str, catalogue: Catalogue, lang: str) -> str:
    """An outcome for running text ("placements outside the home" for the headline rate)."""
    if outcome == "oohc_per_1000":
        return t("subject_oohc", lang)
    if outcome in {r.column for r in catalogue.rates}:
        return _plain(rate_label(catalogue.rate(outcome), lang), lang)
    return outcome


def association_lookup(associations: pd.DataFrame | None, outcome: str) -> dict[str, tuple[float, float, float]]:
    """Factor -> (estimate, lower, upper) of the widest-period, two-way fixed-effects specification.

    The ``term`` of a regression (e.g. ``social_assistance_pct_lag1``) is matched to its factor
    by dropping a ``_lag<k>`` suffix.
    """
    if associations is None or "term" not in associations:
        return {}
    rows = associations[associations["outcome"] == outcome]
    if rows.empty:
        return {}
    if {"first_year", "last_year"} <= set(rows):
        span = rows["last_year"] - rows["first_year"]
        rows = rows[span == span.max()]
    if "fixed_effects" in rows:
        preferred = sorted(rows["fixed_effects"].astype(str).unique(), key=lambda fe: ("year" not in fe, "region" not in fe, fe))
        rows = rows[rows["fixed_effects"].astype(str) == preferred[0]]
    if "spec" in rows:
        rows = rows[rows["spec"] == rows["spec"].iloc[0]]
    return {re.sub(r"_lag\d+$", "", str(r.term)): (float(r.estimate), float(r.lower), float(r.upper)) for r in rows.itertuples()}


def factor_table_html(results: FactorResults, outcome: str, catalogue: Catalogue, lang: str) -> str:
    """The factor table of ``outcome`` (direction, importance, stability, association, and whether
    the factor is a Sotkanet indicator or demo-only) or ""."""
    table = results.table("factor_table")
    if table is None:
        return ""
    rows = table[table["outcome"] == outcome].sort_values("shap_mean_abs", ascending=False)
    if rows.empty:
        return ""
    associations = association_lookup(results.table("associations"), outcome)
    total = rows["shap_mean_abs"].sum()
    digits = 2 if max((abs(v[0]) for v in associations.values()), default=1) < 1 else 1
    values = pd.DataFrame({
        t("col_expected", lang): [_direction(r, lang) for r in rows.get("expected_role", ["unknown"] * len(rows))],
        t("col_direction", lang): [_direction(r, lang) for r in rows["direction"]],
        t("col_importance", lang): (100 * rows["shap_mean_abs"] / total).to_numpy() if total else np.nan,
        t("col_stability", lang): (100 * rows["stability"]).to_numpy() if "stability" in rows else np.nan,
        t("col_association", lang): [_interval(associations.get(f), lang, digits) for f in rows["factor"]],
        t("col_data_source", lang): [factor_data_source(f, catalogue, lang) for f in rows["factor"]],
    }, index=[factor_label(f, catalogue, lang) for f in rows["factor"]])
    kinds = {c: "text" for c in (t("col_expected", lang), t("col_direction", lang), t("col_association", lang),
                                 t("col_data_source", lang))}
    return disclosure_table(values, lang, column_kinds=kinds, digits=0,
                            caption=rate_label(catalogue.rate(outcome), lang) if outcome in {r.column for r in catalogue.rates} else outcome)


def _interval(values: tuple[float, float, float] | None, lang: str, digits: int) -> str:
    if values is None:
        return "–"
    estimate, lower, upper = (format_number(v, lang, digits) for v in values)
    return f"{estimate} ({lower} … {upper})"


def factor_figures(results: FactorResults, outcome: str) -> list[Path]:
    """The beeswarm and dependence PNGs of ``outcome`` (``factor_figures`` stage) that exist."""
    return [p for p in (results.figures / f"beeswarm_{outcome}.png", results.figures / f"dependence_{outcome}.png")
            if p.is_file()]


def external_figure(path: str | Path, synthetic: bool, lang: str) -> Figure:
    """A PNG drawn by another stage, placed in a Figure so it carries the report's marks."""
    import matplotlib.image as mpimg

    image = mpimg.imread(str(path))
    height, width = image.shape[:2]
    scale = min(11.0 / (width / 100), 1.0)
    fig = Figure(figsize=(width / 100 * scale, height / 100 * scale + 0.3), dpi=100, facecolor="white", layout="constrained")
    ax = fig.subplots()
    ax.imshow(image)
    ax.set_axis_off()
    return mark_figure(fig, synthetic, lang)


def pilot_drivers(results: FactorResults, pilot: str, outcome: str, top: int = 6) -> pd.DataFrame:
    """The latest projection's factor contributions for one pilot, largest magnitude first.

    Returns
    -------
    DataFrame
        ``factor``, ``contribution``, ``origin_year``, ``year`` (empty if unavailable).
    """
    frame = results.table("pilot_attributions")
    columns = ["factor", "contribution", "origin_year", "year"]
    if frame is None:
        return pd.DataFrame(columns=columns)
    rows = frame[(frame["pilot"] == pilot) & (frame["outcome"] == outcome)]
    if "latest" in rows:
        rows = rows[rows["latest"].astype(bool)]
    elif "origin_year" in rows and not rows.empty:
        rows = rows[rows["origin_year"] == rows["origin_year"].max()]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows = rows.assign(origin_year=rows.get("origin_year", np.nan), year=rows.get("year", np.nan))
    rows = rows.reindex(rows["contribution"].abs().sort_values(ascending=False).index).head(top)
    return rows[columns].reset_index(drop=True)


def year_text(value: object) -> str:
    """A year for running text; "–" if missing."""
    return "–" if value is None or pd.isna(value) else str(int(value))


def drivers_sentence(drivers: pd.DataFrame, region: str, catalogue: Catalogue, lang: str) -> str:
    """One sentence naming the largest contribution ("" if none)."""
    if drivers.empty:
        return ""
    first = drivers.iloc[0]
    return t("drivers_sentence", lang, region=region, factor=_plain(factor_label(first["factor"], catalogue, lang), lang),
             up_or_down=t("push_up" if first["contribution"] > 0 else "push_down", lang))


def plot_drivers(panels: Sequence[tuple[str, pd.DataFrame]], catalogue: Catalogue, lang: str, synthetic: bool) -> Figure | None:
    """Bars of factor contributions, one panel per pilot region (label, drivers)."""
    panels = [(label, d) for label, d in panels if not d.empty]
    if not panels:
        return None
    ncols = min(2, len(panels))
    nrows = -(-len(panels) // ncols)
    fig = Figure(figsize=(5.8 * ncols, 2.6 * nrows + 0.5), dpi=100, facecolor="white", layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax, (label, drivers) in zip(axes.flat, panels):
        y = np.arange(len(drivers))[::-1]
        colours = [PALETTE[1] if c > 0 else PALETTE[0] for c in drivers["contribution"]]
        ax.barh(y, drivers["contribution"], color=colours)
        ax.set_yticks(y, [factor_label(f, catalogue, lang) for f in drivers["factor"]], fontsize=8)
        ax.axvline(0, color="#333333", lw=0.8)
        ax.set_title(label, fontsize=10, loc="left")
        ax.xaxis.set_major_formatter(_LocaleFormatter(lang))
        ax.tick_params(axis="x", labelsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes.flat[len(panels):]:
        ax.set_axis_off()
    fig.supxlabel(t("axis_contribution", lang), fontsize=9)
    return mark_figure(fig, synthetic, lang)
