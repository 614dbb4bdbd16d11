"""Headline metrics files stay small and flat: what `dvc metrics show` lists (issue 14)."""

from __future__ import annotations

import pandas as pd

from aoresearch.factors import associations_headline
from aoresearch.impact.outputs import build_pooled_metrics

MAX_VALUES_PER_FILE = 40


def _values(document) -> int:
    if isinstance(document, dict):
        return sum(_values(v) for v in document.values())
    return 0 if isinstance(document, list) else 1


def test_pooled_metrics_hold_only_the_headline_outcome_per_group():
    rows = [{"group": group, "outcome": outcome, "pilots": "a,b", "percent": -5.0, "percent_lower": -20.0,
             "percent_upper": 12.0, "p_value": 0.4, "mde_percent": 25.0}
            for group in ("all", "2023_municipality") for outcome in ("oohc_per_1000", "school_absence_pct")]
    metrics = build_pooled_metrics(pd.DataFrame(rows), True, 0.05, "oohc_per_1000")
    assert metrics["outcome"] == "oohc_per_1000" and set(metrics["groups"]) == {"all", "2023_municipality"}
    assert set(metrics["groups"]["all"]) == {"pilots", "percent", "percent_lower", "percent_upper", "p_value", "mde_percent"}
    assert _values(metrics) <= MAX_VALUES_PER_FILE


def test_associations_headline_counts_models_and_significant_coefficients_per_spec():
    table = pd.DataFrame({
        "spec": ["s"] * 4 + ["t"] * 2, "outcome": ["y"] * 6, "period": ["p"] * 6,
        "fixed_effects": ["year", "year", "region+year", "region+year", "year", "year"],
        "term": ["a", "b", "a", "b", "a", "b"], "p_value": [0.01, 0.2, 0.04, 0.5, 0.001, 0.002],
        "r2_within": [0.1, 0.1, 0.3, 0.3, 0.5, 0.5],
    })
    headline = associations_headline(table, synthetic=False)
    assert headline["specs"]["s"] == {"models": 2, "coefficients": 4, "significant": 2, "median_r2_within": 0.2}
    assert headline["specs"]["t"] == {"models": 1, "coefficients": 2, "significant": 2, "median_r2_within": 0.5}
    assert _values(headline) <= MAX_VALUES_PER_FILE
