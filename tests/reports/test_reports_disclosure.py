"""Disclosure control: formatting rules and the HTML checker catch each kind of violation."""

from __future__ import annotations

import pandas as pd
import pytest

from aoresearch.errors import ParameterError
from aoresearch.reports import (
    check_html_disclosure,
    count_html,
    disclosure_table,
    format_count,
    mask_small_counts,
    small_regions,
)


@pytest.mark.parametrize("value, text", [(0, "0"), (1, "<6"), (2.5, "<6"), (5, "<6"), (6, "6"), (1234, "1,234")])
def test_reports_format_count_hides_1_to_5(value, text):
    assert format_count(value, "en") == text


def test_reports_format_count_threshold_and_imputed():
    assert format_count(8, "en", small_count_max=9) == "<10"
    assert format_count(40, "en", imputed=True) == "<6"
    assert format_count(1234, "fi") == "1\u202f234"


def test_reports_mask_small_counts():
    frame = pd.DataFrame({"n": [0, 3, 7], "rate": [0.0, 3.0, 7.0]})
    masked = mask_small_counts(frame, ["n"])
    assert masked["n"].tolist() == [0, "<6", 7] and masked["rate"].tolist() == [0.0, 3.0, 7.0]


def test_reports_checker_accepts_a_clean_table():
    values = pd.DataFrame({"A": [3.0, 12.5], "B": [40.0, 8.1]}, index=["placements", "rate"])
    imputed = pd.DataFrame({"A": [False, True], "B": [False, False]}, index=values.index)
    table = disclosure_table(values, "en", row_kinds={"placements": "count"}, imputed=imputed,
                             column_children={"A": 5000, "B": 8000})
    assert "<6" in table.replace("&lt;", "<") and "suppressed" in table
    assert check_html_disclosure(table, min_children=1000) == []


@pytest.mark.parametrize("document, problem", [
    ("<table><tr><td>3</td></tr></table>", "not emitted by disclosure_table"),
    ('<table class="ao-disclosure"><tr><td data-kind="count">4</td></tr></table>', "small count"),
    ('<p><span data-kind="count">3 children</span></p>', "small count"),
    ('<table class="ao-disclosure"><tr><td data-kind="rate" data-imputed="true">12.5</td></tr></table>', "imputed"),
    ('<table class="ao-disclosure"><tr><th data-children="420">Tiny</th></tr></table>', "below 1000"),
])
def test_reports_checker_flags_each_violation(document, problem):
    problems = check_html_disclosure(document, min_children=1000)
    assert len(problems) == 1 and problem in problems[0], problems


def test_reports_checker_reads_finnish_numbers():
    assert check_html_disclosure('<html lang="fi"><span data-kind="count">4,0</span></html>')
    assert check_html_disclosure(f'<html lang="fi">{count_html(1234, "fi")}</html>') == []


def test_reports_small_regions():
    frame = pd.DataFrame({"region": [1, 1, 2, 2, 3], "children_0_17": [900, 1500, 2000, 2100, None]})
    assert small_regions(frame, 1000) == [1, 3]
    with pytest.raises(ParameterError, match="min_children"):
        small_regions(frame, -1)


def test_reports_forecast_accuracy_against_persistence(tmp_path):
    from aoresearch.reports.factors import FactorResults, accuracy_html, forecast_accuracy

    frame = pd.DataFrame({"outcome": "y", "fold": [2012, 2012, 2013, 2013], "observed": [10.0, 20.0, 10.0, 20.0],
                          "weight": [1.0, 3.0, 1.0, 3.0], "persistence": [11.0, 22.0, 9.0, 18.0],
                          "prediction": [10.5, 21.0, 9.5, 19.0], "region_trend": [12.0, 24.0, 8.0, 16.0],
                          "fe_linear": [10.0, 20.0, 10.0, 20.0], "lower": [9.0, 21.0, 10.5, 19.0], "upper": [11.0, 23.0, 11.0, 21.0]})
    results = FactorResults({"cv_predictions": frame}, tmp_path)
    accuracy = forecast_accuracy(results, "y")
    # persistence MAE (1+6+1+6)/8 = 1.75; model (0.5+3+0.5+3)/8 = 0.875; region trend 3.5; fe_linear 0
    assert accuracy.ratio == pytest.approx(0.5) and accuracy.baselines == pytest.approx({"region_trend": 2.0, "fe_linear": 0.0})
    assert accuracy.coverage == pytest.approx(0.5) and (accuracy.first_year, accuracy.last_year) == (2012, 2013)
    assert "were 50.0% closer to what happened" in accuracy_html(accuracy, "y", "a year ahead", 0.8, "en")
    assert "50% of the observed values fell inside the 80% forecast intervals" in accuracy_html(accuracy, "y", "a year ahead", 0.8, "en")
    worse = FactorResults({"cv_predictions": frame.assign(prediction=frame["persistence"] + 0.5)}, tmp_path)
    text = accuracy_html(forecast_accuracy(worse, "y"), "y", "a year ahead", None, "en")
    assert "were not more accurate than simply carrying the last observed value forward (their error was 100.0%" in text
    assert forecast_accuracy(results, "other") is None and forecast_accuracy(FactorResults({}, tmp_path), "y") is None
