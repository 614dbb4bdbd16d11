"""Properties of the synthetic control on simulated panels with a known answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from aoresearch.errors import InsufficientDataError, NotFittedError
from aoresearch.impact import (
    BaselineSummary,
    EffectEstimate,
    SyntheticControl,
    effect_or_baseline,
)
from aoresearch.impact._simplex import simplex_least_squares

EFFECT = -1.0
# Noise sd 0.05 around an exact convex combination of donors: over 6 post years the mean gap
# misses the injected effect by a few hundredths; 0.15 also absorbs imperfect weights.
EFFECT_TOL = 0.15
SIMPLEX_TOL = 1e-12


def factor_panel(n_donors=12, first=2000, last=2021, treatment_time=2016, effect=EFFECT, seed=0, noise=0.05):
    """Donors follow a 2-factor model; the treated unit (id 0) is a convex mix of donors 1-3
    plus noise, and ``effect`` is added from ``treatment_time`` on."""
    rng = np.random.default_rng(seed)
    years = np.arange(first, last + 1)
    factors = rng.normal(size=(years.size, 2)).cumsum(axis=0) * 0.3
    loadings = rng.uniform(0.5, 1.5, size=(n_donors, 2))
    donors = 10 + rng.normal(size=(n_donors, 1)) + loadings @ factors.T + rng.normal(scale=noise, size=(n_donors, years.size))
    treated = np.array([0.5, 0.3, 0.2]) @ donors[:3] + rng.normal(scale=noise, size=years.size)
    treated = treated + effect * (years >= treatment_time)
    outcome = np.vstack([treated, donors])
    units = np.arange(n_donors + 1)
    panel = pd.DataFrame({"region": np.repeat(units, years.size), "year": np.tile(years, units.size), "rate": outcome.ravel()})
    panel["covariate"] = rng.normal(size=len(panel)) + np.repeat(outcome.mean(axis=1), years.size) * 0.1
    return panel


FIT = dict(unit="region", time="year", outcome="rate", treated=0, treatment_time=2016)
NESTED = dict(
    predictors=["covariate"],
    special_predictors=[("rate", list(range(2000, 2008)), "mean"), ("rate", list(range(2008, 2016)), "mean")],
    n_starts=2,
    random_state=0,
)


@pytest.fixture(scope="module")
def panel():
    return factor_panel()


@pytest.fixture(scope="module")
def outcome_only(panel):
    return SyntheticControl().fit(panel, **FIT)


@pytest.fixture(scope="module")
def nested(panel):
    return SyntheticControl(**NESTED).fit(panel, **FIT)


@pytest.mark.parametrize("name", ["outcome_only", "nested"])
def test_weights_are_on_the_simplex(request, name):
    weights = request.getfixturevalue(name).weights_
    assert (weights >= 0).all()
    assert weights.sum() == pytest.approx(1.0, abs=SIMPLEX_TOL)
    assert list(weights.index) == list(range(1, 13))


@pytest.mark.parametrize("name", ["outcome_only", "nested"])
def test_injected_effect_is_recovered(request, name):
    model = request.getfixturevalue(name)
    assert abs(model.att_ - EFFECT) <= EFFECT_TOL
    assert model.n_post_periods_ == 6 and model.n_pre_periods_ == 16


def test_gap_is_treated_minus_synthetic(panel, outcome_only):
    treated = panel[panel["region"] == 0].set_index("year")["rate"]
    pd.testing.assert_series_equal(outcome_only.gap_ + outcome_only.synthetic_, treated, check_names=False)
    post = outcome_only.gap_.index >= 2016
    assert outcome_only.att_ == pytest.approx(outcome_only.gap_[post].mean())
    assert outcome_only.pre_mspe_ == pytest.approx(np.mean(outcome_only.gap_[~post] ** 2))
    assert outcome_only.post_rmspe_ == pytest.approx(np.sqrt(np.mean(outcome_only.gap_[post] ** 2)))


def test_outcome_only_v_is_equal_over_optimisation_years(outcome_only):
    assert len(outcome_only.v_) == 16
    assert outcome_only.v_.index[0] == "rate[2000]"
    np.testing.assert_allclose(outcome_only.v_, 1 / 16)


def test_nested_v_is_on_the_simplex_and_best_start_is_kept(nested):
    assert (nested.v_ >= 0).all() and nested.v_.sum() == pytest.approx(1.0)
    assert list(nested.v_.index) == ["covariate", "special.1.rate", "special.2.rate"]
    assert nested.pre_mspe_ == pytest.approx(nested.start_losses_.min(), rel=1e-9)
    assert nested.predictor_balance_.shape == (3, 3)


def test_optimize_periods_restrict_the_criterion(panel):
    model = SyntheticControl(optimize_periods=list(range(2010, 2016))).fit(panel, **FIT)
    assert len(model.v_) == 6
    assert model.pre_mspe_ == pytest.approx(np.mean(model.gap_.loc[2010:2015] ** 2))


def test_random_state_makes_nested_fits_reproducible(panel):
    first = SyntheticControl(**{**NESTED, "n_starts": 3, "random_state": 7}).fit(panel, **FIT)
    second = SyntheticControl(**{**NESTED, "n_starts": 3, "random_state": 7}).fit(panel, **FIT)
    pd.testing.assert_series_equal(first.weights_, second.weights_)
    np.testing.assert_array_equal(first.start_losses_, second.start_losses_)


def test_donor_subset_is_respected(panel):
    model = SyntheticControl().fit(panel, **FIT, donors=[3, 1, 2, 7])
    assert list(model.weights_.index) == [3, 1, 2, 7]


def test_placebo_in_space_ranks_a_large_effect_first(outcome_only):
    placebo = outcome_only.placebo_in_space()
    assert placebo.gaps.shape == (22, 13)
    assert placebo.stats["treated"].sum() == 1 and placebo.stats.index[0] == 0
    assert placebo.p_value == pytest.approx(1 / 13)
    ratio = placebo.stats["rmspe_ratio"]
    assert ratio.iloc[0] == pytest.approx(outcome_only.post_rmspe_ / outcome_only.pre_rmspe_)
    assert ratio.iloc[0] == ratio.max()


def test_placebo_fits_never_use_the_treated_unit(outcome_only, panel):
    placebo = outcome_only.placebo_in_space()
    donor = 5
    donors = [d for d in range(1, 13) if d != donor]
    alone = SyntheticControl().fit(panel[panel["region"] != 0], **{**FIT, "treated": donor}, donors=donors)
    np.testing.assert_allclose(placebo.gaps[donor].to_numpy(), alone.gap_.to_numpy(), atol=1e-10)


def test_pre_mspe_cutoff_drops_poorly_fitted_placebos(outcome_only):
    placebo = outcome_only.placebo_in_space(pre_mspe_cutoff=1.0)
    kept = placebo.stats["kept"]
    assert kept.iloc[0]
    assert (placebo.stats.loc[kept, "pre_mspe"].iloc[1:] <= outcome_only.pre_mspe_).all()
    assert placebo.p_value == pytest.approx(1 / kept.sum())


def test_parallel_placebos_equal_serial_placebos():
    small = factor_panel(n_donors=5, first=2006)
    model = SyntheticControl(**{**NESTED, "n_starts": 1, "maxiter": 200}).fit(small, **FIT)
    serial = model.placebo_in_space(n_jobs=1)
    parallel = model.placebo_in_space(n_jobs=2)
    pd.testing.assert_frame_equal(serial.gaps, parallel.gaps)
    assert serial.p_value == parallel.p_value


def test_leave_one_out_drops_each_positive_weight_donor(outcome_only):
    loo = outcome_only.leave_one_out()
    positive = outcome_only.weights_[outcome_only.weights_ > 1e-6].index
    assert list(loo.gaps.columns) == list(positive)
    for donor in positive:
        assert loo.weights.loc[donor, donor] == 0.0
        assert loo.weights[donor].sum() == pytest.approx(1.0)
    assert (loo.att - EFFECT).abs().max() < 0.5


def test_placebo_in_time_finds_no_effect_before_adoption(outcome_only):
    placebo = outcome_only.placebo_in_time(2011)
    assert placebo.gap.index.max() == 2015
    assert abs(placebo.att) < 0.2
    assert placebo.weights.sum() == pytest.approx(1.0)


def test_effect_in_percent_of_counterfactual(outcome_only):
    placebo = outcome_only.placebo_in_space()
    effect = outcome_only.effect(placebo, alpha=0.2)
    assert isinstance(effect, EffectEstimate)
    post = outcome_only.synthetic_.index >= 2016
    assert effect.counterfactual == pytest.approx(outcome_only.synthetic_[post].mean())
    assert effect.percent == pytest.approx(100 * effect.estimate / effect.counterfactual)
    assert effect.lower <= effect.estimate <= effect.upper
    assert effect.percent_lower <= effect.percent <= effect.percent_upper
    assert effect.p_value == placebo.p_value
    assert effect.to_frame().shape == (1, 10)


def test_effect_interval_inverts_the_placebo_test(outcome_only):
    placebo = outcome_only.placebo_in_space()
    alpha = 0.2
    effect = outcome_only.effect(placebo, alpha=alpha)
    gaps = outcome_only.gap_[outcome_only.gap_.index >= 2016].to_numpy()

    def p_value(shift):
        ratio = np.sqrt(np.mean((gaps - shift) ** 2)) / outcome_only.pre_rmspe_
        return (1 + np.sum(placebo.placebo_ratios >= ratio)) / (placebo.placebo_ratios.size + 1)

    assert np.isfinite(effect.lower) and np.isfinite(effect.upper)
    for bound, inward in [(effect.lower, 1e-6), (effect.upper, -1e-6)]:
        assert p_value(bound + inward) > alpha
        assert p_value(bound - inward) <= alpha
    assert p_value(0.0) == pytest.approx(placebo.p_value)


def test_effect_interval_is_unbounded_with_too_few_placebos(outcome_only):
    # 12 placebos: the smallest attainable p-value is 1/13 > 0.05.
    effect = outcome_only.effect(outcome_only.placebo_in_space(), alpha=0.05)
    assert effect.lower == -np.inf and effect.upper == np.inf


def test_effect_without_placebo_has_no_interval(outcome_only):
    effect = outcome_only.effect()
    assert np.isnan(effect.lower) and np.isnan(effect.upper)
    assert effect.estimate == outcome_only.att_


def test_pilot_without_post_data_gets_a_baseline_summary(panel):
    before = panel[panel["year"] < 2016]
    model = SyntheticControl().fit(before, **FIT)
    assert np.isnan(model.att_) and model.n_post_periods_ == 0
    summary = effect_or_baseline(model)
    assert isinstance(summary, BaselineSummary)
    assert list(summary.mde["n_post"]) == [1, 2, 3, 4, 5]
    assert summary.mde["mde"].is_monotonic_decreasing
    assert summary.last_period == 2015 and summary.n_pre == 16
    with pytest.raises(InsufficientDataError, match=r"has no outcome data at or after treatment_time 2016"):
        model.placebo_in_space()


def test_pilot_with_post_data_gets_an_effect(outcome_only):
    assert isinstance(effect_or_baseline(outcome_only), EffectEstimate)


FITTED = ["weights_", "v_", "synthetic_", "gap_", "att_", "pre_mspe_", "pre_rmspe_", "post_rmspe_", "start_losses_"]


@pytest.mark.parametrize("attribute", FITTED)
def test_fitted_attributes_raise_not_fitted_before_fit(attribute):
    with pytest.raises(NotFittedError, match="This SyntheticControl instance is not fitted yet"):
        getattr(SyntheticControl(), attribute)


@pytest.mark.parametrize("method", ["placebo_in_space", "leave_one_out", "effect", "summary"])
def test_methods_raise_not_fitted_before_fit(method):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(SyntheticControl(), method)()


def test_placebo_in_time_raises_not_fitted_before_fit():
    with pytest.raises(NotFittedError):
        SyntheticControl().placebo_in_time(2010)


def test_scikit_learn_contract(panel):
    model = SyntheticControl(n_starts=0)  # __init__ stores, fit validates
    assert model.get_params()["n_starts"] == 0
    fresh = clone(SyntheticControl(n_starts=3, random_state=1))
    assert fresh.get_params()["n_starts"] == 3 and not hasattr(fresh, "weights_")
    assert fresh.fit(panel, **FIT) is fresh


@settings(max_examples=60, deadline=None)
@given(
    m=st.integers(2, 12),
    n=st.integers(1, 25),
    seed=st.integers(0, 2**32 - 1),
    scale=st.floats(1e-2, 1e3),
)
def test_simplex_solver_is_feasible_and_no_worse_than_slsqp(m, n, seed, scale):
    from pysyncon.base import VanillaOptimMixin

    rng = np.random.default_rng(seed)
    A = rng.normal(size=(m, n)) * scale
    b = rng.normal(size=m) * scale
    w = simplex_least_squares(A, b)
    assert w.min() >= 0 and w.sum() == pytest.approx(1.0, abs=SIMPLEX_TOL)
    reference, _ = VanillaOptimMixin.w_optimize(np.eye(m), A, b)
    reference = np.clip(reference, 0, None) / np.clip(reference, 0, None).sum()  # SLSQP may leave the simplex slightly
    ours, theirs = np.sum((b - A @ w) ** 2), np.sum((b - A @ reference) ** 2)
    assert ours <= theirs * (1 + 1e-7) + 1e-12 * scale**2
