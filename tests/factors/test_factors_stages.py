"""The forecast and scenarios stages on the demo panels, with tiny settings: output contract."""

from __future__ import annotations

import logging

import pytest

from aoresearch.factors import CANDIDATES, accuracy_plot, forecast_headline, forecast_stage, parse_factors_config, scenarios_stage
from aoresearch.panel.files import Panel
from aoresearch.panel.stage import make_panel

TINY = {
    "outcomes": ["oohc_per_1000", "no_such_outcome"],
    "factors": ["social_assistance_pct", "unemployment_pct", "no_such_factor"],
    "lags": [0, 1],
    "horizons": [1, 2],
    "test_years": {"start": 2019, "end": 2020},
    "validation_years": {"start": 2017, "end": 2018},
    "selection_horizons": [1, 2],
    "model": {"max_iter": 20, "learning_rate": 0.2},
    "scenarios": {"unemployment_plus_3pp": {"shift": {"unemployment_pct": 3.0}},
                  "poverty_up": {"shift": {"child_low_income_pct": 2.0}}},
}
SCENARIO_COLUMNS = {"region", "region_name", "category", "outcome", "scenario", "year", "horizon", "prediction", "lower", "upper",
                    "forecast", "model_prediction"}


@pytest.fixture(scope="module")
def panels(demo_raw, catalogue, params):
    frames = {name: make_panel(demo_raw, catalogue, params, name) for name in ("municipality", "wellbeing_county")}
    return {name: Panel(name, frame, {"synthetic": True}, True) for name, frame in frames.items()}


@pytest.fixture(scope="module")
def config():
    return parse_factors_config(TINY, seed=1)


def test_forecast_stage_outputs_and_skips(panels, config, catalogue, params, caplog):
    with caplog.at_level(logging.INFO, logger="aoresearch.factors.stage"):
        out = forecast_stage(panels, config, catalogue, params.pilots)
    # Progress: one line per finished outcome, with its count and the elapsed time (no terminal here).
    progress = [r.getMessage() for r in caplog.records if r.getMessage().startswith("forecast: outcome ")]
    assert progress and progress[0].startswith("forecast: outcome 1/") and "(oohc_per_1000) done" in progress[0]
    document = out.summary
    assert document["synthetic"] is True
    assert set(document["factors_skipped"]) == {"no_such_factor"}
    assert set(document["outcomes_skipped"]) == {"no_such_outcome"}
    summary = document["outcomes"]["oohc_per_1000"]
    assert isinstance(summary["beats_persistence"], bool)
    assert summary["beats_persistence"] == (summary["mae_ratio_to_persistence"]["model"] < 1.0)
    assert 0.0 <= summary["interval"]["coverage_weighted"] <= 1.0
    assert document["shap_additivity_max_abs_error"] < 1e-6
    attributions = out.pilot_attributions
    assert set(attributions["pilot"]) == {p.key for p in params.pilots}
    county = attributions[attributions["region"] == 972]
    assert set(county["category"]) == {"HYVINVOINTIALUE"} and set(county["trained_on"]) == {"municipality"}
    latest = attributions[attributions["latest"]]
    per_row = latest.groupby(["pilot", "outcome"]).agg(total=("contribution", "sum"), base=("base_value", "first"), output=("output", "first"))
    assert (per_row["total"] + per_row["base"] - per_row["output"]).abs().max() < 1e-6
    table = out.factor_table
    assert {"outcome", "factor", "expected_role", "direction", "shap_mean_abs", "stability", "mismatch"} <= set(table.columns)


def test_forecast_headline_and_plot_are_small_views_of_the_summary(panels, config, catalogue, params):
    document = forecast_stage(panels, config, catalogue, params.pilots).summary
    headline = forecast_headline(document)
    skill = document["outcomes"]["oohc_per_1000"]
    assert headline["outcomes"] == {"oohc_per_1000": {"mae_ratio_to_persistence": skill["mae_ratio_to_persistence"]["model"],
                                                      "coverage": skill["interval"]["coverage_weighted"],
                                                      "chosen": skill["chosen"]}}
    assert set(skill["chosen"]) == {"h1", "h2"} and skill["chosen"]["h1"]["forecast"] in CANDIDATES
    assert headline["nominal_coverage"] == skill["interval"]["nominal"] and headline["synthetic"] is True
    plot = accuracy_plot(document)
    assert list(plot.columns) == ["outcome", "model", "fe_linear", "region_trend", "coverage", "nominal"]
    assert list(plot["outcome"]) == ["oohc_per_1000"]


