"""Writing one pilot's impact evaluation to ``data/impact/<pilot>/`` and its metrics file.

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

``metrics/impact/<pilot>.json`` - ``pilot``, ``status``, ``synthetic``, ``outcomes``: per
outcome ``status``, ``att``, ``percent``, ``lower``, ``upper``, ``percent_lower``,
``percent_upper``, ``p_value`` (synthetic control, average over post years), ``fit_quality``, ``did_att``,
``did_lower``, ``did_upper``, ``mde``, ``mde_percent`` (baseline pilots: at ``n_post`` = 3 or
the longest horizon), ``pre_rmspe``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from aoresearch.impact.config import ImpactConfig
from aoresearch.impact.evaluate import CS, SC, PilotEvaluation

__all__ = ["TABLES", "SORT_KEYS", "build_summary", "build_metrics", "write_outputs", "read_pilot_folder", "write_pooled"]

SORT_KEYS = {
    "effects": ["outcome", "estimator", "period"],
    "trajectory": ["outcome", "year"],
    "weights": ["outcome", "weight", "donor"],
    "placebos": ["outcome", "kind", "region"],
    "placebo_gaps": ["outcome", "region", "year"],
    "event_study": ["outcome", "estimator", "event_time"],
    "leave_one_out": ["outcome", "dropped"],
    "power": ["outcome", "n_post"],
    "backtests": ["outcome", "origin", "lead"],
}
TABLES = tuple(SORT_KEYS)
COLUMNS = {
    "effects": ["estimator", "outcome", "period", "effect", "lower", "upper", "percent", "percent_lower", "percent_upper",
                "observed", "counterfactual", "p_value", "se", "dof", "method"],
    "trajectory": ["outcome", "year", "observed", "synthetic", "gap", "adoption_year"],
    "weights": ["outcome", "donor", "donor_name", "weight"],
    "placebos": ["outcome", "kind", "region", "region_name", "pre_mspe", "pre_rmspe", "post_rmspe", "rmspe_ratio", "att",
                 "treated", "kept", "fake_year", "percent"],
    "placebo_gaps": ["outcome", "year", "region", "gap"],
    "event_study": ["estimator", "outcome", "event_time", "estimate", "lower", "upper", "p_value"],
    "leave_one_out": ["outcome", "dropped", "dropped_name", "dropped_weight", "effect", "counterfactual", "percent",
                      "pre_rmspe", "full_effect"],
    "power": ["outcome", "n_post", "mde", "mde_percent", "sigma", "dof", "n_backtests", "alpha", "power", "baseline"],
    "backtests": ["outcome", "origin", "lead", "error", "counterfactual"],
}
SIGNIFICANT_DIGITS = 10


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


def build_metrics(result: PilotEvaluation, config: ImpactConfig) -> dict:
    """``metrics/impact/<pilot>.json`` content (module docstring)."""
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
            row = o.power.iloc[0]
        else:
            horizon = 3 if 3 in set(o.power["n_post"]) else int(o.power["n_post"].max())
            row = o.power[o.power["n_post"] == horizon].iloc[0]
        entry |= {"mde": row["mde"], "mde_percent": row["mde_percent"], "mde_n_post": int(row["n_post"])}
        outcomes[o.outcome] = entry
    return _clean({"pilot": result.pilot.key, "status": result.status, "synthetic": bool(result.synthetic),
                   "alpha": config.alpha, "outcomes": outcomes, "skipped": sorted(result.skipped)})


def write_outputs(result: PilotEvaluation, config: ImpactConfig, out_dir: str | Path, metrics_path: str | Path) -> Path:
    """Write every table, ``summary.json`` and the metrics file; returns ``out_dir``.

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
    if out_dir.exists():
        _remove_tree(out_dir)
    tmp.rename(out_dir)
    metrics_path = Path(metrics_path)
    metrics_path.parent.mkdir(parents=True, exist_ok=True)
    _write_json(metrics_path, build_metrics(result, config))
    return out_dir


def _write_json(path: Path, content: dict) -> None:
    path.write_text(json.dumps(content, indent=2, sort_keys=False, ensure_ascii=False) + "\n", encoding="utf-8")


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path)


def read_pilot_folder(folder: str | Path) -> dict:
    """One pilot's ``summary.json``, ``effects.parquet`` and ``backtests.parquet`` as written here.

    Raises
    ------
    RawDataError
        A file is missing; the message names it and the stage that writes it.
    """
    from aoresearch.errors import RawDataError

    folder = Path(folder)
    paths = [folder / "summary.json", folder / "effects.parquet", folder / "backtests.parquet"]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise RawDataError(f"impact results {missing} do not exist; run `dvc repro impact@{folder.name}` first.")
    summary = json.loads(paths[0].read_text(encoding="utf-8"))
    return {"summary": summary, "category": summary["category"], "adoption_year": int(summary["adoption_year"]),
            "synthetic": bool(summary.get("synthetic")), "effects": pd.read_parquet(paths[1]),
            "backtests": pd.read_parquet(paths[2])}


def write_pooled(pooled: pd.DataFrame, synthetic: bool, alpha: float, out_dir: str | Path, metrics_path: str | Path) -> None:
    """``<out_dir>/pooled.parquet`` (all columns of :data:`pooling.POOLED_COLUMNS`) and a small
    metrics file: per group and outcome the percent effect, interval, p-value and MDE."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frame = pooled.copy()
    for column in frame.columns:
        if frame[column].dtype.kind == "f":
            frame[column] = round_significant(frame[column].to_numpy())
    staging = out_dir / ".pooled.parquet.partial"
    frame.to_parquet(staging, index=False)
    staging.replace(out_dir / "pooled.parquet")
    metrics = {"synthetic": synthetic, "alpha": alpha, "groups": {}}
    for row in pooled.itertuples():
        metrics["groups"].setdefault(row.group, {})[row.outcome] = {
            "pilots": row.pilots, "percent": row.percent, "percent_lower": row.percent_lower,
            "percent_upper": row.percent_upper, "p_value": row.p_value, "mde_percent": row.mde_percent}
    metrics_path = Path(metrics_path)
    metrics_path.parent.mkdir(parents=True, exist_ok=True)
    _write_json(metrics_path, _clean(metrics))
