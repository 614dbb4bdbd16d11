"""The work of the associations, forecast and scenarios stages: pure functions from panels and
settings to tables and metrics (the entry scripts in ``pipelines/`` only read and write).

Each stage writes its full results as plain outputs and a few headline numbers as the metrics
file that ``dvc metrics show`` lists:

- associations: ``data/factors/associations.json`` (every model: :func:`associations_metrics`),
  ``metrics/associations.json`` (counts per specification: :func:`associations_headline`).
- forecast: ``data/factors/forecast/summary.json`` (settings, factors used and skipped, per
  outcome rows, test years, MAE of model and baselines, ratios to persistence, interval
  coverage, factor summary and the forecast chosen per horizon), ``metrics/forecast.json``
  (:func:`forecast_headline`), the plot file ``plots/forecast/accuracy.csv`` (:func:`accuracy_plot`)
  and ``data/factors/forecast_selection.csv`` (every candidate's validation and test MAE per
  outcome and horizon, the chosen one flagged: :func:`choose_forecasts`).
- scenarios: ``data/factors/scenarios.json`` (scenario settings, child-weighted national mean
  and every pilot's projection per outcome, scenario and horizon); no metrics file, as no
  projection is a headline of the pipeline.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from aoresearch.atomic import atomic_write, atomic_write_parquet, atomic_write_text
from aoresearch.catalogue import Catalogue
from aoresearch.config import Pilot
from aoresearch.errors import InsufficientDataError, ParameterError
from aoresearch.factors.associations import associations_headline, associations_metrics, run_associations
from aoresearch.config.factors import FactorsConfig
from aoresearch.factors.explain import factor_table, group_shap, pilot_attributions, shap_on_folds
from aoresearch.factors.features import OWN_HISTORY, Design, available_columns, feature_name, make_design
from aoresearch.factors.forecast import Forecaster, fit_forecaster, rolling_origin_cv, summarise_cv
from aoresearch.factors.persist import save_model
from aoresearch.factors.scenarios import MODEL_CHOICE, Choice, project, scenario_coverage
from aoresearch.factors.selection import HOLDOUT_COLUMNS, holdout_forecasts, select_forecast, year_blocks
from aoresearch.panel.files import Panel
from aoresearch.progress import track

__all__ = [
    "factor_roles", "select_columns", "associations_stage", "ForecastOutputs", "forecast_stage",
    "forecast_headline", "accuracy_plot", "scenarios_stage", "is_synthetic", "write_table", "write_json", "write_forecast_outputs",
]

log = logging.getLogger(__name__)
TARGET_RATIO = 0.97
# Test years per model fit when scoring the chosen forecast at horizons other than factors.horizon
# (whose yearly rolling-origin evaluation is reused): 3 keeps the stage within ~1.5x of its cost without selection.
TEST_REFIT_YEARS = 3


def factor_roles(catalogue: Catalogue) -> dict[str, str]:
    return {r.column: r.role for r in catalogue.rates}


def select_columns(panel: pd.DataFrame, config: FactorsConfig, catalogue: Catalogue) -> tuple[tuple[str, ...], tuple[str, ...], dict, dict]:
    """Outcomes and factors with data, and those skipped with the reason (logged, never silent)."""
    candidates = config.factors or tuple(r.column for r in catalogue.rates_with_role("risk", "protective"))
    factors, skipped_factors = available_columns(panel, candidates)
    outcomes, skipped_outcomes = available_columns(panel, config.outcomes)
    for column, reason in {**skipped_factors, **skipped_outcomes}.items():
        log.warning("'%s' skipped: %s", column, reason)
    return outcomes, factors, skipped_outcomes, skipped_factors


def associations_stage(panel: Panel, config: FactorsConfig, catalogue: Catalogue) -> tuple[pd.DataFrame, dict, dict]:
    """The coefficient table, every model's summary (``data/factors/associations.json``) and the
    headline metrics (``metrics/associations.json``) of the municipality ``panel``
    (:func:`aoresearch.panel.read_panel`; its ``synthetic`` flag marks every output)."""
    panel, synthetic = panel.frame, panel.synthetic
    outcomes, factors, skipped_outcomes, skipped_factors = select_columns(panel, config, catalogue)
    table, skipped = run_associations(panel, config.associations, outcomes, factors, factor_roles(catalogue))
    summary = associations_metrics(table, skipped, synthetic)
    summary.update(factors_used=list(factors), factors_skipped=skipped_factors, outcomes_skipped=skipped_outcomes)
    return table.assign(synthetic=synthetic), summary, associations_headline(table, synthetic)


@dataclass(frozen=True)
class ForecastOutputs:
    cv_predictions: pd.DataFrame
    shap_values: pd.DataFrame
    factor_table: pd.DataFrame
    pilot_attributions: pd.DataFrame
    models: dict[str, Forecaster]
    summary: dict
    selection: pd.DataFrame


def is_synthetic(panels: Mapping[str, Panel]) -> bool:
    """Whether any of ``panels`` holds synthetic demo data (then every output says so)."""
    return any(panel.synthetic for panel in panels.values())


def _frames(panels: Mapping[str, Panel]) -> dict[str, pd.DataFrame]:
    if "municipality" not in panels:
        raise InsufficientDataError(f"the factor models are trained on the 'municipality' panel; got panels {sorted(panels)}.")
    return {name: panel.frame for name, panel in panels.items()}


def _design(panel: pd.DataFrame, outcome: str, factors, config: FactorsConfig, horizon: int, min_children: float) -> Design:
    return make_design(panel, outcome, factors, config.lags, horizon, config.target, min_children, config.trend_years)


def forecast_stage(
    panels: Mapping[str, Panel], config: FactorsConfig, catalogue: Catalogue, pilots: tuple[Pilot, ...],
) -> ForecastOutputs:
    """Rolling-origin evaluation, SHAP on held-out folds, factor table and per-pilot attributions.

    The model is trained on ``panels['municipality']``; pilots of other categories (wellbeing
    services counties) are explained by applying that model to their own panel rows. The outputs
    are marked synthetic if any panel is (:func:`is_synthetic`).
    """
    panels, synthetic = _frames(panels), is_synthetic(panels)
    municipality = panels["municipality"]
    outcomes, factors, skipped_outcomes, skipped_factors = select_columns(municipality, config, catalogue)
    roles = factor_roles(catalogue)
    # Outcomes are independent: one process each (joblib), results gathered in the outcomes' order,
    # so the outputs do not depend on n_jobs.
    log.info("forecast: %d outcomes (rolling-origin evaluation, SHAP, pilots), %d process(es)", len(outcomes), config.n_jobs)
    fitted = Parallel(n_jobs=min(config.n_jobs, max(len(outcomes), 1)), return_as="generator")(
        delayed(_model_outcome)(panels, outcome, factors, config, roles, pilots) for outcome in outcomes
    )
    cv_frames, shap_frames, tables, attributions, models, per_outcome, selections = [], [], [], [], {}, {}, []
    additivity = 0.0
    for outcome, result in track(zip(outcomes, fitted), "forecast", "outcome", log, total=len(outcomes),
                                 describe=lambda pair: pair[0]):
        if isinstance(result, str):
            skipped_outcomes[outcome] = result
            log.warning("forecast: %s", result)
            continue
        additivity = max(additivity, result["additivity"])
        shap_frames.append(result["shap"])
        models[outcome] = result["model"]
        attributions.extend(result["attributions"])
        per_outcome[outcome] = result["summary"]
        cv_frames.append(result["cv"])
        tables.append(result["table"])
        selections.append(result["selection"])
    if not per_outcome:
        raise InsufficientDataError(f"forecast: no outcome of {list(config.outcomes)} could be modelled: {skipped_outcomes}.")
    summary = {
        "synthetic": synthetic, "horizon": config.horizon, "target": config.target, "test_years": list(config.test_years),
        "min_children": config.min_children, "weights": "children_0_17", "trained_on": "municipality",
        "factors_used": list(factors), "factors_skipped": skipped_factors, "outcomes_skipped": skipped_outcomes,
        "shap_additivity_max_abs_error": additivity, "outcomes": per_outcome,
        "validation_years": list(config.validation_years or []), "selection_horizons": list(config.selection_horizons),
    }
    cv_all = pd.concat(cv_frames, ignore_index=True).sort_values(["outcome", "fold", "region"]).reset_index(drop=True)
    factor_all = pd.concat(tables, ignore_index=True).assign(synthetic=synthetic)
    pilots_all = pd.concat(attributions, ignore_index=True) if attributions else pd.DataFrame()
    return ForecastOutputs(
        cv_all.assign(synthetic=synthetic), pd.concat(shap_frames, ignore_index=True).assign(synthetic=synthetic),
        factor_all, pilots_all.assign(synthetic=synthetic) if len(pilots_all) else pilots_all, models, summary,
        pd.concat(selections, ignore_index=True).assign(synthetic=synthetic),
    )


def forecast_headline(summary: dict) -> dict:
    """``metrics/forecast.json`` from the forecast summary: ``synthetic``, ``horizon``,
    ``nominal_coverage`` and per outcome ``mae_ratio_to_persistence`` (the model's child-weighted
    held-out MAE over persistence's; below 1 the model is better), ``coverage`` (child-weighted
    share of observed values inside the interval) and ``chosen``: per horizon ``h<h>`` the forecast
    chosen on the validation years and its test-year MAE ratio to persistence."""
    outcomes = {
        outcome: {"mae_ratio_to_persistence": s["mae_ratio_to_persistence"]["model"],
                  "coverage": s["interval"]["coverage_weighted"], "chosen": s.get("chosen", {})}
        for outcome, s in sorted(summary["outcomes"].items())
    }
    nominal = next((s["interval"]["nominal"] for s in summary["outcomes"].values()), None)
    return {"synthetic": summary["synthetic"], "horizon": summary["horizon"], "nominal_coverage": nominal,
            "outcomes": outcomes}


def accuracy_plot(summary: dict) -> pd.DataFrame:
    """``plots/forecast/accuracy.csv``: one row per outcome, shape (n_outcomes, 6).

    Columns ``outcome``; ``model``, ``fe_linear``, ``region_trend`` (held-out MAE as a ratio to
    persistence's, so 1 is persistence); ``coverage`` and ``nominal`` of the interval.
    """
    rows = [{"outcome": outcome, **{k: s["mae_ratio_to_persistence"].get(k) for k in ("model", "fe_linear", "region_trend")},
             "coverage": s["interval"]["coverage_weighted"], "nominal": s["interval"]["nominal"]}
            for outcome, s in sorted(summary["outcomes"].items())]
    frame = pd.DataFrame(rows, columns=["outcome", "model", "fe_linear", "region_trend", "coverage", "nominal"])
    return frame.round(6)


def _model_outcome(panels, outcome: str, factors, config: FactorsConfig, roles, pilots) -> dict | str:
    """Everything the forecast stage computes for one outcome, or the reason it was skipped."""
    municipality = panels["municipality"]
    design = _design(municipality, outcome, factors, config, config.horizon, config.min_children)
    try:
        cv = rolling_origin_cv(design, config)
    except InsufficientDataError as exc:
        return str(exc)
    wide, data = shap_on_folds(design, cv)
    table = factor_table(design, wide, data, roles, config.direction_threshold)
    grouped = group_shap(wide, dict(design.groups))
    current = pd.DataFrame({g: data[feature_name(outcome if g == OWN_HISTORY else g, 0)] for g in grouped.columns})
    model = fit_forecaster(design, np.arange(len(design.target)), config)
    summary = summarise_cv(cv, config.interval, TARGET_RATIO)
    summary["factors"] = _factor_summary(table)
    selection = choose_forecasts(municipality, outcome, factors, config, design, cv)
    summary["chosen"] = chosen_summary(selection)
    return {
        "additivity": _additivity_error(wide, list(design.X.columns)),
        "shap": _shap_long(wide, grouped, current, outcome), "model": model,
        "attributions": _pilot_frames(model, panels, outcome, factors, config, pilots), "summary": summary,
        "cv": cv.predictions, "table": table, "selection": selection,
    }


def choose_forecasts(municipality: pd.DataFrame, outcome: str, factors, config: FactorsConfig, design: Design, cv) -> pd.DataFrame:
    """:func:`~aoresearch.factors.selection.select_forecast` at each of ``config.selection_horizons``
    (empty without ``config.validation_years``); a horizon without validation forecasts is skipped
    with a warning.

    To keep the stage's cost near that of the evaluation alone, the validation years are forecast
    by one fit per horizon (trained up to the first validation year minus h); at the evaluated
    horizon the test-year forecasts of ``cv`` (the rolling-origin evaluation of ``design``) are
    reused, at other horizons point models are refitted every :data:`TEST_REFIT_YEARS` test years.
    """
    if config.validation_years is None:
        return pd.DataFrame()
    validation = [tuple(config.validation_year_range)]
    tables = []
    for horizon in config.selection_horizons:
        if horizon == design.horizon:
            reused = cv.predictions.rename(columns={"prediction": "model"})[list(HOLDOUT_COLUMNS)]
            frames = pd.concat([holdout_forecasts(design, config, validation), reused], ignore_index=True)
        else:
            other = _design(municipality, outcome, factors, config, horizon, config.min_children)
            frames = holdout_forecasts(other, config, [*validation, *year_blocks(config.test_year_range, TEST_REFIT_YEARS)])
        try:
            tables.append(select_forecast(frames, config.validation_year_range, config.test_year_range, outcome, horizon))
        except InsufficientDataError as exc:
            log.warning("forecast: %s", exc)
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def chosen_summary(selection: pd.DataFrame) -> dict:
    """Per horizon ``h<h>``: the chosen ``forecast``, its test-year ``ratio_to_persistence`` and the
    combination's ``shrink``."""
    if selection.empty:
        return {}
    rows = selection[selection["chosen"]]
    return {f"h{r.horizon}": {"forecast": r.candidate, "ratio_to_persistence": float(r.ratio_to_persistence),
                              "shrink": float(r.shrink)} for r in rows.itertuples()}


def _additivity_error(wide: pd.DataFrame, features: list[str]) -> float:
    total = wide[features].sum(axis=1) + wide["expected"]
    return float(np.max(np.abs(total - wide["output"]) / np.maximum(np.abs(wide["output"]), 1.0)))


def _shap_long(wide: pd.DataFrame, grouped: pd.DataFrame, current: pd.DataFrame, outcome: str) -> pd.DataFrame:
    keys = wide[["region", "region_name", "category", "year", "target_year", "fold", "expected", "output"]]
    keys = keys.rename(columns={"year": "origin_year", "target_year": "year"})
    frames = [keys.assign(outcome=outcome, factor=g, value=current[g].to_numpy(), shap=grouped[g].to_numpy()) for g in grouped.columns]
    return pd.concat(frames, ignore_index=True).sort_values(["outcome", "factor", "fold", "region"]).reset_index(drop=True)


def _factor_summary(table: pd.DataFrame) -> list[dict]:
    columns = ["factor", "expected_role", "direction", "shap_mean_abs", "stability", "agreement", "mismatch"]
    return [{k: (round(v, 6) if isinstance(v, float) else v) for k, v in row.items()} for row in table[columns].to_dict("records")]


def _pilot_frames(model: Forecaster, panels, outcome, factors, config: FactorsConfig, pilots) -> list[pd.DataFrame]:
    frames = []
    for pilot in pilots:
        panel = panels.get(pilot.category)
        if panel is None or outcome not in panel or panel[outcome].notna().sum() == 0:
            log.warning("forecast: no %s panel rows with '%s' for pilot %s; no attributions.", pilot.category, outcome, pilot.key)
            continue
        design = _design(panel, outcome, factors, config, config.horizon, 0.0)
        frame = pilot_attributions(model, design, pilot.key, pilot.name, pilot.region, "municipality")
        if len(frame):
            frames.append(frame)
    return frames


def forecast_choices(selection: pd.DataFrame) -> dict[str, dict[int, Choice]]:
    """Outcome -> horizon -> :class:`~aoresearch.factors.scenarios.Choice` from the forecast stage's
    selection table (``data/factors/forecast_selection.csv``).

    Raises
    ------
    ParameterError
        If the table lacks a column of :func:`~aoresearch.factors.selection.select_forecast`'s.
    """
    needed = ["outcome", "horizon", "candidate", "chosen", "shrink"]
    missing = [c for c in needed if c not in selection.columns]
    if missing and len(selection.columns):
        raise ParameterError(f"forecast selection table lacks columns {missing}; rerun the forecast stage (dvc repro forecast).")
    chosen = selection[selection["chosen"].astype(bool)] if len(selection.columns) else selection
    out: dict[str, dict[int, Choice]] = {}
    for r in chosen.itertuples():
        out.setdefault(r.outcome, {})[int(r.horizon)] = Choice(r.candidate, float(r.shrink))
    return out


def scenarios_stage(
    panels: Mapping[str, Panel], config: FactorsConfig, catalogue: Catalogue, pilots: tuple[Pilot, ...],
    choices: Mapping[str, Mapping[int, Choice]] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Direct h-year models (h in ``config.horizons``) trained on municipalities; every region of
    every panel in ``panels`` projected from its latest year under each scenario with the forecast
    ``choices[outcome][h]`` (:func:`forecast_choices`; the model where none was chosen, with a
    warning); outcomes in ``config.n_jobs`` processes (joblib), as in :func:`forecast_stage`.

    Returns the projection table and its summary (``data/factors/scenarios.json``)."""
    panels, synthetic = _frames(panels), is_synthetic(panels)
    municipality = panels["municipality"]
    outcomes, factors, skipped_outcomes, skipped_factors = select_columns(municipality, config, catalogue)
    uncovered = {s.name: list(scenario_coverage(s, factors)) for s in config.scenarios if scenario_coverage(s, factors)}
    for name, missing in uncovered.items():
        log.warning("scenario '%s': factors %s have no data; the scenario leaves them unchanged.", name, missing)
    log.info("scenarios: %d outcomes, horizons %s, %d scenarios, %d process(es)", len(outcomes), list(config.horizons),
             len(config.scenarios), config.n_jobs)
    # One process per outcome, as in the forecast stage; gathered in the outcomes' order, and the
    # table is sorted below, so the outputs do not depend on n_jobs.
    given = choices or {}
    for outcome in outcomes:
        unchosen = [h for h in config.horizons if h not in given.get(outcome, {})]
        if unchosen:
            log.warning("scenarios: no forecast chosen for '%s' at horizons %s (factors.selection_horizons, "
                        "factors.validation_years); projecting with the gradient-boosted model.", outcome, unchosen)
    choices = {o: {h: given.get(o, {}).get(h, MODEL_CHOICE) for h in config.horizons} for o in outcomes}
    projected = Parallel(n_jobs=min(config.n_jobs, max(len(outcomes), 1)), return_as="generator")(
        delayed(_project_outcome)(panels, outcome, factors, config, choices[outcome]) for outcome in outcomes
    )
    frames = [frame for _, result in track(zip(outcomes, projected), "scenarios", "outcome", log, total=len(outcomes),
                                           describe=lambda pair: pair[0]) for frame in result]
    table = pd.concat(frames, ignore_index=True)
    table = table.sort_values(["outcome", "category", "region", "scenario", "horizon"]).reset_index(drop=True).assign(synthetic=synthetic)
    summary = {
        "synthetic": synthetic, "horizons": list(config.horizons), "trained_on": "municipality",
        "scenarios": {s.name: {"shift": dict(s.shift), "hold": list(s.hold)} for s in config.scenarios},
        "scenario_factors_without_data": uncovered, "factors_used": list(factors), "factors_skipped": skipped_factors,
        "outcomes_skipped": skipped_outcomes, "national": _national(table), "pilots": _pilots(table, pilots),
        "forecasts": {o: {f"h{h}": vars(c) for h, c in sorted(by_h.items())} for o, by_h in sorted(choices.items())},
        "interval": "the gradient-boosted model's quantile interval, re-centred on the chosen forecast's projection",
    }
    return table, summary


def _project_outcome(panels, outcome: str, factors, config: FactorsConfig, choices: Mapping[int, Choice]) -> list[pd.DataFrame]:
    """The scenarios stage's projections of one outcome: its horizons' models (trained on
    municipalities) and chosen forecasts applied to every panel with data on the outcome."""
    municipality = panels["municipality"]
    fitted = {h: _design(municipality, outcome, factors, config, h, config.min_children) for h in config.horizons}
    models = {h: fit_forecaster(d, np.arange(len(d.target)), config) for h, d in fitted.items()}
    frames = []
    for panel in panels.values():
        if outcome not in panel or panel[outcome].notna().sum() == 0:
            continue
        designs = {h: _design(panel, outcome, factors, config, h, 0.0) for h in config.horizons}
        frames.append(project(models, designs, config.scenarios, config.lags, dict(choices), fitted))
    return frames


def _national(table: pd.DataFrame) -> dict:
    """Child-weighted mean predicted rate over municipalities, per outcome, scenario and horizon."""
    muni = table[table["category"] == "KUNTA"]
    out: dict = {}
    for (outcome, scenario, horizon), rows in muni.groupby(["outcome", "scenario", "horizon"], sort=True):
        ok = rows["prediction"].notna() & rows["weight"].notna()
        out.setdefault(outcome, {}).setdefault(scenario, {})[f"h{horizon}"] = round(
            float(np.average(rows.loc[ok, "prediction"], weights=rows.loc[ok, "weight"])), 6)
    return out


def _pilots(table: pd.DataFrame, pilots: tuple[Pilot, ...]) -> dict:
    out: dict = {}
    for pilot in pilots:
        rows = table[table["region"] == pilot.region]
        for r in rows.itertuples():
            out.setdefault(pilot.key, {}).setdefault(r.outcome, {}).setdefault(r.scenario, {})[f"h{r.horizon}"] = {
                "year": int(r.year), "prediction": round(float(r.prediction), 6),
                "lower": round(float(r.lower), 6), "upper": round(float(r.upper), 6),
            }
    return out


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a parquet file through a temporary name (atomic rename)."""
    return atomic_write_parquet(frame.reset_index(drop=True), path)


def write_table_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a small CSV (a plot file for ``dvc plots``), ``\\n`` line ends, atomically."""
    return atomic_write(path, lambda staging: frame.to_csv(staging, index=False, lineterminator="\n"))


def write_json(document: dict, path: str | Path) -> Path:
    return atomic_write_text(json.dumps(_clean(document), indent=2, sort_keys=True) + "\n", path)


def _clean(value):
    """JSON-safe: NaN to null, numpy scalars to Python numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def write_forecast_outputs(
    outputs: ForecastOutputs, out: str | Path, metrics: str | Path, plots_dir: str | Path, selection: str | Path,
    n_jobs: int = 1,
) -> None:
    """Tables, ``summary.json`` and fitted models (joblib) under ``out``, the headline metrics file,
    ``<plots_dir>/accuracy.csv`` and the ``selection`` table (CSV, one row per outcome, horizon and
    candidate: :func:`~aoresearch.factors.selection.select_forecast`). The PNG figures are drawn
    from these files by the ``factor_figures`` stage (:mod:`aoresearch.factor_figures`).

    The model files are written in ``n_jobs`` processes (joblib; loky reuses the stage's workers);
    their bytes depend only on the models (identity-free pickles), not on the process (tested)."""
    out = Path(out)
    write_table(outputs.cv_predictions, out / "cv_predictions.parquet")
    write_table(outputs.shap_values, out / "shap_values.parquet")
    write_table(outputs.factor_table, out / "factor_table.parquet")
    write_table(outputs.pilot_attributions, out / "pilot_attributions.parquet")
    (out / "models").mkdir(parents=True, exist_ok=True)
    jobs = [delayed(save_model)(model, out / "models" / f"{outcome}.joblib") for outcome, model in sorted(outputs.models.items())]
    written = Parallel(n_jobs=max(1, min(n_jobs, len(jobs))), return_as="generator")(jobs)
    for _ in track(written, "forecast", "model file", log, total=len(jobs), describe=lambda path: Path(path).name):
        pass
    write_json(outputs.summary, out / "summary.json")
    write_json(forecast_headline(outputs.summary), metrics)
    write_table_csv(accuracy_plot(outputs.summary), Path(plots_dir) / "accuracy.csv")
    write_table_csv(outputs.selection, selection)
