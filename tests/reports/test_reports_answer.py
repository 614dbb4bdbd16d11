"""The report's opening (issue 12): the average effect with its interval, a verdict only from the
test, the detectable effect, overfitting, and the pooled answer beside the pilot's."""

from __future__ import annotations

import pandas as pd
import pytest

from aoresearch.config import Pilot
from aoresearch.reports import impact as ir
from aoresearch.reports.pooled import pooled_html

PILOT = Pilot(key="tampere", name="Tampere", region=378, category="municipality", adoption_a=2020, adoption_b=2020, within=())


def _results(p_value: float, mde_percent: float, fit_quality: str = "within_noise", lower: float = -3.0) -> ir.ImpactResults:
    rows = [{"estimator": "synthetic_control", "outcome": "oohc_per_1000", "period": period, "effect": -1.0, "lower": lower,
             "upper": 1.0, "percent": -6.0, "percent_lower": -16.0, "percent_upper": 6.0, "observed": 15.0,
             "counterfactual": 16.0, "p_value": p_value} for period in ("2020", "2021", "average")]
    power = pd.DataFrame([{"outcome": "oohc_per_1000", "n_post": 2, "mde": 3.0, "mde_percent": mde_percent}])
    summary = {"status": "effect", "alpha": 0.05, "outcomes": ["oohc_per_1000"],
               "per_outcome": {"oohc_per_1000": {"fit_quality": fit_quality}}}
    return ir.ImpactResults(summary, {"effects": pd.DataFrame(rows), "power": power})


def _answer(results, catalogue) -> str:
    return ir.answer_html(results, PILOT, None, None, catalogue, "en", 1000)


def test_opening_states_the_average_and_its_interval(catalogue):
    text = _answer(_results(0.2, 20.0), catalogue)
    assert "Over the 2 year(s) after the start (2020–2021)" in text and "95% interval" in text
    assert "consistent with no effect" in text
    assert "at least 20% over 2 year(s)" in text


def test_verdict_comes_from_the_test_not_the_interval(catalogue):
    assert "rejects no effect at the 5% level" in _answer(_results(0.01, 20.0), catalogue)
    assert "rejects" not in _answer(_results(0.2, 20.0), catalogue)


@pytest.mark.parametrize("mde", [100.0, 140.0])
def test_an_undetectable_effect_is_said_plainly(catalogue, mde):
    text = _answer(_results(0.5, mde), catalogue)
    assert "cannot answer the question" in text and f"{mde:.0f}%" not in text


def test_overfitting_is_a_warning(catalogue):
    assert "overfitting" in _answer(_results(0.5, 20.0, fit_quality="overfitted"), catalogue)


def test_pooled_answer_names_the_pilots_own_group_first():
    pooled = pd.DataFrame([
        {"group": g, "outcome": "oohc_per_1000", "adoption_year": 2020, "n_pilots": n, "pilots": pilots, "percent": -5.0,
         "percent_lower": -15.0, "percent_upper": 6.0, "p_value": 0.3, "mde_percent": 18.0}
        for g, n, pilots in [("all", 4, "tampere,oulu,north_karelia,central_ostrobothnia"), ("municipality", 2, "tampere,oulu"),
                             ("wellbeing_county", 2, "north_karelia,central_ostrobothnia")]])
    text = pooled_html(pooled, "tampere", "municipality", "oohc_per_1000", "en")
    assert text.index("Pilot cities") < text.index("All pilots") and "wellbeing services counties" not in text
    assert pooled_html(pooled, "tampere", "municipality", "school_absence_pct", "en") == ""
