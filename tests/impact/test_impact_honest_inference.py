"""Issue 12: regularised synthetic control, backtest intervals, MDE, percent scale, placebo labels, pooling."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from aoresearch.errors import InsufficientDataError, ParameterError
from aoresearch.impact._comparable import nearest_paths, size_class
from aoresearch.impact._pilot_sc import fit_quality, placebo_test
from aoresearch.impact._results import effect_estimate
from aoresearch.impact._sc_backtest import Backtests, TInference, effective_dof, run_backtests
from aoresearch.impact._sc_weights import fit_weights_outcome
from aoresearch.impact._synthetic_control import SyntheticControl
from aoresearch.config.impact import parse_impact_config
from aoresearch.impact.pooling import pool_pilots


def _panel(rng, n_donors=40, years=range(1995, 2025), noise=0.3):
    """Donors with common trends; the treated unit is a mix of three donors plus its own noise."""
    t = np.arange(len(years))
    loadings = rng.normal(1, 0.3, n_donors)
    donors = 10 + rng.normal(0, 2, n_donors)[:, None] + loadings[:, None] * np.sin(t / 4)[None, :] + rng.normal(0, noise, (n_donors, t.size))
    treated = donors[:3].mean(axis=0) + rng.normal(0, noise, t.size)
    return np.vstack([treated, donors]), np.array(list(years))


def test_effective_dof_is_n_for_independent_one_year_errors_and_falls_with_overlap_and_persistence():
    assert effective_dof(15, 1, 0.0) == pytest.approx(15)
    assert effective_dof(15, 5, 0.0) < effective_dof(15, 2, 0.0) < 15
    assert effective_dof(15, 2, 0.6) < effective_dof(15, 2, 0.0)


def test_per_year_dof_uses_the_persistence_of_that_leads_own_errors():
    rng = np.random.default_rng(2)
    n = 15
    drift = np.cumsum(rng.normal(0, 1, n + 3))
    errors = np.column_stack([rng.normal(0, 1, n), rng.normal(0, 1, n), drift[3:] - drift[:-3]])  # lead 2 shares drift
    backtests = Backtests(np.arange(2005, 2005 + n), errors, 10)
    assert backtests.lead(2, 5).dof < backtests.lead(0, 5).dof
    assert backtests.lead(0, 5).dof == pytest.approx(effective_dof(n, 1, backtests.rho))


def test_interval_p_value_and_mde_agree():
    inference = TInference(scale=2.0, dof=6.0, n=10)
    lower, upper = inference.interval(3.0, 0.05)
    assert inference.p_value(upper - 3.0 + 0.0) == pytest.approx(0.05, abs=1e-9)  # the bound is where p = alpha
    mde = inference.mde(0.05, 0.8)
    # An effect of exactly the MDE is rejected with probability 0.8 when the estimate is t-distributed around it.
    critical = stats.t.ppf(0.975, 6) * 2.0
    assert stats.t.sf((critical - mde) / 2.0, 6) == pytest.approx(0.8, abs=1e-9)
    assert np.isnan(TInference(float("nan"), 0.0, 3).p_value(1.0))


def test_penalised_weights_stop_the_perfect_pre_period_fit_of_many_donors():
    rng = np.random.default_rng(3)
    Y, _ = _panel(rng, n_donors=60)
    pre = slice(0, 10)  # 60 donors, 10 pre-years: the plain problem interpolates exactly
    plain = fit_weights_outcome(Y[1:, pre], Y[0, pre], 0.0)
    penalised = fit_weights_outcome(Y[1:, pre], Y[0, pre], 1.0)
    noise = 0.3**2  # the treated unit's own noise variance (and more from its three donors' noise)
    assert plain.loss < 0.5 * noise  # the plain fit reproduces much of the noise
    assert penalised.loss > 2 * plain.loss
    assert np.isclose(penalised.weights.sum(), 1) and (penalised.weights >= 0).all()


def test_fit_quality_calls_a_fit_far_below_the_year_to_year_noise_overfitted():
    rng = np.random.default_rng(4)
    Y, years = _panel(rng, n_donors=60, noise=0.5)
    frame = pd.DataFrame([(u, int(y), Y[u, i]) for u in range(Y.shape[0]) for i, y in enumerate(years)],
                         columns=["region", "year", "y"])
    frame = frame[frame["year"] >= 2010]
    kwargs = dict(unit="region", time="year", outcome="y", treated=0, treatment_time=2020)
    plain = SyntheticControl(min_pre_periods=5).fit(frame, **kwargs)
    penalised = SyntheticControl(min_pre_periods=5, penalty=1.0).fit(frame, **kwargs)
    assert fit_quality(plain)["fit_quality"] == "overfitted"
    assert fit_quality(penalised)["fit_quality"] != "overfitted"


def test_backtest_scale_estimates_the_out_of_sample_error():
    errors = []
    for seed in range(20):
        Y, years = _panel(np.random.default_rng(100 + seed), noise=0.3)
        backtests = run_backtests(Y, years, 2020, 10, 1, 1.0, 20)
        errors.append(backtests.lead(0, 5).scaled(10.0).scale)  # relative errors, at the panel's level of about 10
    # Treated noise 0.3 plus the synthetic control's own error: the scale is of that order, not ~0.
    assert 0.3 < np.median(errors) < 0.8


def test_backtests_use_only_years_before_adoption():
    Y, years = _panel(np.random.default_rng(5))
    Y_shifted = Y.copy()
    Y_shifted[0, years >= 2020] += 50.0  # a huge effect after adoption
    a = run_backtests(Y, years, 2020, 10, 5, 1.0, 20)
    b = run_backtests(Y_shifted, years, 2020, 10, 5, 1.0, 20)
    np.testing.assert_array_equal(a.errors, b.errors)
    assert np.isnan(a.errors[-1, 1:]).all()  # the last origin (2019) has no lead at or after 2020


def test_percent_bounds_never_pass_minus_100():
    e = effect_estimate(-5.0, -40.0, 10.0, counterfactual=10.0, alpha=0.05, method="m")
    assert e.percent == pytest.approx(-50.0)
    assert -100 < e.percent_lower < e.percent < e.percent_upper
    assert effect_estimate(-5.0, -40.0, 30.0, 10.0, 0.05, "m").percent_upper == np.inf  # counterfactual <= 0


@pytest.mark.parametrize("n, is_test", [(5, False), (15, False), (25, True)])
def test_placebo_rank_is_a_test_only_with_enough_placebos(n, is_test):
    config = SimpleNamespace(min_placebos=10, alpha=0.05)
    placebo = SimpleNamespace(stats=pd.DataFrame({"kept": [True] * (n + 1)}), p_value=0.2)
    result = placebo_test(placebo, config)
    assert result["placebo_is_test"] is is_test and result["n_placebos"] == n
    assert np.isnan(result["placebo_p_rmspe_ratio"]) == (n < 10)
    assert str(n) in result["placebo_note"]


def test_size_class_and_nearest_paths():
    sizes = pd.Series({1: 40_000.0, 2: 39_000.0, 3: 5_000.0, 4: 170_000.0, 5: 12_000.0})
    assert size_class(sizes, 1, 4, 2, "pilot 'x'") == [2, 5]
    with pytest.raises(InsufficientDataError, match="impact.donors.size_ratio"):
        size_class(sizes, 1, 1.1, 2, "pilot 'x'")
    target = np.zeros(4)
    candidates = np.array([[5.0] * 4, [0.1] * 4, [1.0] * 4, [-0.2] * 4])
    assert list(nearest_paths(target, candidates, 2)) == [1, 3]


@pytest.mark.parametrize("key, value, message", [
    ("alpha", 1.5, "impact.alpha"), ("pre_years", 1, "impact.pre_years"), ("penalty", -1, "impact.penalty"),
    ("headline_outcome", "nothing", "impact.headline_outcome"),
])
def test_impact_config_ranges_name_the_key(params_document, key, value, message):
    section = dict(params_document["impact"]) | {key: value}
    with pytest.raises(ParameterError, match=message):
        parse_impact_config(section)


def test_impact_config_lists_every_bad_value_with_what_it_got(params_document):
    section = dict(params_document["impact"]) | {"alpha": 1.5, "penalty": -1}
    with pytest.raises(ParameterError, match=r"'impact.alpha' must be a number in \(0, 1\), got 1.5; 'impact.penalty' .* got -1"):
        parse_impact_config(section)


def _pilot(category, log_effect, se, cf=10.0, n_post=2, origins=range(2005, 2018), rng=None, shared=None):
    """A pilot's effects and backtests whose relative backtest errors have root mean square ``se``."""
    observed = cf * np.exp(log_effect)
    rows = [{"estimator": "synthetic_control", "outcome": "y", "period": str(2020 + k), "effect": 0.0, "observed": observed,
             "counterfactual": cf, "se": np.nan, "dof": np.nan} for k in range(n_post)]
    rows.append({"estimator": "synthetic_control", "outcome": "y", "period": "average", "effect": observed - cf,
                 "observed": observed, "counterfactual": cf, "se": se * cf, "dof": 8.0})
    errors = shared if shared is not None else rng.normal(0, 1, len(origins))
    errors = errors / np.sqrt(np.mean(errors**2)) * se * cf
    backtests = pd.DataFrame([{"outcome": "y", "origin": o, "lead": k, "error": e, "counterfactual": cf}
                              for o, e in zip(origins, errors) for k in range(n_post)])
    return {"category": category, "adoption_year": 2020, "effects": pd.DataFrame(rows), "backtests": backtests}


