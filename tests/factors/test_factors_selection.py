"""The forecast chosen on validation years: no peeking at test years, the combination's ends, the
validation argmin, and scenarios projected with the choice."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from aoresearch.errors import ParameterError
from aoresearch.factors import (
    CANDIDATES, Choice, Scenario, best_shrink, fit_forecaster, forecast_choices, holdout_forecasts, make_design,
    parse_factors_config, project, select_forecast, shrink_change, weighted_mae,
)

VALIDATION, TEST = range(2004, 2006), range(2006, 2009)
SETTINGS = {
    "outcomes": ["rate"], "lags": [0, 1], "test_years": {"start": 2006, "end": 2008},
    "validation_years": {"start": 2004, "end": 2005}, "selection_horizons": [1, 2],
    "model": {"max_iter": 10, "min_samples_leaf": 2},
}


def _panel(regions: int = 12, years: range = range(1996, 2010), seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(regions):
        level = rng.normal(10, 2)
        for y in years:
            x = rng.normal()
            rows.append({"region": r, "region_name": f"R{r}", "category": "KUNTA", "year": y,
                         "children_0_17": 2000.0 + 100 * r, "rate": level + 0.3 * (y - 2000) + rng.normal(0, 0.5), "x": x})
    return pd.DataFrame(rows)


def _predictions(seed: int = 1, model_noise: float | None = None) -> pd.DataFrame:
    """Holdout forecasts of validation and test years. The model's change is noise of sd
    ``model_noise`` or, by default, the opposite of the observed change (so no fraction of it
    helps and persistence is chosen)."""
    rng = np.random.default_rng(seed)
    years = np.repeat([*VALIDATION, *TEST], 20)
    observed = rng.normal(10, 1, years.size)
    persistence = observed + rng.normal(0, 0.5, years.size)
    return pd.DataFrame({
        "region": np.tile(np.arange(20), len(VALIDATION) + len(TEST)), "year": years, "observed": observed,
        "weight": rng.uniform(1, 5, years.size), "persistence": persistence,
        "region_trend": observed + rng.normal(0, 2.0, years.size), "fe_linear": observed + rng.normal(0, 0.8, years.size),
        "model": 2 * persistence - observed if model_noise is None else persistence + rng.normal(0, model_noise, years.size),
    })


def _chosen(table: pd.DataFrame) -> str:
    return table.loc[table["chosen"], "candidate"].item()


def test_test_years_cannot_change_the_choice():
    predictions = _predictions()
    before = select_forecast(predictions, VALIDATION, TEST, "rate", 1)
    assert _chosen(before) == "persistence"
    # The model becomes perfect on the test years: the test scores change, the choice does not.
    in_test = predictions["year"].isin(TEST)
    perfect = predictions.assign(model=np.where(in_test, predictions["observed"], predictions["model"]))
    after = select_forecast(perfect, VALIDATION, TEST, "rate", 1)
    assert _chosen(after) == "persistence"
    assert after.set_index("candidate").loc["model", "ratio_to_persistence"] == 0.0
    # The same perfection on the validation years does change it: the test above could fail.
    in_validation = predictions["year"].isin(VALIDATION)
    peeked = predictions.assign(model=np.where(in_validation, predictions["observed"], predictions["model"]))
    assert _chosen(select_forecast(peeked, VALIDATION, TEST, "rate", 1)) == "model"


def test_holdout_forecasts_of_validation_years_ignore_later_outcomes():
    config = parse_factors_config(SETTINGS)
    design = make_design(_panel(), "rate", ("x",), config.lags, 2, "change", 0.0)
    # Known at the origin of the block's first forecast: target years up to 2004 - 2 = 2002.
    late = design.meta["target_year"].to_numpy() > VALIDATION[0] - 2
    scrambled = replace(design, target=np.where(late, 1e6, design.target), future=np.where(late, 1e6, design.future))
    honest = holdout_forecasts(design, config, [VALIDATION])
    peeking = holdout_forecasts(scrambled, config, [VALIDATION])
    assert len(honest) and set(honest["year"]) == set(VALIDATION)
    forecasts = ["persistence", "region_trend", "fe_linear", "model"]
    pd.testing.assert_frame_equal(honest[forecasts], peeking[forecasts])
    # ... while a test year's forecast does read them (trained on target years up to T - h).
    assert not holdout_forecasts(design, config, [[2008]]).equals(holdout_forecasts(scrambled, config, [[2008]]))


def test_combination_ends_are_persistence_and_the_model():
    predictions = _predictions()
    persistence, model = predictions["persistence"].to_numpy(), predictions["model"].to_numpy()
    np.testing.assert_array_equal(shrink_change(persistence, model, 0.0), persistence)
    np.testing.assert_array_equal(shrink_change(persistence, model, 1.0), model)
    perfect = predictions.assign(model=predictions["observed"])
    assert best_shrink(perfect) == 1.0
    backwards = predictions  # the model's change is the opposite of the observed change
    assert best_shrink(backwards) == 0.0
    # With shrink 0 the combination ties persistence exactly, and the tie goes to persistence.
    table = select_forecast(backwards, VALIDATION, TEST, "rate", 1).set_index("candidate")
    assert table.loc["combination", "validation_mae"] == table.loc["persistence", "validation_mae"]
    assert table.loc["persistence", "chosen"] and not table.loc["combination", "chosen"]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_chosen_is_the_validation_argmin(seed):
    predictions = _predictions(seed, model_noise=0.45)
    table = select_forecast(predictions, VALIDATION, TEST, "rate", 3)
    validation = predictions[predictions["year"].isin(VALIDATION)]
    shrink = table["shrink"].iloc[0]
    combined = validation.assign(combination=shrink_change(validation["persistence"], validation["model"], shrink))
    errors = {c: weighted_mae(combined["observed"].to_numpy(), combined[c].to_numpy(), combined["weight"].to_numpy())
              for c in CANDIDATES}
    assert _chosen(table) == min(CANDIDATES, key=lambda c: (errors[c], CANDIDATES.index(c)))
    assert table["validation_mae"].tolist() == pytest.approx([errors[c] for c in CANDIDATES])
    assert table.loc[table["candidate"] == "persistence", "ratio_to_persistence"].item() == 1.0


def test_scenarios_project_with_the_chosen_forecast():
    config = parse_factors_config(SETTINGS)
    design = make_design(_panel(), "rate", ("x",), config.lags, 1, "change", 0.0)
    model = {1: fit_forecaster(design, np.arange(len(design.target)), config)}
    scenarios = (Scenario("baseline"), Scenario("x_up", {"x": 5.0}))

    def run(choice: Choice) -> pd.DataFrame:
        return project(model, {1: design}, scenarios, config.lags, {1: choice}, {1: design})

    persistence = run(Choice("persistence"))
    assert set(persistence["forecast"]) == {"persistence"}
    np.testing.assert_array_equal(persistence["prediction"], persistence["current"])
    half = run(Choice("combination", 0.5))
    expected = half["current"] + 0.5 * (half["model_prediction"] - half["current"])
    np.testing.assert_allclose(half["prediction"], expected)
    np.testing.assert_allclose(half["upper"] - half["lower"], persistence["upper"] - persistence["lower"])
    unseen = project(model, {1: design}, scenarios, config.lags, {1: Choice("fe_linear")},
                     {1: replace(design, meta=design.meta.assign(region=design.meta["region"] + 100))})
    assert set(unseen["forecast"]) == {"persistence"}
    np.testing.assert_array_equal(unseen["prediction"], unseen["current"])
    gbm = run(Choice("model"))
    np.testing.assert_array_equal(gbm["prediction"], gbm["model_prediction"])
    assert not np.allclose(gbm["prediction"], persistence["prediction"])


def test_forecast_choices_read_the_selection_table():
    table = pd.concat([
        select_forecast(_predictions(), VALIDATION, TEST, "rate", 1),
        select_forecast(_predictions().assign(model=lambda p: p["observed"]), VALIDATION, TEST, "rate", 2),
    ])
    choices = forecast_choices(table)
    assert choices == {"rate": {1: Choice("persistence", 0.0), 2: Choice("model", 1.0)}}
    with pytest.raises(ParameterError, match="lacks columns"):
        forecast_choices(table.drop(columns="shrink"))


def test_validation_years_must_end_before_the_test_years():
    config = parse_factors_config(SETTINGS)
    assert config.validation_year_range == VALIDATION and config.selection_horizons == (1, 2)
    with pytest.raises(ParameterError, match="validation_years: must end before the test years start"):
        parse_factors_config({**SETTINGS, "validation_years": {"start": 2004, "end": 2006}})
    with pytest.raises(ParameterError, match="selection_horizons: must be at least 1"):
        parse_factors_config({**SETTINGS, "selection_horizons": [0]})


def test_situation_room_names_the_projected_forecast():
    from aoresearch.reports import projection_note

    table = pd.DataFrame({"rate": "oohc", "horizon": [1, 2, 3], "forecast": ["persistence", "combination", "model"],
                          "shrink": [0.0, 0.4, 1.0]})
    note = projection_note(table, "oohc", "en")
    assert "1 year(s) ahead persistence" in note and "40 % of the model's predicted change" in note
    assert "3 year(s) ahead gradient-boosted model" in note
    assert projection_note(table.drop(columns="forecast"), "oohc", "en") == ""
    county = pd.concat([table, table.iloc[[0]].assign(forecast="fe_linear")])
    assert "1 year(s) ahead fixed-effects linear model / persistence (last value)" in projection_note(county, "oohc", "en")


def test_risk_factor_report_names_the_chosen_forecast_and_its_skill():
    from pathlib import Path

    from aoresearch.reports.factors import FactorResults, chosen_forecasts_html

    chosen = {"h3": {"forecast": "model", "ratio_to_persistence": 0.9612, "shrink": 1.0},
              "h1": {"forecast": "combination", "ratio_to_persistence": 0.995, "shrink": 0.3}}
    results = FactorResults({}, Path("."), forecast_summary={"outcomes": {"oohc": {"chosen": chosen}}})
    text = chosen_forecasts_html(results, "oohc", "en")
    assert text.index("1 year(s) ahead last value plus 30 %") < text.index("3 year(s) ahead gradient-boosted model (96.1 %)")
    assert chosen_forecasts_html(results, "other", "en") == ""


def test_risk_factor_report_cautions_where_the_chosen_forecast_lost_to_persistence():
    from pathlib import Path

    from aoresearch.reports.factors import FactorResults, chosen_forecasts_html

    chosen = {"h1": {"forecast": "combination", "ratio_to_persistence": 1.0045, "shrink": 0.9},
              "h2": {"forecast": "model", "ratio_to_persistence": 0.99, "shrink": 1.0},
              "h3": {"forecast": "model", "ratio_to_persistence": 1.03, "shrink": 1.0}}
    results = FactorResults({}, Path("."), forecast_summary={"outcomes": {"oohc": {"chosen": chosen}}})
    text = chosen_forecasts_html(results, "oohc", "en")
    assert 'class="ao-caution"' in text
    assert "missed by more than persistence 1, 3 year(s) ahead" in text
    assert "vuotta eteenpäin" in chosen_forecasts_html(results, "oohc", "fi")
    better = {k: {**v, "ratio_to_persistence": 0.98} for k, v in chosen.items()}
    calm = chosen_forecasts_html(FactorResults({}, Path("."), forecast_summary={"outcomes": {"oohc": {"chosen": better}}}), "oohc", "en")
    assert 'class="ao-note"' in calm and "missed" not in calm
