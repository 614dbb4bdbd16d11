"""The synthetic demo source: schema, determinism, realistic magnitudes, suppression, truth."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from aoresearch.errors import ParameterError
from aoresearch.panel import build_panel
from aoresearch.sources.demo import SYNTHETIC_NOTICE, generate_demo


@pytest.fixture(scope="module")
def municipalities(demo_raw, catalogue):
    return build_panel(demo_raw, catalogue, "KUNTA", "midpoint")


@pytest.fixture(scope="module")
def country(demo_raw, catalogue):
    return build_panel(demo_raw, catalogue, "MAA", "midpoint").set_index("year")


def test_schema_and_keys(demo_raw):
    obs = demo_raw.observations
    assert list(obs.columns) == ["indicator", "region", "year", "gender", "value", "abs_value"]
    assert not obs.duplicated(["indicator", "region", "year", "gender"]).any()
    assert obs[["value", "abs_value"]].notna().sum(axis=1).eq(1).all(), "exactly one value column filled per row"


def test_same_seed_same_data_other_seed_other_data(catalogue, params, demo_raw):
    small = dataclasses.replace(params.data.demo, categories=("HYVINVOINTIALUE",))
    pilots = tuple(p for p in params.pilots if p.category == "wellbeing_county")
    first = generate_demo(catalogue, range(2000, 2010), pilots, small, seed=7).observations
    again = generate_demo(catalogue, range(2000, 2010), pilots, small, seed=7).observations
    other = generate_demo(catalogue, range(2000, 2010), pilots, small, seed=8).observations
    pd.testing.assert_frame_equal(first, again)
    assert not first["abs_value"].equals(other["abs_value"])


def test_demo_covers_real_region_classification(demo_raw):
    regions = demo_raw.regions
    simulated = set(demo_raw.observations["region"].unique())
    assert simulated == set(regions.loc[regions["category"].isin(["KUNTA", "HYVINVOINTIALUE", "MAA"]), "id"])
    assert regions.loc[regions["id"] == 378, "title_fi"].item() == "Tampere"


def test_every_catalogue_indicator_is_generated(demo_raw, catalogue):
    assert set(demo_raw.observations["indicator"].unique()) == set(catalogue.raw_ids)


def test_indicators_are_generated_only_for_their_catalogue_levels(demo_raw, catalogue):
    category = demo_raw.observations["region"].map(demo_raw.regions.set_index("id")["category"])
    for key in ("psych_inpatient_periods_0_6", "psych_inpatient_periods_7_12", "psych_inpatient_periods_13_17"):
        rows = category[demo_raw.observations["indicator"] == catalogue.by_key(key).raw_id]
        assert set(rows) == {"MAA"}, key
        assert any(key in n and "KUNTA, HYVINVOINTIALUE" in n for n in demo_raw.provenance["notices"])


def test_companion_series_leave_every_other_series_unchanged(catalogue, params):
    """Series added later draw from their own generators (sources/demo/companions.py): without
    them in the catalogue, every other series of the same seed is identical."""
    from aoresearch.catalogue import Catalogue
    from aoresearch.sources.demo.companions import COMPANIONS

    small = dataclasses.replace(params.data.demo, categories=("HYVINVOINTIALUE",))
    pilots = tuple(p for p in params.pilots if p.category == "wellbeing_county")
    without = Catalogue(tuple(i for i in catalogue.indicators if i.key not in COMPANIONS), catalogue.source)
    full = generate_demo(catalogue, range(2000, 2010), pilots, small, seed=7).observations
    reduced = generate_demo(without, range(2000, 2010), pilots, small, seed=7).observations
    companions = {catalogue.by_key(k).raw_id for k in COMPANIONS}
    assert {catalogue.by_key(k).raw_id for k in COMPANIONS if catalogue.by_key(k).published_for("HYVINVOINTIALUE")} <= set(full["indicator"])
    pd.testing.assert_frame_equal(full[~full["indicator"].isin(companions)].reset_index(drop=True), reduced)


def test_national_out_of_home_care_matches_published_magnitudes(country):
    # Published: 0.8% of children 0-17 placed outside the home in 1992, 1.7% in 2021.
    assert country.loc[1992, "oohc_per_1000"] == pytest.approx(8.0, rel=0.10)
    assert country.loc[2021, "oohc_per_1000"] == pytest.approx(17.0, rel=0.10)


def test_national_factor_levels_within_published_ranges(country):
    assert country["social_assistance_pct"].between(8.5, 14).all()
    assert country["child_low_income_pct"].between(5.5, 14).all()
    assert country["unemployment_pct"].max() == pytest.approx(19.0, abs=1.5)


def test_municipal_spread_is_realistic(municipalities):
    big = municipalities[municipalities["children_0_17"] > 1000]
    low, high = big["oohc_per_1000"].quantile([0.05, 0.95])
    assert 2 < low < 8 and 20 < high < 50
    low, high = big["social_assistance_pct"].quantile([0.01, 0.99])
    assert 1 < low < 6 and 14 < high < 30


def test_small_counts_are_suppressed_and_zeros_kept(demo_raw, catalogue):
    obs = demo_raw.observations
    counts = obs[obs["indicator"] == catalogue.by_key("placements_0_6").raw_id]["abs_value"]
    assert not counts.between(1, 5).any()
    assert (counts == 0).any() and (counts >= 6).all() | (counts == 0).any()


def test_gender_total_is_female_plus_male(demo_raw, catalogue):
    obs = demo_raw.observations
    placements = obs[obs["indicator"] == catalogue.by_key("children_0_17").raw_id]
    wide = placements.pivot_table(index=["region", "year"], columns="gender", values="abs_value")
    np.testing.assert_array_equal(wide["total"], wide["female"] + wide["male"])


def test_provenance_and_truth_say_synthetic(demo_raw):
    assert demo_raw.is_synthetic and demo_raw.provenance["notice"] == SYNTHETIC_NOTICE
    assert demo_raw.ground_truth["synthetic"] is True


def test_ground_truth_records_the_injected_effect(demo_raw, params):
    truth = demo_raw.ground_truth["pilots"]["tampere"]["outcomes"]["oohc_per_1000"]
    relative = params.data.demo.effect["oohc_per_1000"]
    assert truth["years"][0] == 2020
    assert truth["effect_relative"][-1] == pytest.approx(relative)
    assert truth["effect_relative"][0] == pytest.approx(relative / params.data.demo.ramp_years)
    finland = demo_raw.ground_truth["pilots"]["central_finland"]["outcomes"]["oohc_per_1000"]
    assert finland["years"] == [] and finland["att_rate"] is None


def test_injected_effect_is_visible_in_the_data(catalogue, params):
    """With a huge effect, the pilot's post-period rate falls far below its own trend."""
    strong = dataclasses.replace(params.data.demo, effect={"oohc_per_1000": -0.5}, categories=("KUNTA",))
    pilots = tuple(p for p in params.pilots if p.key == "tampere")
    raw = generate_demo(catalogue, range(2010, 2025), pilots, strong, seed=3)
    panel = build_panel(raw, catalogue, "KUNTA", "midpoint")
    tampere = panel[panel["region"] == 378].set_index("year")["oohc_per_1000"]
    truth = raw.ground_truth["pilots"]["tampere"]["outcomes"]["oohc_per_1000"]
    counterfactual = pd.Series(truth["counterfactual_rate"], index=truth["years"])
    ratio = (tampere.loc[2022:] / counterfactual.loc[2022:]).mean()
    assert ratio == pytest.approx(0.5, abs=0.05)