def test_pooling_averages_pilots_on_the_log_scale_with_the_mean_backtest_error_as_its_noise():
    rng = np.random.default_rng(0)
    independent = {"a": _pilot("m", -0.2, 0.1, rng=rng), "b": _pilot("m", 0.0, 0.2, rng=rng)}
    pooled = pool_pilots(independent, 0.05, 0.8).set_index("group").loc["all"]
    assert pooled["log_effect"] == pytest.approx(-0.1)
    relative = [independent[k]["backtests"].query("lead == 0")["error"].to_numpy() / 10.0 for k in "ab"]
    assert pooled["se_log"] == pytest.approx(np.sqrt(np.mean(((relative[0] + relative[1]) / 2) ** 2)))
    assert pooled["percent_lower"] > -100 and pooled["percent"] == pytest.approx(100 * np.expm1(-0.1))
    assert pooled["mde_percent"] > 0 and 0 < pooled["p_value"] < 1
    assert "13 backtests" in pooled["method"]
    shared = rng.normal(0, 1, 13)
    correlated = {"a": _pilot("m", -0.2, 0.1, shared=shared), "b": _pilot("m", 0.0, 0.2, shared=shared)}
    together = pool_pilots(correlated, 0.05, 0.8).set_index("group").loc["all"]
    assert together["error_correlation"] == pytest.approx(1.0)
    # Errors that move together do not cancel: the pooled noise is the mean of the two, not sqrt(0.1^2 + 0.2^2) / 2.
    assert together["se_log"] == pytest.approx(0.15)
    assert abs(pooled["error_correlation"]) < 0.9


