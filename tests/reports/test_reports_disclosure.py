"""Disclosure control: formatting rules and the HTML checker catch each kind of violation."""

from __future__ import annotations

import json

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
    from aoresearch.reports.factors import FactorResults, accuracy_html, forecast_accuracy, load_factors

    summary = {"mae_ratio_to_persistence": {"model": 0.87, "persistence": 1.0, "region_trend": 1.12, "fe_linear": 0.75},
               "interval": {"nominal": 0.9, "coverage_weighted": 0.854}, "test_years": [2012, 2013, 2014]}
    path = tmp_path / "factors" / "forecast" / "summary.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"outcomes": {"y": summary}}), encoding="utf-8")
    results = load_factors(tmp_path / "factors", tmp_path)
    accuracy = forecast_accuracy(results, "y")
    assert (accuracy.ratio, accuracy.baselines) == (0.87, {"region_trend": 1.12, "fe_linear": 0.75})
    assert (accuracy.first_year, accuracy.last_year, accuracy.nominal) == (2012, 2014, 0.9)
    text = accuracy_html(accuracy, "y", "a year ahead", "en")
    assert "Tested on years 2012–2014" in text and "were 13.0% closer to what happened" in text
    assert "85% of the observed values fell inside the 90% forecast intervals" in text
    worse = {"outcomes": {"y": {**summary, "mae_ratio_to_persistence": {"model": 1.02}}}}
    text = accuracy_html(forecast_accuracy(FactorResults({}, tmp_path, forecast_summary=worse), "y"), "y", "a year ahead", "en")
    assert "were not more accurate than simply carrying the last observed value forward (their error was 102.0%" in text
    assert forecast_accuracy(results, "other") is None and accuracy_html(None, "y", "a year ahead", "en") == ""
    missing = load_factors(tmp_path / "absent", tmp_path)
    assert str(tmp_path / "absent" / "forecast" / "summary.json") in missing.missing and forecast_accuracy(missing, "y") is None