def test_unknown_effect_outcome_is_rejected(catalogue, params):
    bad = dataclasses.replace(params.data.demo, effect={"happiness_pct": -0.1})
    with pytest.raises(ParameterError, match="data.demo.effect: \\['happiness_pct'\\]"):
        generate_demo(catalogue, range(2000, 2002), params.pilots, bad, seed=1)


def test_pilot_outside_simulated_categories_is_rejected(catalogue, params):
    only_counties = dataclasses.replace(params.data.demo, categories=("HYVINVOINTIALUE",))
    with pytest.raises(ParameterError, match="pilots.tampere.region: 378 has category 'KUNTA'"):
        generate_demo(catalogue, range(2000, 2002), params.pilots, only_counties, seed=1)


def test_percentage_factors_move_at_most_the_step_limit_a_year(catalogue, params):
    """Seed 930106 (benchmarks/demo_plausibility.py) drew a 26.1-point yearly jump in a
    municipality's leisure participation (61.4% to 87.5% in 2016), past the validation's critical
    bound of 25 points; generator version 4 limits every percentage factor's yearly step."""
    from aoresearch.sources.demo import world

    demo = dataclasses.replace(params.data.demo, categories=("KUNTA", "HYVINVOINTIALUE"))
    obs = generate_demo(catalogue, params.data.years, params.pilots, demo, seed=930106).observations
    percent_keys = ["leisure_participation", "unemployment", "chronic_illness"]
    ids = {catalogue.by_key(k).raw_id: k for k in percent_keys}
    rows = obs[obs["indicator"].isin(list(ids)) & (obs["gender"] == "total")]
    wide = rows.pivot_table(index=["indicator", "region"], columns="year", values="value")
    steps = wide.diff(axis=1).abs().max(axis=1)
    assert steps.max() <= world._MAX_PERCENT_STEP + 0.1, steps.sort_values().tail(3)  # + rounding to 0.1
    assert world._MAX_PERCENT_STEP < params.validation.max_percent_change
    leisure = wide.loc[catalogue.by_key("leisure_participation").raw_id].loc[250]
    assert leisure[2016] - leisure[2015] == pytest.approx(22.0, abs=0.1)  # the clip bound here, not 26.1


def test_step_limit_clips_in_year_order():
    from aoresearch.sources.demo.world import _limit_steps

    values = np.array([[50.0, 80.0, 60.0, 95.0], [10.0, 12.0, 9.0, 11.0]])
    limited = _limit_steps(values, 22.0)
    np.testing.assert_allclose(limited[0], [50.0, 72.0, 60.0, 82.0])  # 80 -> 72; 95 from 60 -> 82
    np.testing.assert_allclose(limited[1], values[1])
    assert values[0, 1] == 80.0  # input not modified
