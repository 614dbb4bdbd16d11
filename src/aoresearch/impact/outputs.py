"""The writers of the impact artifacts: one pilot's evaluation in ``data/impact/<pilot>/`` and
its metrics file, and the pooled table of ``impact_pooled``. Their readers, and the table
names and columns, are in :mod:`aoresearch.impact.files`.

Files (rows sorted; every float column in the outcome's units unless named ``percent``):

``effects.parquet`` - one row per estimator, outcome and period
    ``estimator`` ("synthetic_control", "staggered_did", "twfe_event_study"), ``outcome``,
    ``period`` (str: a year, or "average" = mean over the post-adoption years), ``effect``,
    ``lower``, ``upper`` (1 - alpha interval), ``percent``, ``percent_lower``, ``percent_upper``
    (change relative to the counterfactual; a bound's percent uses that bound's own
    counterfactual, so it never passes -100%), ``observed``, ``counterfactual`` (= observed -
    effect), ``p_value`` (NaN where the method gives no valid test), ``se`` and ``dof`` (the
    synthetic control's backtest error scale and t degrees of freedom; NaN for the DiDs),
    ``method`` (how the interval was obtained). Empty for a baseline pilot.
``trajectory.parquet`` - ``outcome``, ``year``, ``observed``, ``synthetic``, ``gap``, ``adoption_year``.
``weights.parquet`` - ``outcome``, ``donor`` (region id), ``donor_name``, ``weight`` (all donors, largest first).
``placebos.parquet`` - one row per placebo: ``outcome``, ``kind`` ("in_space": a donor as
    pseudo-treated, plus the pilot itself with ``treated`` True; "in_time": fake adoption
    ``fake_year``), ``region``, ``region_name``, ``pre_mspe``, ``pre_rmspe``, ``post_rmspe``,
    ``rmspe_ratio``, ``att``, ``treated``, ``kept`` (within the pre-MSPE cutoff), ``fake_year``, ``percent``.
``placebo_gaps.parquet`` - ``outcome``, ``year``, ``region``, ``gap``: gap paths of the in-space placebos.
``event_study.parquet`` - ``estimator``, ``outcome``, ``event_time`` (year - adoption year),
    ``estimate``, ``lower``, ``upper``, ``p_value``.
``leave_one_out.parquet`` - ``outcome``, ``dropped``, ``dropped_name``, ``dropped_weight``,
    ``effect`` (average post effect without that donor), ``counterfactual``, ``percent``,
    ``pre_rmspe``, ``full_effect``.
``power.parquet`` - ``outcome``, ``n_post`` (post years averaged over), ``mde``, ``mde_percent``,
    ``sigma`` (root mean square backtest error of the ``n_post``-year average), ``dof``,
    ``n_backtests``, ``alpha``, ``power``, ``baseline``: minimum detectable effects from the
    pilot's own out-of-sample errors, the same scale as the intervals. One row per outcome
    (actual post years) for an effect pilot; one row per horizon in ``impact.horizons`` for a
    baseline pilot.
``backtests.parquet`` - ``outcome``, ``origin`` (pseudo adoption year), ``lead`` (years after it),
    ``error`` (observed minus the synthetic control fitted on the ``pre_years`` years before
    ``origin``), ``counterfactual`` (that prediction): the out-of-sample errors behind every
    synthetic-control interval, p-value and minimum detectable effect, and the cross-pilot
    correlations of the pooled stage.
Floats are rounded to 10 significant digits (pyfixest's threaded demeaning changes the last
bits between runs), so the files are byte-identical for the same inputs and parameters.

``summary.json`` - ``pilot``, ``name``, ``region``, ``category``, ``adoption_year``,
    ``status`` ("effect" | "baseline"), ``post_years``, ``outcomes`` (evaluated), ``skipped``
    (outcome -> reason), ``synthetic``, ``data_end_year``, ``covid_years``, ``covid_overlap``,
    ``alpha``, ``per_outcome`` (n_donors, n_size_class, n_eligible, pre_rmspe, year_to_year_noise,
    fit_to_noise, fit_quality ("overfitted" | "within_noise" | "poor"), n_backtests, n_placebos,
    placebo_p_rmspe_ratio = Abadie et al.'s RMSPE-ratio p-value (None with too few placebos),
    placebo_p_floor, placebo_is_test, placebo_note, pre_trend_p (placebo) and
    pre_trend_p_analytic, twfe_equals_did, ...), ``monitoring``
    (baseline pilots: first year with post data, horizons), ``caveats``.

``outcomes.json`` - ``pilot``, ``status``, ``synthetic``, ``alpha``, ``skipped``, ``outcomes``: per
    outcome ``status``, ``att``, ``percent``, ``lower``, ``upper``, ``percent_lower``,
    ``percent_upper``, ``p_value`` (synthetic control, average over post years),
    ``placebo_p_rmspe_ratio``, ``fit_quality``, ``n_donors``, ``did_att``, ``did_lower``,
    ``did_upper``, ``did_p_value``, ``mde``, ``mde_percent``, ``mde_n_post`` (baseline pilots: at
    ``n_post`` = 3 or the longest horizon), ``pre_rmspe``.

``metrics/impact/<pilot>.json`` - the headline for ``dvc metrics show``, about
``impact.headline_outcome`` only: ``pilot``, ``status``, ``synthetic``, ``outcome``, ``alpha``,
``percent``, ``percent_lower``, ``percent_upper``, ``p_value`` (synthetic control, average over
the post years; effect pilots only), ``mde_percent``, ``mde_n_post``, ``n_backtests``,
``n_placebos``, ``fit_quality``. ``status`` is "skipped" (and nothing else is given) when the
headline outcome has no data.

Plot files (``plots/impact/<pilot>/``, small CSVs that ``dvc plots`` draws; headline outcome only):

``gap.csv`` - ``year``, ``observed``, ``synthetic``, ``gap``, ``post`` (0 before adoption, 1 from it).
``event_study.csv`` - ``event_time``, ``estimate``, ``lower``, ``upper`` of the TWFE event study
    (header only for a baseline pilot).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from aoresearch.atomic import atomic_write, atomic_write_parquet, atomic_write_text
from aoresearch.config.impact import ImpactConfig
from aoresearch.impact.files import COLUMNS, SORT_KEYS, TABLES
from aoresearch.impact.evaluate import CS, SC, PilotEvaluation

__all__ = [
    "TABLES", "SORT_KEYS", "EVENT_STUDY_ESTIMATOR", "build_summary", "build_outcomes", "build_metrics", "gap_plot",
    "event_study_plot", "write_outputs", "write_pooled", "build_pooled_metrics",
]

SIGNIFICANT_DIGITS = 10
EVENT_STUDY_ESTIMATOR = "twfe_event_study"
PLOT_DIGITS = 6


def round_significant(values: np.ndarray, digits: int = SIGNIFICANT_DIGITS) -> np.ndarray:
    """Round to ``digits`` significant digits (inf and NaN unchanged).

    pyfixest's demeaning runs in parallel threads, so the TWFE estimates differ between runs
    in the last bits (about 1e-13 relative); rounding makes the files byte-identical.
    """
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values) & (values != 0)
    out = values.copy()
    magnitude = np.floor(np.log10(np.abs(values[finite])))
    scale = 10.0 ** (digits - 1 - magnitude)
    out[finite] = np.round(values[finite] * scale) / scale
    return out


_STR = {"estimator", "outcome", "period", "method", "kind", "region_name", "donor_name", "dropped_name"}
_INT = {"year", "adoption_year", "donor", "region", "event_time", "dropped", "n_post", "n_pre", "n_backtests", "origin", "lead"}
_BOOL = {"treated", "kept"}


def _tidy(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    columns = COLUMNS[name]
    out = frame.reindex(columns=columns) if not frame.empty else pd.DataFrame({c: [] for c in columns})
    for column in columns:
        if column in _STR:
            out[column] = out[column].astype(object).where(out[column].notna(), None).astype("string")
        elif column in _INT:
            out[column] = out[column].astype("int64")
        elif column in _BOOL:
            out[column] = out[column].astype(bool)
        else:
            out[column] = round_significant(out[column].astype("float64").to_numpy())
    ascending = [not (name == "weights" and key == "weight") for key in SORT_KEYS[name]]
    return out.sort_values(SORT_KEYS[name], ascending=ascending, kind="mergesort").reset_index(drop=True)


def _clean(value):
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(round_significant(np.array([value]))[0])
        return value if math.isfinite(value) else None
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def build_summary(result: PilotEvaluation, config: ImpactConfig) -> dict:
    """``summary.json`` content (module docstring)."""
    pilot = result.pilot
    post_years = sorted({int(y) for o in result.outcomes for y in o.trajectory["year"] if y >= pilot.adoption_year})
    covid = [y for y in config.covid_years if y in post_years]
    caveats = []
    if covid:
        caveats.append(f"post-adoption years {covid} overlap the COVID-19 years {list(config.covid_years)}: services and "
                       "registers were disrupted, so effects there mix the service model with the pandemic")
    if result.status == "effect" and len(post_years) <= 3:
        caveats.append(f"only {len(post_years)} post-adoption years: effects are early and uncertain")
    if result.skipped:
        caveats.append(f"outcomes without data skipped: {sorted(result.skipped)}")
    summary = {
        "pilot": pilot.key, "name": pilot.name, "region": pilot.region, "category": pilot.category,
        "adoption_year": pilot.adoption_year, "adoption": {"A": pilot.adoption_a, "B": pilot.adoption_b},
        "status": result.status, "post_years": post_years, "outcomes": [o.outcome for o in result.outcomes],
        "skipped": dict(sorted(result.skipped.items())), "synthetic": bool(result.synthetic),
        "data_end_year": result.data_end_year, "fit_start_year": config.fit_start_year, "pre_years": config.pre_years,
        "covid_years": list(config.covid_years), "covid_overlap": bool(covid), "alpha": config.alpha,
        "estimators": [SC, CS, "twfe_event_study"] if result.status == "effect" else [SC],
        "per_outcome": {o.outcome: o.info for o in result.outcomes}, "caveats": caveats,
    }
    if result.status == "baseline":
        summary["monitoring"] = {
            "first_post_year": pilot.adoption_year, "first_evaluation_year": pilot.adoption_year + 1,
            "horizons": list(config.horizons),
            "plan": (f"No post-adoption data yet (data end {result.data_end_year}). Re-run this stage when "
                     f"{pilot.adoption_year} data are published; the table power.parquet gives the effect detectable "
                     f"after each number of post-adoption years with the current synthetic control."),
        }
    return _clean(summary)


def build_outcomes(result: PilotEvaluation, config: ImpactConfig) -> dict:
    """``outcomes.json`` content: the key estimates of every outcome (module docstring)."""
    outcomes = {}
    for o in result.outcomes:
        entry = {"status": o.status, "pre_rmspe": o.info.get("pre_rmspe"), "n_donors": o.info.get("n_donors"),
                 "fit_quality": o.info.get("fit_quality")}
        if o.status == "effect":
            sc = o.effects[(o.effects["estimator"] == SC) & (o.effects["period"] == "average")].iloc[0]
            cs = o.effects[(o.effects["estimator"] == CS) & (o.effects["period"] == "average")].iloc[0]
            entry |= {k: sc[k] for k in ("effect", "percent", "lower", "upper", "percent_lower", "percent_upper", "p_value")}
            entry["att"] = entry.pop("effect")
            entry["placebo_p_rmspe_ratio"] = o.info.get("placebo_p_rmspe_ratio")
            entry |= {"did_att": cs["effect"], "did_lower": cs["lower"], "did_upper": cs["upper"], "did_p_value": cs["p_value"]}
        row = _power_row(o)
        entry |= {"mde": row["mde"], "mde_percent": row["mde_percent"], "mde_n_post": int(row["n_post"])}
        outcomes[o.outcome] = entry
    return _clean({"pilot": result.pilot.key, "status": result.status, "synthetic": bool(result.synthetic),
                   "alpha": config.alpha, "outcomes": outcomes, "skipped": sorted(result.skipped)})


def _power_row(outcome) -> pd.Series:
    """The power row behind the reported MDE: the actual post years of an effect pilot; for a
    baseline pilot ``n_post`` = 3 (or the longest horizon)."""
    if outcome.status == "effect":
        return outcome.power.iloc[0]
    horizon = 3 if 3 in set(outcome.power["n_post"]) else int(outcome.power["n_post"].max())
    return outcome.power[outcome.power["n_post"] == horizon].iloc[0]


def _headline(result: PilotEvaluation, config: ImpactConfig):
    return next((o for o in result.outcomes if o.outcome == config.headline_outcome), None)


def build_metrics(result: PilotEvaluation, config: ImpactConfig) -> dict:
    """``metrics/impact/<pilot>.json`` content: the headline outcome only (module docstring)."""
    head = {"pilot": result.pilot.key, "status": result.status, "synthetic": bool(result.synthetic),
            "outcome": config.headline_outcome, "alpha": config.alpha}
    outcome = _headline(result, config)
    if outcome is None:
        return _clean(head | {"status": "skipped"})
    if outcome.status == "effect":
        sc = outcome.effects[(outcome.effects["estimator"] == SC) & (outcome.effects["period"] == "average")].iloc[0]
        head |= {k: sc[k] for k in ("percent", "percent_lower", "percent_upper", "p_value")}
    row = _power_row(outcome)
    head |= {"mde_percent": row["mde_percent"], "mde_n_post": int(row["n_post"]),
             "n_backtests": int(row["n_backtests"]), "n_placebos": outcome.info.get("n_placebos"),
             "fit_quality": outcome.info.get("fit_quality")}
    return _clean(head)


def gap_plot(result: PilotEvaluation, config: ImpactConfig) -> pd.DataFrame:
    """``gap.csv``: the headline outcome's observed and synthetic paths, shape (n_years, 5)."""
    columns = ["year", "observed", "synthetic", "gap", "post"]
    outcome = _headline(result, config)
    if outcome is None or outcome.trajectory.empty:
        return pd.DataFrame(columns=columns)
    frame = outcome.trajectory.sort_values("year")
    frame = frame.assign(year=frame["year"].astype(int), post=(frame["year"] >= result.pilot.adoption_year).astype(int))
    return _rounded(frame[columns])


