"""Content of the per-pilot impact evaluation report (``notebooks/impact_evaluation.ipynb``).

Reads a pilot's ``data/impact/<pilot>/`` folder as the integration contract fixes it (see
``aoresearch.impact`` outputs) and turns it into plain-words sentences, disclosure-checked
tables and marked figures. A missing file never stops the report: :class:`ImpactResults`
records what is missing and the notebook says so.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from aoresearch.catalogue import Catalogue
from aoresearch.config import Pilot
from aoresearch.impact.files import TABLES, read_pilot_summary, read_pilot_tables
from aoresearch.reports.disclosure import disclosure_table
from aoresearch.reports.i18n import MESSAGES, format_number, rate_label, t
from aoresearch.reports.marks import mark_figure
from aoresearch.reports.plots import COUNTRY_COLOUR, PALETTE, _LocaleFormatter

__all__ = [
    "IMPACT_TABLES",
    "ImpactResults",
    "load_impact",
    "headline_outcome",
    "sentence_subject",
    "primary_estimator",
    "answer_html",
    "missing_html",
    "other_outcomes_table",
    "fit_table",
    "agreement_table",
    "robustness_html",
    "power_table",
    "weights_table",
    "caveats_html",
    "monitoring_html",
    "validation_html",
    "plot_trajectory",
    "plot_event_study",
    "plot_weights",
]

# The tables of aoresearch.impact.files the report shows (not the placebo gaps and backtests behind its numbers).
IMPACT_TABLES = tuple(name for name in TABLES if name not in ("placebo_gaps", "backtests"))
_OOHC = "oohc_per_1000"  # the rate that the "subject_oohc" and "unit_oohc" wording describes
_PRIMARY = "synthetic_control"
_DIGITS = 1


@dataclass(frozen=True)
class ImpactResults:
    """One pilot's impact outputs; a missing table is ``None`` and named in ``missing``.

    Attributes
    ----------
    summary : dict
        ``summary.json`` (empty if missing).
    tables : mapping of str to DataFrame or None
        ``effects``, ``trajectory``, ``weights``, ``placebos``, ``event_study``,
        ``leave_one_out``, ``power``.
    missing : tuple of str
        Paths of the files that were not found.
    folder : Path
    headline_outcome : str
        The outcome the answer is about when estimated (``impact.headline_outcome``).
    covid_years : tuple of int
        Years flagged as the COVID-19 caveat and hatched in the figures (``impact.covid_years``).
    """

    summary: Mapping[str, Any]
    tables: Mapping[str, pd.DataFrame | None]
    missing: tuple[str, ...] = ()
    folder: Path = field(default=Path("."))
    headline_outcome: str | None = None
    covid_years: tuple[int, ...] = ()

    def table(self, name: str) -> pd.DataFrame | None:
        frame = self.tables.get(name)
        return None if frame is None or frame.empty else frame

    @property
    def status(self) -> str:
        """``"effect"``, ``"baseline"`` or ``"missing"`` (no summary)."""
        return str(self.summary.get("status", "missing"))

    @property
    def post_years(self) -> list[int]:
        return [int(y) for y in self.summary.get("post_years") or []]


def load_impact(folder: str | Path, headline_outcome: str | None = None, covid_years: Sequence[int] = ()) -> ImpactResults:
    """Read ``<folder>/summary.json`` and the :data:`IMPACT_TABLES` that exist (with
    :mod:`aoresearch.impact.files`); ``headline_outcome`` and ``covid_years`` are
    ``params.impact``'s, passed to the notebook by the report stage."""
    folder = Path(folder)
    summary = read_pilot_summary(folder)
    tables, missing = read_pilot_tables(folder, IMPACT_TABLES)
    missing = ((str(folder / "summary.json"),) if summary is None else ()) + missing
    return ImpactResults(summary or {}, tables, missing, folder, headline_outcome, tuple(int(y) for y in covid_years))


