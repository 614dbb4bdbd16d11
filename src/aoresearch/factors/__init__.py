"""Risk and protective factors: fixed-effects associations, explainable forecasts (SHAP) and scenarios."""

from aoresearch.factors.associations import associations_headline, associations_metrics, fit_association, run_associations
from aoresearch.config.factors import AssociationSpec, FactorsConfig, ModelConfig, Scenario, parse_factors_config
from aoresearch.factors.explain import explain, factor_table, group_shap, pilot_attributions, shap_on_folds
from aoresearch.factors.features import OWN_HISTORY, Design, available_columns, feature_name, make_design
from aoresearch.factors.forecast import (
    CVResult, Forecaster, fit_forecaster, region_trend, rolling_origin_cv, summarise_cv, weighted_mae,
)
from aoresearch.factors.scenarios import Choice, apply_scenario, project
from aoresearch.factors.selection import CANDIDATES, best_shrink, holdout_forecasts, select_forecast, shrink_change
from aoresearch.factors.stage import (
    ForecastOutputs, accuracy_plot, associations_stage, forecast_choices, forecast_headline, forecast_stage, is_synthetic,
    scenarios_stage,
    select_columns, write_forecast_outputs, write_json, write_table,
)

__all__ = [
    "AssociationSpec", "CANDIDATES", "CVResult", "Choice", "best_shrink", "forecast_choices", "holdout_forecasts",
    "select_forecast", "shrink_change", "Design", "FactorsConfig", "ForecastOutputs", "Forecaster", "ModelConfig",
    "OWN_HISTORY", "Scenario", "accuracy_plot", "apply_scenario", "associations_headline", "associations_metrics",
    "associations_stage", "available_columns", "explain", "factor_table", "feature_name", "fit_association",
    "fit_forecaster", "forecast_headline", "forecast_stage", "is_synthetic", "group_shap", "make_design", "parse_factors_config",
    "pilot_attributions", "project", "region_trend", "rolling_origin_cv", "run_associations",
    "scenarios_stage", "select_columns", "shap_on_folds", "summarise_cv", "weighted_mae", "write_forecast_outputs",
    "write_json", "write_table"
]
