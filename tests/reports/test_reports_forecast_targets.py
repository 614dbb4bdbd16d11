"""The risk-factor report states, for every outcome and horizon, the forecast chosen and its
test-year ratio to persistence, whether issue 16's targets are met (never worse than persistence;
at most 0.97 three years ahead) and where not; and puts the gradient-boosted model's skill next to
its SHAP attributions (issue 16 item 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aoresearch.reports.forecast_targets import (
    check_targets,
    chosen_forecasts,
    chosen_table_html,
    model_skill_html,
    targets_brief_html,
    targets_html,
    years_tested,
)

NAMES = {"oohc": "placements outside the home", "psych": "child psychiatric care"}
YEARS = (2012, 2020)


def _chosen(ratios: dict[str, list[float]], forecast: str = "fe_linear") -> pd.DataFrame:
    """A :func:`chosen_forecasts` frame: ``ratios[outcome]`` at horizons 1, 2, 3 (NaN: none chosen)."""
    rows = [{"outcome": o, "horizon": h, "forecast": None if np.isnan(r) else forecast, "shrink": 1.0, "ratio": r}
            for o, values in ratios.items() for h, r in enumerate(values, 1)]
    return pd.DataFrame(rows)


def _summary(chosen: dict, model_ratio: float = 0.9, horizon: int = 1) -> dict:
    return {"horizon": horizon, "test_years": [2012, 2020], "outcomes": {"oohc": {
        "mae_ratio_to_persistence": {"model": model_ratio, "persistence": 1.0}, "test_years": list(range(2012, 2021)),
        "chosen": chosen}}}


def test_chosen_forecasts_reads_every_outcome_and_horizon_of_the_stage_summary():
    summary = {"test_years": [2012, 2020], "outcomes": {
        "oohc": {"chosen": {"h2": {"forecast": "model", "ratio_to_persistence": 0.93, "shrink": 1.0},
                            "h1": {"forecast": "combination", "ratio_to_persistence": 0.95, "shrink": 0.3},
                            "h3": {"forecast": "fe_linear", "ratio_to_persistence": 0.96, "shrink": 1.0}}},
        "psych": {"chosen": {"h1": {"forecast": "fe_linear", "ratio_to_persistence": 0.9, "shrink": 1.0}}}}}
    frame = chosen_forecasts(summary)
    assert list(zip(frame["outcome"], frame["horizon"])) == [("oohc", 1), ("oohc", 2), ("oohc", 3),
                                                             ("psych", 1), ("psych", 2), ("psych", 3)]
    assert list(frame["forecast"][:4]) == ["combination", "model", "fe_linear", "fe_linear"]
    assert frame["forecast"][4:].isna().all() and frame["ratio"][4:].isna().all()
    assert frame.loc[0, "shrink"] == 0.3 and frame.loc[1, "ratio"] == 0.93
    assert years_tested(summary) == (2012, 2020)
    assert chosen_forecasts({}).empty and years_tested({}) is None


def test_all_targets_met_is_said_plainly():
    chosen = _chosen({"oohc": [0.8, 0.9, 0.97], "psych": [1.0, 0.95, 0.9]})
    assert check_targets(chosen).met
    text = targets_html(chosen, NAMES, YEARS, "en")
    assert 'class="ao-note"' in text and "Both targets are met for every outcome and horizon." in text
    assert "test years 2012–2020" in text and "at most 97% of that rule" in text and "Not met" not in text
    assert "met for all 2 outcomes" in targets_brief_html(chosen, "en")


def test_an_outcome_worse_than_persistence_at_one_year_is_named():
    chosen = _chosen({"oohc": [1.02, 0.9, 0.9], "psych": [0.99, 0.95, 0.9]})
    text = targets_html(chosen, NAMES, YEARS, "en")
    assert 'class="ao-caution"' in text and "Both targets are met" not in text
    assert ("Not met: the chosen forecast was less accurate than carrying the last value forward for these outcomes: "
            "placements outside the home, 1 year(s) ahead (102.0%).") in text
    assert "child psychiatric care" not in text and "above 97%" not in text
    assert "its projections add nothing to the latest observed level" in text
    assert "not met for 1 of 2 outcomes" in targets_brief_html(chosen, "en")


def test_an_outcome_above_the_target_three_years_ahead_is_named():
    chosen = _chosen({"oohc": [0.9, 0.9, 0.9], "psych": [0.99, 0.95, 0.985]})
    text = targets_html(chosen, NAMES, YEARS, "en")
    assert 'class="ao-caution"' in text and "Both targets are met" not in text
    assert ("Not met: 3 years ahead, the chosen forecast's error was above 97% of that simple rule's for these outcomes: "
            "child psychiatric care (98.5%).") in html_unescape(text)
    assert "less accurate than carrying the last value forward for" not in text and "placements" not in text
    assert "not met for 1 of 2 outcomes" in targets_brief_html(chosen, "en")


def test_a_horizon_without_a_chosen_forecast_is_not_called_met():
    chosen = _chosen({"oohc": [0.9, 0.9, np.nan]})
    text = targets_html(chosen, NAMES, YEARS, "en")
    assert not check_targets(chosen).met and "Both targets are met" not in text
    assert "Not assessed: no forecast was chosen and tested for these outcomes: placements outside the home, 3 year(s) ahead." in text


def test_targets_in_finnish():
    chosen = _chosen({"oohc": [1.02, 0.9, 0.98]})
    text = targets_html(chosen, {"oohc": "huostaanotot"}, YEARS, "fi")
    assert "Ei täyty" in text and "huostaanotot, 1 vuotta eteenpäin (102,0 %)" in text and "huostaanotot (98,0 %)" in text
    assert "Molemmat tavoitteet täyttyvät" in targets_html(_chosen({"oohc": [0.9, 0.9, 0.9]}), {}, YEARS, "fi")
    assert "eivät täyty 1 tulosmuuttujalla 1:stä" in targets_brief_html(chosen, "fi")


def test_the_table_names_the_chosen_forecast_and_its_ratio_per_outcome_and_horizon():
    chosen = _chosen({"oohc": [0.9, 1.014, 0.96], "psych": [0.85, 0.9, np.nan]})
    chosen.loc[2, ["forecast", "shrink"]] = ["combination", 0.4]
    text = chosen_table_html(chosen, {"oohc": "Placements", "psych": "Psychiatric care"}, "en")
    assert 'class="ao-disclosure"' in text
    for header in ("1 year(s) ahead", "2 year(s) ahead", "3 year(s) ahead"):
        assert header in text
    placements, psych = text.split("Psychiatric care")
    assert "fixed-effects linear model (90.0%)" in placements and "fixed-effects linear model (101.4%)" in placements
    assert "last value plus 40 % of the model&#x27;s predicted change (96.0%)" in placements
    assert "fixed-effects linear model (85.0%)" in psych and ">–<" in psych
    assert chosen_table_html(chosen.iloc[:0], {}, "en") == ""


def test_shap_attributions_carry_the_model_skill_and_name_the_forecast_projected_instead():
    chosen = {"h1": {"forecast": "fe_linear", "ratio_to_persistence": 0.778, "shrink": 1.0}}
    text = model_skill_html(_summary(chosen, model_ratio=0.8702), "oohc", 1, "en")
    assert "explain the gradient-boosted model's forecast 1 year(s) ahead" in html_unescape(text)
    assert "Tested on years 2012–2020 that it had not seen, the model's error was 87.0%" in html_unescape(text)
    assert "do not project 1 year(s) ahead with this model" in text and "fixed-effects linear model (its error" in text
    assert "77.8%" in text and 'class="ao-caution"' in text
    assert "vaan toista ennustetta" in model_skill_html(_summary(chosen), "oohc", 1, "fi")


def test_shap_attributions_of_the_projected_model_say_so():
    chosen = {"h1": {"forecast": "model", "ratio_to_persistence": 0.91, "shrink": 1.0}}
    text = model_skill_html(_summary(chosen, model_ratio=0.91), "oohc", 1, "en")
    assert "the model's error was 91.0%" in html_unescape(text) and "project 1 year(s) ahead with this model." in text
    assert 'class="ao-note"' in text and "do not project" not in text
    unchosen = model_skill_html(_summary({}), "oohc", 1, "en")
    assert "No forecast was chosen" in unchosen and "90.0%" in unchosen
    # The summary's model ratio is measured at its own horizon: not stated for attributions at another one.
    other = model_skill_html(_summary({}, horizon=2), "oohc", 1, "en")
    assert "accuracy at this horizon was not measured" in other and "90.0%" not in other


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_one_test_year_is_named_as_one_year_in_both_languages():
    """A single test year (e.g. the tests' small world: factors.test_years 2020 to 2020) reads as
    one year, not as the span "2020–2020", in the targets, the model's skill and its accuracy."""
    from aoresearch.reports.factors import Accuracy, accuracy_html

    chosen = _chosen({"oohc": [0.8, 0.9, 0.97]})
    assert "judged on the test year 2020:" in targets_html(chosen, NAMES, (2020, 2020), "en")
    assert "arvioituna testivuonna 2020:" in targets_html(chosen, NAMES, (2020, 2020), "fi")
    assert "judged on the test years 2012–2020:" in targets_html(chosen, NAMES, YEARS, "en")
    one_year = {"horizon": 1, "outcomes": {"oohc": {"mae_ratio_to_persistence": {"model": 0.9}, "test_years": [2020],
                                                    "chosen": {}}}}
    assert "Tested on 2020, a year it had not seen, the model's error was 90.0%" in html_unescape(
        model_skill_html(one_year, "oohc", 1, "en"))
    assert "Vuonna 2020, jota malli ei nähnyt, sen virhe oli 90,0 %" in model_skill_html(one_year, "oohc", 1, "fi")
    accuracy = Accuracy("oohc", 0.9, {}, 0.85, 0.9, 2020, 2020)
    assert accuracy_html(accuracy, "y", "a year ahead", "en").count("Tested on 2020, a year it had not seen, the model") == 1
    assert "2020–2020" not in accuracy_html(accuracy, "y", "a year ahead", "fi")