def headline_outcome(results: ImpactResults) -> str | None:
    """The outcome the answer is about: ``impact.headline_outcome`` if estimated, else the first outcome."""
    outcomes = list(results.summary.get("outcomes") or [])
    trajectory = results.table("trajectory")
    if trajectory is not None:
        outcomes += [o for o in trajectory["outcome"].unique() if o not in outcomes]
    if results.headline_outcome in outcomes:
        return results.headline_outcome
    return outcomes[0] if outcomes else None


def primary_estimator(effects: pd.DataFrame) -> str:
    """Synthetic control if present (the pilot-level method), else the first estimator listed."""
    names = list(dict.fromkeys(effects["estimator"]))
    return next((n for n in names if n == _PRIMARY), next((n for n in names if "synth" in str(n)), names[0]))


def _estimator_label(name: str, lang: str) -> str:
    key = f"estimator_{name}"
    return t(key, lang) if key in MESSAGES else str(name).replace("_", " ")


def _outcome_label(outcome: str, catalogue: Catalogue, lang: str) -> str:
    try:
        return rate_label(catalogue.rate(outcome), lang)
    except Exception:  # an outcome outside the catalogue keeps its column name
        return outcome


def _subject(outcome: str, catalogue: Catalogue, lang: str) -> tuple[str, str, str]:
    """(subject, unit, verb) of a summary sentence about ``outcome``."""
    if outcome == _OOHC:
        return t("subject_oohc", lang), t("unit_oohc", lang), t("verb_plural", lang)
    label = _outcome_label(outcome, catalogue, lang)
    return label[:1].lower() + label[1:], "", t("verb_singular", lang)


def sentence_subject(outcome: str, catalogue: Catalogue, lang: str) -> str:
    """An outcome for running text ("placements outside the home" for the headline rate)."""
    return _subject(outcome, catalogue, lang)[0]


def _pct(value: float, lang: str, signed: bool = True) -> str:
    if value is None or not np.isfinite(float(value)):
        return "–"
    text = format_number(value, lang, 0 if abs(value) >= 10 else 1)
    return text if not signed or value < 0 or text.startswith(("−", "-")) else f"+{text}"


def _p_value(value: object, lang: str) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return format_number(float(value), lang, 2)


def _imputed_years(rows: pd.DataFrame | None, outcome: str) -> set[int]:
    flag = f"{outcome}_imputed"
    if rows is None or flag not in rows:
        return set()
    return set(rows.loc[rows[flag].fillna(False).astype(bool), "year"].astype(int))


def _effect_row(effects: pd.DataFrame, estimator: str, outcome: str, period: str) -> pd.Series | None:
    match = effects[(effects["estimator"] == estimator) & (effects["outcome"] == outcome)
                    & (effects["period"].astype(str) == period)]
    return None if match.empty else match.iloc[0]


def answer_html(results: ImpactResults, pilot: Pilot, region_rows: pd.DataFrame | None, national: pd.DataFrame | None,
                catalogue: Catalogue, lang: str, min_children: int) -> str:
    """The opening of the report: the answer in plain words, with its uncertainty.

    Returns
    -------
    str
        ``<div class="ao-summary">`` with the lead sentence, the verdict on the interval and
        the average over the post-start years (effect status), or the baseline statement.
    """
    region = pilot.name
    if region_rows is not None and "children_0_17" in region_rows and region_rows["children_0_17"].min() < min_children:
        return _summary([t("answer_small", lang, region=region, min_children=format_number(min_children, lang, 0))])
    outcome = headline_outcome(results)
    if results.status == "baseline":
        return _summary(_baseline_sentences(results, pilot, outcome, region_rows, national, catalogue, lang))
    effects = results.table("effects")
    if results.status != "effect" or effects is None or outcome is None:
        return _summary([t("answer_missing", lang, region=region)])
    estimator = primary_estimator(effects)
    years = sorted(int(p) for p in effects.loc[(effects["estimator"] == estimator) & (effects["outcome"] == outcome),
                                               "period"].astype(str) if p.isdigit())
    average = _effect_row(effects, estimator, outcome, "average")
    if not years or average is None:
        return _summary([t("answer_missing", lang, region=region)])
    info = (results.summary.get("per_outcome") or {}).get(outcome) or {}
    alpha = float(results.summary.get("alpha", 0.05))
    imputed = bool(set(years) & _imputed_years(region_rows, outcome))
    lead = _effect_sentence(average.copy().to_dict(), years, outcome, region, catalogue, lang, imputed)
    finite = _finite(average["lower"], average["upper"])
    p_value = average.get("p_value")
    if not finite or p_value is None or pd.isna(p_value):
        verdict = t("verdict_no_interval", lang)
    else:
        verdict = t("verdict_clear" if float(p_value) < alpha else "verdict_zero", lang)
    parts = [lead, verdict]
    power = results.table("power")
    if power is not None and {"outcome", "n_post", "mde_percent"} <= set(power):
        match = power[(power["outcome"] == outcome) & (power["n_post"] == len(years))]
        mde = match.iloc[0]["mde_percent"] if not match.empty else np.nan
        if _finite(mde) and mde >= 100:
            parts.append(t("answer_mde_none", lang, n=len(years)))
        elif _finite(mde):
            parts.append(t("answer_mde", lang, n=len(years), mde=_pct(mde, lang, signed=False)))
    if info.get("fit_quality") == "overfitted":
        parts.append(t("answer_overfit", lang))
    return _summary(parts)