def test_scenarios_stage_projects_every_region_and_scenario(panels, config, catalogue, params, caplog):
    with caplog.at_level(logging.INFO, logger="aoresearch.factors.stage"):
        table, summary = scenarios_stage(panels, config, catalogue, params.pilots)
    assert any(r.getMessage().startswith("scenarios: outcome 1/") for r in caplog.records)
    assert SCENARIO_COLUMNS <= set(table.columns)
    assert set(table["scenario"]) == {"baseline", "unemployment_plus_3pp", "poverty_up"}
    assert set(table["horizon"]) == {1, 2}
    assert (table["lower"] <= table["prediction"]).all() and (table["prediction"] <= table["upper"]).all()
    assert {972, 964, 965, 378, 261} <= set(table["region"])
    assert summary["scenario_factors_without_data"] == {"poverty_up": ["child_low_income_pct"]}
    assert not table.duplicated(["region", "outcome", "scenario", "horizon"]).any()


def test_forecast_stage_outputs_do_not_depend_on_n_jobs(panels, catalogue, params, tmp_path):
    import pandas as pd

    from aoresearch.factors import write_forecast_outputs

    two = {**TINY, "outcomes": ["oohc_per_1000", "oohc_13_17_per_1000", "no_such_outcome"]}
    serial = forecast_stage(panels, parse_factors_config({**two, "n_jobs": 1}, seed=1), catalogue, params.pilots)
    parallel = forecast_stage(panels, parse_factors_config({**two, "n_jobs": 2}, seed=1), catalogue, params.pilots)
    assert list(parallel.summary["outcomes"]) == ["oohc_per_1000", "oohc_13_17_per_1000"]
    assert parallel.summary == serial.summary
    for name in ("cv_predictions", "shap_values", "factor_table", "pilot_attributions"):
        pd.testing.assert_frame_equal(getattr(parallel, name), getattr(serial, name), check_exact=True)
    # The files too: models and figures (factor_figures stage) written in worker processes have the
    # bytes of those written in-process.
    from aoresearch.factor_figures import write_factor_figures

    files = {}
    for n_jobs, outputs in ((1, serial), (2, parallel)):
        root = tmp_path / f"jobs{n_jobs}"
        write_forecast_outputs(outputs, root / "out", root / "metrics.json", root / "plots", root / "selection.csv", n_jobs=n_jobs)
        write_factor_figures(root / "out", root / "figures", n_jobs=n_jobs)
        files[n_jobs] = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    names = set(files[1])
    assert {f"out/models/{o}.joblib" for o in ("oohc_per_1000", "oohc_13_17_per_1000")} <= names
    assert {f"figures/{kind}_oohc_13_17_per_1000.png" for kind in ("beeswarm", "dependence")} <= names
    assert sum(n.startswith("figures/waterfall_") for n in names) == 2 * len(params.pilots)
    assert files[2] == files[1]


def test_scenarios_stage_outputs_do_not_depend_on_n_jobs(panels, catalogue, params):
    import pandas as pd

    two = {**TINY, "outcomes": ["oohc_per_1000", "oohc_13_17_per_1000"]}
    serial = scenarios_stage(panels, parse_factors_config({**two, "n_jobs": 1}, seed=1), catalogue, params.pilots)
    parallel = scenarios_stage(panels, parse_factors_config({**two, "n_jobs": 2}, seed=1), catalogue, params.pilots)
    assert parallel[1] == serial[1]
    pd.testing.assert_frame_equal(parallel[0], serial[0], check_exact=True)


def test_stages_take_checked_panels_and_need_the_municipality_one(panels, config, catalogue, params):
    from aoresearch.errors import InsufficientDataError
    from aoresearch.factors import is_synthetic

    assert is_synthetic(panels) and not is_synthetic({k: Panel(k, p.frame, {}, False) for k, p in panels.items()})
    with pytest.raises(InsufficientDataError, match="'municipality' panel; got panels \\['wellbeing_county'\\]"):
        scenarios_stage({"wellbeing_county": panels["wellbeing_county"]}, config, catalogue, params.pilots)
