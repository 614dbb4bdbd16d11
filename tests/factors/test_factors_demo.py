"""Recovery of the injected factor effects on the synthetic demo data (truth in ground_truth)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from aoresearch.factors import (
    OWN_HISTORY, explain, factor_table, fit_association, make_design, parse_factors_config, rolling_origin_cv,
    shap_on_folds,
)
from aoresearch.panel.stage import make_panel

# Small, fast settings; the pipeline's own are in params.yaml.
SETTINGS = {
    "outcomes": ["oohc_per_1000"],
    "lags": [0, 1],
    "test_years": {"start": 2015, "end": 2016},
    "min_children": 1000,
    "model": {"max_iter": 60, "learning_rate": 0.1, "max_leaf_nodes": 15, "min_samples_leaf": 40},
}
ADDITIVITY_RTOL = 1e-6
# Ranking: the observed factors carry measurement noise that the latent truth does not, so near-ties
# in the truth (e.g. 0.12 vs 0.09) may swap. Required: Spearman correlation of |true effect| and
# mean |SHAP| over all injected factors >= MIN_SPEARMAN, and the model's TOP_K strongest factors
# all among the truth's TOP_K + 1 strongest.
MIN_SPEARMAN = 0.6
TOP_K = 2
TRUTH_OUTCOMES = ["oohc_per_1000", "school_absence_pct", "child_psych_outpatient_per_1000", "child_psych_inpatient_per_1000"]


@pytest.fixture(scope="module")
def truth(demo_raw) -> dict[str, dict[str, float]]:
    return demo_raw.ground_truth["factor_effects"]["effects"]


@pytest.fixture(scope="module")
def panel(demo_raw, catalogue, params) -> pd.DataFrame:
    return make_panel(demo_raw, catalogue, params, "municipality")


@pytest.fixture(scope="module")
def config():
    return parse_factors_config(SETTINGS, seed=7)


@pytest.fixture(scope="module")
def explained(panel, truth, config, catalogue):
    """Per outcome: design, CV result, SHAP on held-out folds and the factor table."""
    roles = {r.column: r.role for r in catalogue.rates}
    out = {}
    for outcome in TRUTH_OUTCOMES:
        design = make_design(panel, outcome, tuple(truth[outcome]), config.lags, 1, "change", config.min_children)
        cv = rolling_origin_cv(design, config)
        wide, data = shap_on_folds(design, cv)
        out[outcome] = (design, cv, wide, factor_table(design, wide, data, roles, config.direction_threshold))
    return out


def test_every_catalogue_factor_has_an_injected_effect_on_every_outcome(truth, catalogue):
    """The factor models use every risk and protective rate (params factors.factors empty), so
    each needs a known direction in the demo world; entries without one are 'context'."""
    factors = {r.column for r in catalogue.rates_with_role("risk", "protective")}
    for outcome in TRUTH_OUTCOMES:
        assert set(truth[outcome]) == factors, outcome


@pytest.mark.parametrize("outcome", TRUTH_OUTCOMES)
def test_association_model_recovers_every_direction(panel, truth, outcome):
    effects = truth[outcome]
    rows = fit_association(panel, outcome, tuple(effects), "region+year", (1992, 2021), 1000, "children_0_17", lag=1)
    estimates = rows.set_index("term")["estimate"]
    wrong = {f: float(estimates[f]) for f, beta in effects.items() if np.sign(estimates[f]) != np.sign(beta)}
    assert not wrong, f"{outcome}: association signs differ from the truth for {wrong}"


@pytest.mark.parametrize("outcome", TRUTH_OUTCOMES)
def test_shap_recovers_every_direction(explained, truth, outcome):
    table = explained[outcome][3].set_index("factor")
    expected = {f: "risk" if beta > 0 else "protective" for f, beta in truth[outcome].items()}
    wrong = {f: table.loc[f, "direction"] for f, d in expected.items() if table.loc[f, "direction"] != d}
    assert not wrong, f"{outcome}: SHAP directions differ from the truth for {wrong}"
    assert not table.loc[list(expected), "mismatch"].any()


@pytest.mark.parametrize("outcome", TRUTH_OUTCOMES)
def test_shap_ranking_matches_truth(explained, truth, outcome):
    table = explained[outcome][3]
    table = table[table["factor"] != OWN_HISTORY].set_index("factor")
    strength = pd.Series({f: abs(b) for f, b in truth[outcome].items()})
    rho = spearmanr(strength, table.loc[strength.index, "shap_mean_abs"]).statistic
    assert rho >= MIN_SPEARMAN, f"{outcome}: Spearman {rho:.2f} between |true effect| and mean |SHAP|"
    top_true = set(strength.nlargest(TOP_K + 1).index)
    top_model = set(table["shap_mean_abs"].nlargest(TOP_K).index)
    assert top_model <= top_true, f"{outcome}: strongest factors {top_model}, truth's top {TOP_K + 1} {top_true}"


def test_shap_values_add_up_to_the_prediction(explained):
    design, cv, _, _ = explained["oohc_per_1000"]
    forecaster, rows = next(iter(cv.folds.values()))
    result = explain(forecaster, design.X.iloc[rows])
    total = result.values.sum(axis=1).to_numpy() + result.expected
    np.testing.assert_allclose(total, result.output, rtol=ADDITIVITY_RTOL, atol=ADDITIVITY_RTOL * np.abs(result.output).max())
    predicted = forecaster.predict(design.X.iloc[rows])[0]
    np.testing.assert_allclose(result.output, predicted, rtol=ADDITIVITY_RTOL)


def test_cross_validation_trains_only_on_the_past(explained):
    design, cv, _, _ = explained["oohc_per_1000"]
    target_year = design.meta["target_year"].to_numpy()
    for year, (forecaster, test_rows) in cv.folds.items():
        assert set(target_year[test_rows]) == {year}
    predictions = cv.predictions
    assert (predictions["origin_year"] < predictions["year"]).all()
    assert sorted(predictions["fold"].unique()) == [2015, 2016]


def test_fold_training_rows_end_before_the_test_year(panel, truth, config):
    """Recompute the split the way rolling_origin_cv does and check no training target is after the origin."""
    design = make_design(panel, "oohc_per_1000", tuple(truth["oohc_per_1000"]), (0,), 1, "change", 1000)
    small = dataclasses.replace(config, test_years=(2015, 2015))
    cv = rolling_origin_cv(design, small)
    forecaster, test = cv.folds[2015]
    observed = ~np.isnan(design.target)
    train = np.flatnonzero(observed & (design.meta["target_year"].to_numpy() <= 2015 - 1))
    assert design.meta["target_year"].iloc[train].max() <= design.meta["year"].iloc[test].min()
    assert design.meta["year"].iloc[train].max() < 2015
    refit = forecaster.point.__class__(**forecaster.point.get_params()).fit(
        design.X.iloc[train].to_numpy(), design.target[train], sample_weight=design.meta["weight"].to_numpy()[train]
    )
    # The fold's model was fitted on the shared bin codes of the features (issue 15); refitted on the values it predicts the same.
    np.testing.assert_allclose(refit.predict(design.X.iloc[test].to_numpy()), forecaster.point.predict(forecaster.encode(design.X.iloc[test])))