def _finite(*values: object) -> bool:
    try:
        return all(np.isfinite(float(v)) for v in values)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _summary_p(results: ImpactResults, outcome: str, effects: pd.DataFrame, estimator: str) -> float | None:
    """The placebo p-value of the average effect (effects table, else the summary's RMSPE-ratio p)."""
    average = _effect_row(effects, estimator, outcome, "average")
    if average is not None and not pd.isna(average.get("p_value")):
        return float(average["p_value"])
    per_outcome = (results.summary.get("per_outcome") or {}).get(outcome) or {}
    value = per_outcome.get("placebo_p_rmspe_ratio")
    return None if value is None else float(value)


def _effect_sentence(row: Mapping[str, Any], years: list[int], outcome: str, region: str, catalogue: Catalogue, lang: str,
                     imputed: bool) -> str:
    """The average effect over the post-start ``years`` with its interval and test."""
    subject, unit, verb = _subject(outcome, catalogue, lang)
    p = _p_value(row.get("p_value"), lang)
    placebo = t("answer_placebo", lang, p=p) if p else ""
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    pcts = dict(pct=_pct(row["percent"], lang), pct_lower=_pct(row["percent_lower"], lang),
                pct_upper=_pct(row["percent_upper"], lang))
    if imputed:
        return t("answer_imputed", lang, year=span, subject=subject, region=region, placebo=placebo, **pcts)
    effect = float(row["effect"])
    key = "answer_effect" if _finite(row["lower"], row["upper"]) else "answer_effect_noci"
    return t(key, lang, n=len(years), years=span, subject=subject, region=region, verb=verb, unit=unit,
             observed=format_number(row["observed"], lang, _DIGITS), effect=format_number(abs(effect), lang, _DIGITS),
             pct=format_number(abs(row["percent"]), lang, 0 if abs(row["percent"]) >= 10 else 1),
             direction=t("dir_below" if effect < 0 else "dir_above", lang),
             lower=format_number(row["lower"], lang, _DIGITS), upper=format_number(row["upper"], lang, _DIGITS),
             pct_lower=_pct(row["percent_lower"], lang), pct_upper=_pct(row["percent_upper"], lang),
             placebo=placebo).replace(" ,", ",").replace("  ", " ")