def test_pooling_without_enough_common_backtests_gives_no_interval():
    rng = np.random.default_rng(1)
    short = {"a": _pilot("m", -0.2, 0.1, rng=rng, origins=range(2015, 2018)), "b": _pilot("m", 0.0, 0.2, rng=rng, origins=range(2015, 2018))}
    pooled = pool_pilots(short, 0.05, 0.8, min_backtests=5).set_index("group").loc["all"]
    assert np.isnan(pooled["percent_lower"]) and np.isnan(pooled["p_value"]) and "no interval" in pooled["method"]


def test_size_class_placebos_get_their_own_nearest_donors_and_never_the_pilot(params):
    from aoresearch.impact._pilot_sc import fit_pilot_sc, placebo_in_size_class

    rng = np.random.default_rng(11)
    years = np.arange(1995, 2025)
    n = 12
    paths = 10 + rng.normal(0, 1, (n, 1)) + np.cumsum(rng.normal(0, 0.3, (n, years.size)), axis=1)
    paths[2] = paths[1] + rng.normal(0, 0.01, years.size)  # member 2 is a near copy of member 1
    paths[0, years >= 2020] += 50  # a huge effect: the pilot must not be anyone's donor
    units = list(range(100, 100 + n))
    Y = pd.DataFrame(paths, index=units, columns=years)
    frame = Y.rename_axis(index="region", columns="year").stack().rename("y").reset_index()
    frame["region_name"] = frame["region"].astype(str)
    config = replace(params.impact, max_donors=4, min_donors=2, n_jobs=1)
    run = fit_pilot_sc(Y, frame, 100, 2020, "y", config, seed=0)
    placebo = placebo_in_size_class(run, config)
    assert list(placebo.gaps.columns) == units and placebo.stats["treated"].sum() == 1
    np.testing.assert_allclose(placebo.gaps[100].to_numpy(), run.sc.gap_.to_numpy())
    post = placebo.gaps.index >= 2020
    assert placebo.gaps.loc[post, units[1:]].abs().max().max() < 10  # no placebo borrows the pilot's effect
    assert placebo.stats.loc[101, "pre_rmspe"] < 0.05  # member 1 found its near copy among the others
    assert placebo.p_value == pytest.approx(1 / n)
