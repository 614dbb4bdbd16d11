"""The risk-factor report says which factors are Sotkanet indicators and which are demo-only
(issue 16 item 4), from the catalogue."""

from __future__ import annotations

import pandas as pd

from aoresearch.reports.factors import FactorResults, data_sources_html, factor_data_source, factor_table_html


def _results(tmp_path) -> FactorResults:
    table = pd.DataFrame({
        "outcome": "oohc_per_1000",
        "factor": ["social_assistance_pct", "leisure_participation_pct", "adult_psych_care_per_1000", "own_history"],
        "expected_role": ["risk", "protective", "risk", "history"],
        "direction": ["risk", "protective", "risk", "history"],
        "shap_mean_abs": [0.3, 0.2, 0.1, 0.4],
        "stability": [1.0, 1.0, 0.9, 1.0],
    })
    return FactorResults({"factor_table": table}, tmp_path)


def test_each_factor_names_its_sotkanet_id_or_says_demo_only(catalogue):
    assert factor_data_source("social_assistance_pct", catalogue, "en") == "Sotkanet id 423"
    assert factor_data_source("adult_psych_care_per_1000", catalogue, "en") == "Sotkanet id 2345"
    assert factor_data_source("leisure_participation_pct", catalogue, "en") == "demo-only: no verified Sotkanet id"
    assert factor_data_source("own_history", catalogue, "en") == "–"
    assert factor_data_source("leisure_participation_pct", catalogue, "fi").startswith("vain demossa")


def test_the_factor_table_has_a_data_column(tmp_path, catalogue):
    text = factor_table_html(_results(tmp_path), "oohc_per_1000", catalogue, "en")
    assert ">Data<" in text and "Sotkanet id 2345" in text and "demo-only: no verified Sotkanet id" in text


def test_the_report_sentence_lists_real_and_demo_only_factors(tmp_path, catalogue):
    text = data_sources_html(_results(tmp_path), catalogue, "en")
    real, demo = text.split("Demo-only factors")
    assert "(Sotkanet id 423)" in real and "(Sotkanet id 2345)" in real and "leisure" not in real
    assert "leisure activity" in demo and "own history" not in text.lower()
    assert data_sources_html(FactorResults({}, tmp_path), catalogue, "en") == ""


def test_every_demo_only_catalogue_factor_says_so(catalogue):
    for rate in catalogue.rates_with_role("risk", "protective"):
        indicator = catalogue.by_key(rate.indicator)
        expected = "demo-only: no verified Sotkanet id" if indicator.sotkanet_id is None else f"Sotkanet id {indicator.sotkanet_id}"
        assert factor_data_source(rate.column, catalogue, "en") == expected