def _baseline_sentences(results: ImpactResults, pilot: Pilot, outcome: str | None, region_rows: pd.DataFrame | None,
                        national: pd.DataFrame | None, catalogue: Catalogue, lang: str) -> list[str]:
    year = int(results.summary.get("adoption_year", pilot.adoption_year))
    parts = [t("answer_baseline", lang, region=pilot.name, year=year)]
    if outcome and region_rows is not None and outcome in region_rows and region_rows[outcome].notna().any():
        rows = region_rows[region_rows[outcome].notna()]
        last = rows.iloc[-1]
        imputed = int(last["year"]) in _imputed_years(region_rows, outcome)
        nat = np.nan
        if national is not None and outcome in national:
            match = national.loc[national["year"] == last["year"], outcome]
            nat = float(match.iloc[0]) if not match.empty else np.nan
        if not imputed:
            subject, unit, verb = _subject(outcome, catalogue, lang)
            parts.append(t("answer_baseline_level", lang, year=int(last["year"]), subject=subject, region=pilot.name,
                           verb=verb, observed=format_number(last[outcome], lang, _DIGITS), unit=unit,
                           national=format_number(nat, lang, _DIGITS)).replace("  ", " "))
    return parts


def _summary(sentences: Sequence[str]) -> str:
    lead, *rest = sentences
    body = f'<p class="ao-lead ao-answer">{html.escape(lead)}</p>'
    body += "".join(f"<p>{html.escape(s)}</p>" for s in rest)
    return f'<div class="ao-summary">{body}</div>'


def missing_html(results: ImpactResults, pilot: Pilot, lang: str) -> str:
    """A list of the missing result files and the stage that writes them ("" if none)."""
    if not results.missing:
        return ""
    stage = f"impact@{pilot.key}"
    items = "".join(f"<li>{html.escape(t('missing_file', lang, path=p, stage=stage))}</li>" for p in results.missing)
    return f'<div class="ao-missing"><ul>{items}</ul></div>'


def other_outcomes_table(results: ImpactResults, catalogue: Catalogue, lang: str) -> str:
    """Average post-start effect of every outcome by the primary estimator ("" if no effects)."""
    effects = results.table("effects")
    if effects is None:
        return ""
    estimator = primary_estimator(effects)
    rows = effects[(effects["estimator"] == estimator) & (effects["period"].astype(str) == "average")]
    if rows.empty:
        return ""
    rows = _outcome_order(rows, catalogue)
    return _effects_table(rows, [_outcome_label(o, catalogue, lang) for o in rows["outcome"]], lang,
                          t("other_outcomes", lang))


def _effects_table(rows: pd.DataFrame, labels: list[str], lang: str, caption: str) -> str:
    interval = [f"{_pct(lo, lang)} … {_pct(hi, lang)}" if np.isfinite(lo) and np.isfinite(hi) else "–"
                for lo, hi in zip(rows["percent_lower"].astype(float), rows["percent_upper"].astype(float))]
    values = pd.DataFrame({
        t("col_observed", lang): rows["observed"].to_numpy(),
        t("col_synthetic", lang): rows["counterfactual"].to_numpy(),
        t("col_difference", lang): rows["effect"].to_numpy(),
        t("col_percent", lang): rows["percent"].to_numpy(),
        t("col_interval", lang): interval,
        t("col_p", lang): [(_p_value(p, lang) or "–") for p in rows.get("p_value", [None] * len(rows))],
    }, index=labels)
    kinds = {t("col_interval", lang): "text", t("col_p", lang): "text"}
    return disclosure_table(values, lang, column_kinds=kinds, caption=caption)