def event_study_plot(result: PilotEvaluation, config: ImpactConfig) -> pd.DataFrame:
    """``event_study.csv``: the TWFE event study of the headline outcome, shape (n_event_times, 4)."""
    columns = ["event_time", "estimate", "lower", "upper"]
    outcome = _headline(result, config)
    frame = None if outcome is None else outcome.event_study
    if frame is None or frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame[frame["estimator"] == EVENT_STUDY_ESTIMATOR].sort_values("event_time")
    return _rounded(frame.assign(event_time=frame["event_time"].astype(int))[columns])


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Floats to :data:`PLOT_DIGITS` significant digits: plot files are read in diffs, not computed with."""
    out = frame.reset_index(drop=True).copy()
    for column in out.columns:
        if out[column].dtype.kind == "f":
            out[column] = round_significant(out[column].to_numpy(), PLOT_DIGITS)
    return out


def write_outputs(result: PilotEvaluation, config: ImpactConfig, out_dir: str | Path, metrics_path: str | Path,
                  plots_dir: str | Path) -> Path:
    """Write every table, ``summary.json``, ``outcomes.json``, the headline metrics file and the
    plot files (module docstring); returns ``out_dir``.

    The folder is written to a sibling temporary folder first and then swapped in, so a failed
    run never leaves a mix of old and new files.
    """
    out_dir = Path(out_dir)
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    if tmp.exists():
        _remove_tree(tmp)
    tmp.mkdir(parents=True)
    for name in TABLES:
        _tidy(result.table(name), name).to_parquet(tmp / f"{name}.parquet", index=False)
    _write_json(tmp / "summary.json", build_summary(result, config))
    _write_json(tmp / "outcomes.json", build_outcomes(result, config))
    if out_dir.exists():
        _remove_tree(out_dir)
    tmp.rename(out_dir)
    plots_dir = Path(plots_dir)
    plots_dir.mkdir(parents=True, exist_ok=True)
    _write_csv(plots_dir / "gap.csv", gap_plot(result, config))
    _write_csv(plots_dir / "event_study.csv", event_study_plot(result, config))
    metrics_path = Path(metrics_path)
    metrics_path.parent.mkdir(parents=True, exist_ok=True)
    _write_json(metrics_path, build_metrics(result, config))
    return out_dir


def _write_csv(path: Path, frame: pd.DataFrame) -> None:
    atomic_write(path, lambda staging: frame.to_csv(staging, index=False, lineterminator="\n", float_format="%.10g"))


def _write_json(path: Path, content: dict) -> None:
    atomic_write_text(json.dumps(content, indent=2, sort_keys=False, ensure_ascii=False) + "\n", path)


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path)


def build_pooled_metrics(pooled: pd.DataFrame, synthetic: bool, alpha: float, headline_outcome: str) -> dict:
    """``metrics/impact_pooled.json`` content: ``synthetic``, ``alpha``, ``outcome`` (the
    headline outcome) and ``groups``: per pooled group ``pilots`` (comma-separated keys),
    ``percent``, ``percent_lower``, ``percent_upper``, ``p_value``, ``mde_percent`` of that outcome.
    Every outcome and column is in ``pooled.parquet``."""
    metrics = {"synthetic": bool(synthetic), "alpha": alpha, "outcome": headline_outcome, "groups": {}}
    for row in pooled[pooled["outcome"] == headline_outcome].itertuples():
        metrics["groups"][row.group] = {
            "pilots": row.pilots, "percent": row.percent, "percent_lower": row.percent_lower,
            "percent_upper": row.percent_upper, "p_value": row.p_value, "mde_percent": row.mde_percent}
    return _clean(metrics)


def write_pooled(pooled: pd.DataFrame, synthetic: bool, alpha: float, headline_outcome: str, out_dir: str | Path,
                 metrics_path: str | Path) -> None:
    """``<out_dir>/pooled.parquet`` (every outcome, all columns of :data:`pooling.POOLED_COLUMNS`)
    and the headline metrics file (:func:`build_pooled_metrics`)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frame = pooled.copy()
    for column in frame.columns:
        if frame[column].dtype.kind == "f":
            frame[column] = round_significant(frame[column].to_numpy())
    atomic_write_parquet(frame, out_dir / "pooled.parquet")
    metrics_path = Path(metrics_path)
    metrics_path.parent.mkdir(parents=True, exist_ok=True)
    _write_json(metrics_path, build_pooled_metrics(pooled, synthetic, alpha, headline_outcome))

