"""``impact.intercept``: the synthetic control with an intercept (shifted by its fit window's mean gap)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from aoresearch.config.impact import parse_impact_config
from aoresearch.errors import ParameterError
from aoresearch.impact._comparable import nearest_paths
from aoresearch.impact._pilot_sc import fit_pilot_sc, placebo_in_size_class
from aoresearch.impact._sc_backtest import run_backtests
from aoresearch.impact._sc_weights import fit_weights_outcome, intercept_shift
from aoresearch.impact._synthetic_control import SyntheticControl
from aoresearch.impact.evaluate import evaluate_outcome, find_pilot, sc_inputs
from aoresearch.panel.stage import make_panel
from aoresearch.params_schema import params_problems

OUTCOME = "oohc_per_1000"


def _panel(seed=7, n_donors=30, years=range(1995, 2025), lift=1.5):
    """Donors with common trends; the treated unit lies ``lift`` above all of them (a level no
    convex combination reaches)."""
    rng = np.random.default_rng(seed)
    t = np.arange(len(years))
    donors = 10 + rng.normal(0, 1, n_donors)[:, None] + rng.normal(1, 0.3, n_donors)[:, None] * np.sin(t / 4)[None, :]
    donors += rng.normal(0, 0.3, donors.shape)
    treated = donors.max(axis=0) + lift + rng.normal(0, 0.3, t.size)
    return np.vstack([treated, donors]), np.array(list(years))


def _long(Y, years, start=2010):
    frame = pd.DataFrame([(u, int(y), Y[u, i]) for u in range(Y.shape[0]) for i, y in enumerate(years)],
                         columns=["region", "year", "y"])
    return frame[frame["year"] >= start].reset_index(drop=True)


KWARGS = dict(unit="region", time="year", outcome="y", treated=0, treatment_time=2020)


def test_intercept_shift_is_the_mean_gap_over_the_window_and_exactly_zero_without_intercept():
    treated = np.array([5.0, 6.0, 7.0, 20.0])
    synthetic = np.array([4.0, 4.0, 4.0, 4.0])
    window = np.array([True, True, True, False])
    assert intercept_shift(treated, synthetic, window, True) == pytest.approx(2.0)
    assert intercept_shift(treated, synthetic, [0, 1], True) == pytest.approx(1.5)  # integer indices
    assert intercept_shift(treated, synthetic, slice(None), True) == pytest.approx(5.5)
    assert intercept_shift(treated, synthetic, window, False) == 0.0
    shifted = synthetic + intercept_shift(treated, synthetic, window, True)
    assert np.mean((treated - shifted)[window]) == pytest.approx(0.0, abs=1e-15)
    np.testing.assert_array_equal(synthetic + intercept_shift(treated, synthetic, window, False), synthetic)


def test_main_fit_with_intercept_has_zero_mean_pre_gap_and_the_same_weights():
    Y, years = _panel()
    frame = _long(Y, years)
    plain = SyntheticControl(min_pre_periods=5, penalty=1.0).fit(frame, **KWARGS)
    shifted = SyntheticControl(min_pre_periods=5, penalty=1.0, intercept=True).fit(frame, **KWARGS)
    pre = plain.gap_.index < 2020
    assert plain.gap_[pre].mean() > 1.0  # the treated unit is above every donor: the classic fit misses its level
    assert abs(shifted.gap_[pre].mean()) < 1e-12
    pd.testing.assert_series_equal(plain.weights_, shifted.weights_)
    shift = plain.gap_[pre].mean()
    np.testing.assert_allclose(shifted.synthetic_ - plain.synthetic_, shift, atol=1e-12)
    assert shifted.att_ == pytest.approx(plain.att_ - shift, abs=1e-12)
    assert shifted.pre_mspe_ == pytest.approx(float(np.mean(shifted.gap_[pre] ** 2)), rel=1e-12)
    assert shifted.pre_mspe_ < plain.pre_mspe_


def test_placebos_leave_one_out_and_in_time_refits_use_the_intercept_too():
    Y, years = _panel(seed=8)
    frame = _long(Y, years)
    sc = SyntheticControl(min_pre_periods=5, penalty=1.0, intercept=True).fit(frame, **KWARGS)
    pre = sc.gap_.index < 2020
    in_space = sc.placebo_in_space()
    assert np.abs(in_space.gaps[pre].mean()).max() < 1e-12
    np.testing.assert_allclose(in_space.stats["pre_mspe"], (in_space.gaps[pre] ** 2).mean(), rtol=1e-12)
    loo = sc.leave_one_out()
    assert not loo.gaps.empty and np.abs(loo.gaps[pre].mean()).max() < 1e-12
    fake = sc.placebo_in_time(2016)
    assert abs(fake.gap[fake.gap.index < 2016].mean()) < 1e-12
    # and without the intercept they keep their level miss
    plain = SyntheticControl(min_pre_periods=5, penalty=1.0).fit(frame, **KWARGS)
    assert plain.placebo_in_time(2016).gap.loc[:2015].mean() > 0.5


def test_backtests_with_intercept_shift_each_origin_by_its_own_window_mean_gap():
    Y, years = _panel(seed=9)
    pre_years, max_donors = 10, 20
    plain = run_backtests(Y, years, 2020, pre_years, 3, 1.0, max_donors)
    shifted = run_backtests(Y, years, 2020, pre_years, 3, 1.0, max_donors, intercept=True)
    np.testing.assert_array_equal(plain.origins, shifted.origins)
    position = {int(y): i for i, y in enumerate(years)}
    for row, origin in enumerate(plain.origins):
        cols = [position[y] for y in range(origin - pre_years, origin)]
        donors = 1 + nearest_paths(Y[0, cols], Y[1:, cols], max_donors)
        weights = fit_weights_outcome(Y[donors][:, cols], Y[0, cols], 1.0).weights
        shift = np.mean(Y[0, cols] - weights @ Y[donors][:, cols])  # this origin's own fit window
        done = np.isfinite(plain.errors[row])
        np.testing.assert_allclose(shifted.errors[row, done], plain.errors[row, done] - shift, atol=1e-12)
        np.testing.assert_allclose(shifted.predicted[row, done], plain.predicted[row, done] + shift, atol=1e-12)
    # The classic backtests inherit the level miss as a shared positive error; shifted ones do not.
    assert np.nanmean(plain.errors) > 1.0
    assert abs(np.nanmean(shifted.errors)) < 0.5 * np.nanmean(plain.errors)


def test_intercept_is_off_by_default_and_checked():
    assert SyntheticControl().intercept is False
    Y, years = _panel()
    with pytest.raises(ParameterError, match="'intercept' parameter of SyntheticControl must be a bool"):
        SyntheticControl(intercept="yes").fit(_long(Y, years), **KWARGS)
    backtests = (Y, years, 2020, 10, 2, 1.0, 20)
    np.testing.assert_array_equal(run_backtests(*backtests).errors, run_backtests(*backtests, intercept=False).errors)


def test_impact_config_parses_intercept_and_names_the_key(params, params_document):
    assert params.impact.intercept is True  # params.yaml: the SC with an intercept (benchmarks/results/impact_quality_intercept.json)
    section = dict(params_document["impact"])
    assert parse_impact_config(section | {"intercept": True}).intercept is True
    with pytest.raises(ParameterError, match=r"'impact.intercept' must be true or false. Got 'yes'"):
        parse_impact_config(section | {"intercept": "yes"})
    with pytest.raises(ParameterError, match=r"'impact.intercept' must be true or false. Got 1"):
        parse_impact_config(section | {"intercept": 1})
    section.pop("intercept")
    with pytest.raises(ParameterError, match=r"missing key 'impact.intercept'"):
        parse_impact_config(section)


def test_params_schema_checks_intercept(params_document):
    document = dict(params_document) | {"impact": dict(params_document["impact"]) | {"intercept": "yes"}}
    problems = params_problems(document)
    assert any("impact.intercept" in str(problem) for problem in problems)
    assert not params_problems(params_document)


@pytest.fixture(scope="module")
def north_karelia(demo_raw, catalogue, params):
    pilot = find_pilot(params.pilots, "north_karelia")
    return make_panel(demo_raw, catalogue, params, pilot.category), pilot


# The synthetic control of the default demo's North Karelia on oohc_per_1000, computed by the
# code before impact.intercept existed (commit 6c87cbb): the flag off must reproduce it exactly.
BEFORE = {
    "effect": [2.716341605991124, 1.0357248584705054, -0.4171113132700466, -0.46196306150044286, -1.6861966526265872,
               0.2373590874129105],
    "lower": [-2.150610035785876, -3.9387102192180974, -5.323037750030216, -4.798677978446636, -6.405438782208294,
              -2.7013890727339196],
    "upper": [7.583293247768124, 6.010159936159108, 4.488815123490123, 3.8747518554457505, 3.0330454769551194,
              3.1761072475597403],
    "p_value": [0.25233880532903924, 0.6589841103195191, 0.8559148867339981, 0.8203264079617039, 0.4482337167677451,
                0.8245404859522135],
    "loo": [0.1130893159750892, 0.31001895509537414, 0.36074280265029957, 0.06208999843499345, 0.4069766806937059,
            0.221071585189153, -0.25560853309426523, 0.2793650363915708],
}


def test_intercept_off_reproduces_the_classic_evaluation_and_on_changes_it(north_karelia, params):
    panel, pilot = north_karelia
    config = replace(params.impact, outcomes=(OUTCOME,), n_jobs=1, intercept=False)
    off = evaluate_outcome(panel, pilot, params.pilots, OUTCOME, config, params.seed)
    sc = off.effects[off.effects["estimator"] == "synthetic_control"]
    for column in ("effect", "lower", "upper", "p_value"):
        assert sc[column].tolist() == pytest.approx(BEFORE[column], rel=1e-12, abs=1e-12), column
    assert off.leave_one_out["effect"].tolist() == pytest.approx(BEFORE["loo"], rel=1e-12, abs=1e-12)
    assert off.info["placebo_p_rmspe_ratio"] == pytest.approx(0.6842105263157895, rel=1e-12)
    assert off.info["pre_rmspe"] == pytest.approx(1.5162893296822768, rel=1e-12)
    assert off.placebos.loc[off.placebos["kind"] == "in_time", "att"].tolist() == pytest.approx([0.6692555936068416], rel=1e-12)
    assert off.power["mde"].tolist() == pytest.approx([3.890382077726045], rel=1e-12)
    assert off.backtests["error"].abs().sum() == pytest.approx(109.42398396919474, rel=1e-12)

    on = evaluate_outcome(panel, pilot, params.pilots, OUTCOME, replace(config, intercept=True), params.seed)
    pre = (on.trajectory["year"] < pilot.adoption_year).to_numpy()
    assert abs(on.trajectory.loc[pre, "gap"].mean()) < 1e-12
    shift = off.trajectory.loc[pre, "gap"].mean()
    assert abs(shift) > 0.1
    effect_on = on.effects[on.effects["estimator"] == "synthetic_control"]["effect"].to_numpy()
    np.testing.assert_allclose(effect_on, sc["effect"].to_numpy() - shift, atol=1e-12)
    assert not np.allclose(on.backtests["error"], off.backtests["error"])
    gaps = on.placebo_gaps.pivot(index="year", columns="region", values="gap")
    assert np.abs(gaps[gaps.index < pilot.adoption_year].mean()).max() < 1e-12


def test_fit_pilot_sc_threads_the_intercept_to_its_size_class_placebos(north_karelia, params):
    panel, pilot = north_karelia
    config = replace(params.impact, outcomes=(OUTCOME,), n_jobs=1)
    inputs = sc_inputs(panel, pilot, params.pilots, OUTCOME, config)
    runs = {flag: fit_pilot_sc(inputs.Y, inputs.frame, pilot.region, pilot.adoption_year, OUTCOME,
                               replace(config, intercept=flag), params.seed) for flag in (False, True)}
    placebos = {flag: placebo_in_size_class(run, replace(config, intercept=flag)) for flag, run in runs.items()}
    pre = placebos[True].gaps.index < pilot.adoption_year
    assert np.abs(placebos[True].gaps[pre].mean()).max() < 1e-12
    assert np.abs(placebos[False].gaps[pre].mean()).max() > 0.05
    # same donors and weights, only the level moves
    pd.testing.assert_series_equal(runs[False].sc.weights_, runs[True].sc.weights_)