def _outcome_order(rows: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Rows in catalogue order (out-of-home care first), unknown outcomes last."""
    order = {r.column: n for n, r in enumerate(catalogue.rates)}
    return rows.iloc[np.argsort([order.get(o, len(order)) for o in rows["outcome"]], kind="stable")]


def agreement_table(results: ImpactResults, outcome: str, catalogue: Catalogue, lang: str) -> str:
    """Average post-start effect of ``outcome`` by estimator ("" if no effects)."""
    effects = results.table("effects")
    if effects is None:
        return ""
    rows = effects[(effects["outcome"] == outcome) & (effects["period"].astype(str) == "average")]
    rows = rows[~rows["estimator"].isin(hidden_estimators(results, outcome))]
    if rows.empty:
        return ""
    labels = [_estimator_label(e, lang) for e in rows["estimator"]]
    table = _effects_table(rows, labels, lang, _outcome_label(outcome, catalogue, lang))
    if hidden_estimators(results, outcome):
        table += f'<p class="ao-note">{html.escape(t("twfe_same", lang))}</p>'
    return table


def hidden_estimators(results: ImpactResults, outcome: str) -> set[str]:
    """Estimators not shown: the TWFE event study where it equals the Callaway-Sant'Anna DiD
    by construction (one treated region, no covariates, never-treated comparisons)."""
    info = (results.summary.get("per_outcome") or {}).get(outcome) or {}
    return {"twfe_event_study"} if info.get("twfe_equals_did") else set()


def fit_table(results: ImpactResults, catalogue: Catalogue, lang: str) -> str:
    """Pre-period fit per outcome: RMSPE (the impact stage's ``per_outcome.pre_rmspe``), RMSPE as a
    percentage of the level, years compared."""
    trajectory = results.table("trajectory")
    if trajectory is None:
        return ""
    records, labels = [], []
    for outcome, rows in _outcome_order(trajectory, catalogue).groupby("outcome", sort=False):
        pre = rows[(rows["year"] < rows["adoption_year"]) & rows["observed"].notna() & rows["synthetic"].notna()]
        if pre.empty:
            continue
        info = (results.summary.get("per_outcome") or {}).get(outcome) or {}
        rmspe = np.nan if info.get("pre_rmspe") is None else float(info["pre_rmspe"])
        level = float(pre["observed"].abs().mean())
        noise = info.get("year_to_year_noise")
        records.append([rmspe, 100 * rmspe / level if level else np.nan, np.nan if noise is None else float(noise),
                        t(f"fit_{info.get('fit_quality') or 'unknown'}", lang),
                        f"{int(pre['year'].min())}–{int(pre['year'].max())}"])
        labels.append(_outcome_label(outcome, catalogue, lang))
    if not records:
        return ""
    columns = [t("col_rmspe", lang), t("col_rmspe_pct", lang), t("col_noise", lang), t("col_fit_quality", lang),
               t("col_pre_years", lang)]
    values = pd.DataFrame(records, index=labels, columns=columns)
    kinds = {t("col_pre_years", lang): "text", t("col_fit_quality", lang): "text"}
    return disclosure_table(values, lang, column_kinds=kinds, digits=2)


def robustness_html(results: ImpactResults, outcome: str, lang: str) -> str:
    """Sentences on the leave-one-out range and the placebo test for ``outcome`` ("" if neither)."""
    parts = []
    loo = results.table("leave_one_out")
    if loo is not None and "outcome" in loo:
        rows = loo[loo["outcome"] == outcome]
        column = "percent" if "percent" in rows else ("effect" if "effect" in rows else None)
        if column and not rows.empty and column == "percent":
            parts.append(t("loo_sentence", lang, low=_pct(rows[column].min(), lang), high=_pct(rows[column].max(), lang),
                           n=len(rows)))
    placebos = results.table("placebos")
    if placebos is not None:
        rows = placebos[placebos["outcome"] == outcome] if "outcome" in placebos else placebos
        if "kind" in rows:
            rows = rows[rows["kind"] == "in_space"]
        if "treated" in rows:
            rows = rows[~rows["treated"].fillna(False).astype(bool)]
        if "kept" in rows:
            rows = rows[rows["kept"].fillna(False).astype(bool)]
        key = next((c for c in ("region", "donor", "placebo_region") if c in rows), None)
        n = rows[key].nunique() if key else len(rows)
        if n:
            parts.append(t("placebo_sentence", lang, n=n))
    return "".join(f'<p class="ao-note">{html.escape(p)}</p>' for p in parts)


def power_table(results: ImpactResults, catalogue: Catalogue, lang: str) -> str:
    """Minimum detectable effect per outcome ("" if power is missing)."""
    power = results.table("power")
    if power is None or "mde" not in power:
        return ""
    if "n_post" in power and power.groupby("outcome")["n_post"].nunique().max() > 1:
        return _power_by_horizon(power, catalogue, lang)
    power = _outcome_order(power, catalogue)
    columns = {t("col_mde", lang): power["mde"].to_numpy()}
    if "mde_percent" in power:
        columns[t("col_mde_pct", lang)] = power["mde_percent"].to_numpy()
    values = pd.DataFrame(columns, index=[_outcome_label(o, catalogue, lang) for o in power["outcome"]])
    return disclosure_table(values, lang, digits=2)


def _power_by_horizon(power: pd.DataFrame, catalogue: Catalogue, lang: str) -> str:
    """Minimum detectable effect (percent) per outcome (rows) and years after the start (columns)."""
    wide = power.pivot_table(index="outcome", columns="n_post", values="mde_percent", sort=True)
    order = {r.column: n for n, r in enumerate(catalogue.rates)}
    wide = wide.loc[sorted(wide.index, key=lambda o: order.get(o, len(order)))]
    wide.index = [_outcome_label(o, catalogue, lang) for o in wide.index]
    wide.columns = [t("col_after_years", lang, n=int(n)) for n in wide.columns]
    return disclosure_table(wide, lang, digits=1, caption=t("col_mde_pct", lang))


def weights_table(results: ImpactResults, outcome: str, panel: pd.DataFrame | None, lang: str, min_children: int,
                  top: int = 10) -> tuple[pd.DataFrame, str]:
    """Donor weights of ``outcome`` for display, with small donors combined into one row.

    Returns
    -------
    display : DataFrame
        ``label``, ``weight`` (percent), ``children`` (fewest children in any year; NaN for
        combined rows), largest weight first.
    html : str
        The disclosure table ("" if there are no weights).
    """
    weights = results.table("weights")
    empty = pd.DataFrame(columns=["label", "weight", "children"])
    if weights is None:
        return empty, ""
    rows = weights[(weights["outcome"] == outcome) & (weights["weight"] > 1e-4)].copy()
    if rows.empty:
        return empty, ""
    children = panel.groupby("region")["children_0_17"].min() if panel is not None and "children_0_17" in panel else None
    rows["children"] = rows["donor"].map(children) if children is not None else np.nan
    rows["label"] = rows.get("donor_name", rows["donor"].astype(str))
    rows["weight"] = 100 * rows["weight"]
    small = rows[~(rows["children"] >= min_children)]
    shown = rows[rows["children"] >= min_children].sort_values("weight", ascending=False)
    rest = shown.iloc[top:]
    shown = shown.iloc[:top]
    extra = []
    if not small.empty:
        extra.append({"label": t("weights_small", lang, n=len(small)), "weight": small["weight"].sum(), "children": np.nan})
    if not rest.empty:
        extra.append({"label": t("weights_rest", lang, n=len(rest)), "weight": rest["weight"].sum(), "children": np.nan})
    display = pd.concat([shown[["label", "weight", "children"]], pd.DataFrame(extra)], ignore_index=True)
    values = pd.DataFrame({t("col_weight", lang): display["weight"].to_numpy()}, index=display["label"])
    sizes = {label: c for label, c in zip(display["label"], display["children"]) if not pd.isna(c)}
    return display, f'<div class="ao-narrow">{disclosure_table(values, lang, row_children=sizes)}</div>'


def caveats_html(results: ImpactResults, pilot: Pilot, region_rows: pd.DataFrame | None, lang: str) -> str:
    """The caveats that apply to this pilot, as a list."""
    items = []
    years = results.post_years or ([] if region_rows is None else
                                   [int(y) for y in region_rows["year"] if y >= pilot.adoption_year])
    covid = results.covid_years
    if covid and (any(y in covid for y in years) or pilot.adoption_year <= max(covid) + 1):
        items.append(t("caveat_covid", lang))
    items.append(t("caveat_partial", lang))
    if results.status == "effect" and len(years) <= 3:
        items.append(t("caveat_short", lang, n=len(years)))
    outcome = headline_outcome(results) or results.headline_outcome
    if _imputed_years(region_rows, outcome):
        items.append(t("caveat_imputed", lang))
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"


def monitoring_html(results: ImpactResults, pilot: Pilot, catalogue: Catalogue, lang: str) -> str:
    """The monitoring plan of a pilot without post-start data."""
    year = int(results.summary.get("adoption_year", pilot.adoption_year))
    outcomes = list(results.summary.get("outcomes") or [o for o in (results.headline_outcome,) if o])
    items = [t("monitoring_first", lang, year=year + 1, first=year), t("monitoring_main", lang, year=year + 3)]
    text = f"<p>{html.escape(t('monitoring_intro', lang))}</p><ul>"
    text += "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"
    names = "; ".join(_outcome_label(o, catalogue, lang) for o in outcomes)
    text += f"<p>{html.escape(t('monitoring_outcomes', lang, names=names))}</p>"
    power = results.table("power")
    outcome = headline_outcome(results)
    if power is not None and outcome in set(power["outcome"]) and "mde" in power:
        rows = power[power["outcome"] == outcome]
        if "n_post" in rows and (rows["n_post"] == 3).any():
            rows = rows[rows["n_post"] == 3]
        row = rows.iloc[-1]
        subject, unit, _ = _subject(outcome, catalogue, lang)
        pct = format_number(row.get("mde_percent", np.nan), lang, 0)
        text += f"<p>{html.escape(t('monitoring_power', lang, subject=subject, mde=format_number(row['mde'], lang, 2), unit=unit, pct=pct))}</p>"
    return text


def validation_html(metrics_dir: str | Path, lang: str) -> str:
    """One sentence per ``metrics/validation_*.json``, or a note that none was found."""
    paths = sorted(Path(metrics_dir).glob("validation_*.json"))
    if not paths:
        return f"<p>{html.escape(t('validation_missing', lang, path=str(Path(metrics_dir) / 'validation_*.json')))}</p>"
    parts = []
    for path in paths:
        m = json.loads(path.read_text(encoding="utf-8"))
        parts.append(t("validation_summary", lang, name=path.stem.removeprefix("validation_"),
                       passed=m.get("passed", "–"), expectations=m.get("expectations", "–"),
                       critical=m.get("failed_critical", "–"), warnings=m.get("failed_warning", len(m.get("warnings", [])))))
    return "".join(f"<p>{html.escape(p)}</p>" for p in parts)


# ---------------------------------------------------------------------------------------------
# Figures


def _shade_periods(ax, adoption: int, end: int, covid_years: Sequence[int]) -> None:
    if adoption <= end:
        ax.axvspan(adoption - 0.5, end + 0.5, color="#e8eef5", lw=0, zorder=0)
    if covid_years:
        ax.axvspan(min(covid_years) - 0.5, max(covid_years) + 0.5, facecolor="none", edgecolor="#8a8a8a", hatch="////",
                   lw=0, zorder=0.5)
    ax.axvline(adoption - 0.5, color="#333333", lw=1.2, ls="-", zorder=1)


def plot_trajectory(results: ImpactResults, pilot: Pilot, region_rows: pd.DataFrame | None, catalogue: Catalogue,
                    lang: str, synthetic: bool, outcomes: Sequence[str] | None = None, ncols: int = 2) -> Figure | None:
    """Observed trajectory against the synthetic comparison, one panel per outcome.

    Years whose rate rests on a filled-in suppressed count are open circles, not part of the line.
    """
    trajectory = results.table("trajectory")
    if trajectory is None:
        return None
    outcomes = list(outcomes or dict.fromkeys(_outcome_order(trajectory, catalogue)["outcome"]))
    head = headline_outcome(results)
    outcomes.sort(key=lambda o: o != head)
    ncols = min(ncols, len(outcomes))
    nrows = math.ceil(len(outcomes) / ncols)
    fig = Figure(figsize=(5.6 * ncols, 3.3 * nrows + 0.9), dpi=100, facecolor="white", layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    adoption = int(results.summary.get("adoption_year", pilot.adoption_year))
    for ax, outcome in zip(axes.flat, outcomes):
        rows = trajectory[trajectory["outcome"] == outcome].sort_values("year")
        end = int(rows["year"].max())
        _shade_periods(ax, adoption, end, results.covid_years)
        imputed = rows["year"].isin(_imputed_years(region_rows, outcome))
        ax.plot(rows["year"], rows["synthetic"], color=COUNTRY_COLOUR, lw=1.6, ls="--")
        ax.plot(rows["year"], rows["observed"].where(~imputed), color=PALETTE[0], lw=2.2)
        if imputed.any():
            ax.scatter(rows.loc[imputed, "year"], rows.loc[imputed, "observed"], s=18, facecolors="white",
                       edgecolors=PALETTE[0], zorder=3)
        ax.set_title(_outcome_label(outcome, catalogue, lang), fontsize=10, loc="left")
        ax.set_ylim(bottom=0)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.yaxis.set_major_formatter(_LocaleFormatter(lang))
        ax.grid(axis="y", color="#eeeeee", lw=0.8)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes.flat[len(outcomes):]:
        ax.set_axis_off()
    handles = [Line2D([], [], color=PALETTE[0], lw=2.2, label=t("legend_observed", lang, region=pilot.name)),
               Line2D([], [], color=COUNTRY_COLOUR, lw=1.6, ls="--", label=t("legend_synthetic", lang)),
               Patch(facecolor="#e8eef5", label=t("legend_start", lang, year=adoption))]
    if results.covid_years:
        handles.append(Patch(facecolor="white", edgecolor="#8a8a8a", hatch="////", label=t("legend_covid", lang)))
    fig.legend(handles=handles, loc="outside upper center", ncols=len(handles), frameon=False, fontsize=9.5)
    return mark_figure(fig, synthetic, lang)


def plot_event_study(results: ImpactResults, outcome: str, catalogue: Catalogue, lang: str, synthetic: bool) -> Figure | None:
    """Event-study estimates with 95% intervals by event time, one series per estimator."""
    events = results.table("event_study")
    if events is None:
        return None
    rows = events[(events["outcome"] == outcome) & ~events["estimator"].isin(hidden_estimators(results, outcome))]
    if rows.empty:
        return None
    fig = Figure(figsize=(10, 4.2), dpi=100, facecolor="white", layout="constrained")
    ax = fig.subplots()
    estimators = list(dict.fromkeys(rows["estimator"]))
    offsets = np.linspace(-0.12, 0.12, len(estimators)) if len(estimators) > 1 else [0.0]
    for offset, estimator, colour in zip(offsets, estimators, PALETTE[1:]):
        part = rows[rows["estimator"] == estimator].sort_values("event_time")
        x = part["event_time"] + offset
        ax.errorbar(x, part["estimate"], yerr=[part["estimate"] - part["lower"], part["upper"] - part["estimate"]],
                    fmt="o-", color=colour, ms=4, lw=1.2, capsize=2, label=_estimator_label(estimator, lang))
    ax.axhline(0, color="#333333", lw=1)
    ax.axvline(-0.5, color="#333333", lw=1.2, ls=":")
    ax.set_xlabel(t("axis_event_time", lang))
    ax.set_ylabel(t("axis_difference", lang))
    ax.set_title(_outcome_label(outcome, catalogue, lang), fontsize=10, loc="left")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(_LocaleFormatter(lang))
    ax.grid(axis="y", color="#eeeeee", lw=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(loc="outside upper center", ncols=3, frameon=False, fontsize=9.5)
    return mark_figure(fig, synthetic, lang)


def plot_weights(display: pd.DataFrame, lang: str, synthetic: bool) -> Figure | None:
    """Horizontal bars of the donor weights from :func:`weights_table` (percent)."""
    if display.empty:
        return None
    fig = Figure(figsize=(9, 0.38 * len(display) + 1.3), dpi=100, facecolor="white", layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(display))[::-1]
    combined = display["children"].isna()
    ax.barh(y, display["weight"], color=[("#9e9e9e" if c else PALETTE[0]) for c in combined])
    ax.set_yticks(y, display["label"], fontsize=9)
    ax.set_xlabel(t("col_weight", lang))
    ax.xaxis.set_major_formatter(_LocaleFormatter(lang))
    ax.spines[["top", "right"]].set_visible(False)
    return mark_figure(fig, synthetic, lang)
