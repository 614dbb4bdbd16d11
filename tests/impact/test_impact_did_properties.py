"""StaggeredDiD and TwfeEventStudy on simulated staggered adoption with a known answer,
and their input validation."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from aoresearch.errors import InsufficientDataError, NotFittedError, ParameterError, PanelStructureError
from aoresearch.impact import Aggregation, EffectEstimate, StaggeredDiD, TwfeEventStudy

EFFECT = -1.0
# 360 units, noise sd 0.2: ATT(g,t) standard errors are about 0.03; 0.15 is five of them.
EFFECT_TOL = 0.15
FIT = dict(unit="region", time="year", outcome="rate", group="adoption")


def staggered_panel(n_units=360, seed=0, effect=EFFECT, never_code=0.0):
    """Unit and year effects plus noise; cohorts adopt in 2004, 2006 or never (a third each);
    a constant ``effect`` from adoption on. ``x`` is a time-invariant covariate."""
    rng = np.random.default_rng(seed)
    years = np.arange(2000, 2010)
    adoption = np.array([2004.0, 2006.0, never_code])[np.arange(n_units) % 3]
    unit_effect = rng.normal(size=n_units)
    frame = pd.DataFrame({"region": np.repeat(np.arange(n_units), years.size), "year": np.tile(years, n_units)})
    frame["adoption"] = np.repeat(adoption, years.size)
    frame["x"] = np.repeat(rng.normal(size=n_units), years.size)
    treated = (frame["adoption"] > 0) & (frame["year"] >= frame["adoption"])
    frame["rate"] = (
        5 + np.repeat(unit_effect, years.size) + 0.1 * (frame["year"] - 2000) + 0.3 * frame["x"]
        + effect * treated + rng.normal(scale=0.2, size=len(frame))
    )
    return frame


@pytest.fixture(scope="module")
def panel():
    return staggered_panel()


@pytest.fixture(scope="module")
def model(panel):
    return StaggeredDiD().fit(panel, **FIT, covariates=["x"])


def test_group_time_effects_recover_the_injected_effect(model):
    post = model.att_gt_[model.att_gt_["post"]]
    pre = model.att_gt_[~model.att_gt_["post"]]
    assert (post["att"] - EFFECT).abs().max() <= EFFECT_TOL
    assert pre["att"].abs().max() <= EFFECT_TOL
    assert set(model.groups_) == {2004, 2006}
    assert model.n_units_ == 360


def test_intervals_are_att_plus_minus_z_se(model):
    z = 1.959963984540054
    frame = model.att_gt_
    np.testing.assert_allclose(frame["upper"] - frame["att"], z * frame["se"])
    np.testing.assert_allclose(frame["att"] - frame["lower"], z * frame["se"])


@pytest.mark.parametrize("kind", ["simple", "dynamic", "group", "calendar"])
def test_aggregations_recover_the_injected_effect(model, kind):
    agg = model.aggregate(kind)
    assert isinstance(agg, Aggregation) and agg.kind == kind
    assert abs(agg.overall_att - EFFECT) <= EFFECT_TOL
    assert agg.overall_lower < agg.overall_att < agg.overall_upper


def test_dynamic_aggregation_labels_event_times(model):
    table = model.aggregate("dynamic").table
    assert list(table["event_time"]) == list(range(-5, 6))


def test_no_pre_trend_is_detected(model):
    assert model.pretest_.df == 8
    assert model.pretest_.p_value > 0.001


def test_effect_in_percent_of_counterfactual(model, panel):
    effect = model.effect("simple")
    assert isinstance(effect, EffectEstimate)
    treated_post = panel[(panel["adoption"] > 0) & (panel["year"] >= panel["adoption"])]
    # Equal cohort sizes: the simple weights are proportional to the number of post cells.
    assert effect.counterfactual == pytest.approx(treated_post["rate"].mean() - effect.estimate, abs=1e-9)
    assert effect.percent == pytest.approx(100 * effect.estimate / effect.counterfactual)
    assert effect.p_value < 1e-6


def test_not_yet_treated_controls_and_never_coded_as_nan():
    frame = staggered_panel(seed=1, never_code=np.nan)
    model = StaggeredDiD(control_group="notyettreated", est_method="reg").fit(frame, **FIT)
    assert abs(model.aggregate("simple").overall_att - EFFECT) <= EFFECT_TOL


def test_universal_base_period_has_reference_cells():
    model = StaggeredDiD(base_period="universal").fit(staggered_panel(seed=2), **FIT)
    reference = model.att_gt_[model.att_gt_["time"] == model.att_gt_["group"] - 1]
    assert (reference["att"] == 0).all() and reference["se"].isna().all()


def test_twfe_event_study_recovers_a_homogeneous_effect(panel):
    study = TwfeEventStudy(window=(-3, 3)).fit(panel, **FIT)
    table = study.coefficients_.set_index("event_time")
    assert list(table.index) == list(range(-3, 4))
    assert table.loc[-1, "estimate"] == 0 and np.isnan(table.loc[-1, "se"])
    assert (table.loc[0:3, "estimate"] - EFFECT).abs().max() <= EFFECT_TOL
    assert table.loc[[-3, -2], "estimate"].abs().max() <= EFFECT_TOL
    assert (table.drop(-1)["lower"] < table.drop(-1)["upper"]).all()
    assert study.n_clusters_ == 360 and study.n_obs_ == 3600


def test_twfe_without_binning_drops_out_of_window_rows(panel):
    study = TwfeEventStudy(window=(-2, 2), bin_endpoints=False).fit(panel, **FIT)
    treated = panel[panel["adoption"] > 0]
    outside = ~(treated["year"] - treated["adoption"]).between(-2, 2)
    assert study.n_obs_ == len(panel) - int(outside.sum())


# -- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [("control_group", "never"), ("est_method", "ols"), ("base_period", "fixed")],
)
def test_options_use_the_house_template(panel, option, value):
    pattern = rf"^The '{option}' parameter of StaggeredDiD must be one of \{{.*\}}\. Got '{value}' instead\.$"
    with pytest.raises(ParameterError, match=pattern):
        StaggeredDiD(**{option: value}).fit(panel, **FIT)


def test_anticipation_must_be_non_negative(panel):
    with pytest.raises(ParameterError, match=re.escape("The 'anticipation' parameter of StaggeredDiD must be an int >= 0. Got -1 instead.")):
        StaggeredDiD(anticipation=-1).fit(panel, **FIT)


def test_alpha_range(panel):
    with pytest.raises(ParameterError, match=re.escape("The 'alpha' parameter of StaggeredDiD must be a number in (0, 1). Got 0 instead.")):
        StaggeredDiD(alpha=0).fit(panel, **FIT)


def test_aggregation_kind(model):
    with pytest.raises(ParameterError, match=r"The 'kind' parameter of StaggeredDiD.aggregate must be one of .*Got 'event' instead\."):
        model.aggregate("event")


def test_covariates_must_be_a_list(panel):
    with pytest.raises(ParameterError, match=re.escape("The 'covariates' parameter of StaggeredDiD.fit must be a list. Got 'x' instead.")):
        StaggeredDiD().fit(panel, **FIT, covariates="x")


def test_missing_group_column(panel):
    with pytest.raises(PanelStructureError, match=r"StaggeredDiD.fit: the group column 'first_year' is not in the panel"):
        StaggeredDiD().fit(panel, **{**FIT, "group": "first_year"})


def test_duplicated_keys(panel):
    with pytest.raises(PanelStructureError, match=r"\(region, year\) keys are not unique"):
        StaggeredDiD().fit(pd.concat([panel, panel.iloc[[3]]]), **FIT)


def test_group_must_be_numeric(panel):
    with pytest.raises(PanelStructureError, match=r"the group column 'adoption' must be numeric"):
        StaggeredDiD().fit(panel.assign(adoption=panel["adoption"].astype(str)), **FIT)


def test_group_constant_within_unit(panel):
    varying = panel.copy()
    varying.loc[(varying["region"] == 4) & (varying["year"] == 2009), "adoption"] = 2008.0
    with pytest.raises(PanelStructureError, match=re.escape("the group column 'adoption' must hold one adoption time per unit; units [4] have several")):
        StaggeredDiD().fit(varying, **FIT)


def test_missing_outcome_values(panel):
    holes = panel.copy()
    holes.loc[holes["region"] == 7, "rate"] = np.nan
    with pytest.raises(InsufficientDataError, match=re.escape("column 'rate' is missing for units [7]; drop these units or fill the values")):
        StaggeredDiD().fit(holes, **FIT)


def test_unbalanced_panel(panel):
    short = panel[~((panel["region"] == 9) & (panel["year"] == 2003))]
    with pytest.raises(PanelStructureError, match=re.escape("the panel is unbalanced; units [9] lack some of the 10 periods")):
        StaggeredDiD().fit(short, **FIT)


def test_no_treated_cohort(panel):
    with pytest.raises(InsufficientDataError, match=r"no unit adopts the treatment after the first period 2000"):
        StaggeredDiD().fit(panel.assign(adoption=0.0), **FIT)


def test_no_never_treated_units_for_that_control_group(panel):
    everyone = panel.assign(adoption=panel["adoption"].replace(0.0, 2008.0))
    with pytest.raises(InsufficientDataError, match=r"control_group='nevertreated' needs units that are never treated .* Use control_group='notyettreated'"):
        StaggeredDiD().fit(everyone, **FIT)


@pytest.mark.parametrize("window", [(-3,), (0, 3), (-2, -2), (-3.0, 3)])
def test_event_study_window(panel, window):
    with pytest.raises(ParameterError, match=r"The 'window' parameter of TwfeEventStudy must be two ints \(low, high\)"):
        TwfeEventStudy(window=window).fit(panel, **FIT)


@pytest.mark.parametrize("attribute", ["att_gt_", "pretest_", "n_units_", "groups_"])
def test_not_fitted_attributes(attribute):
    with pytest.raises(NotFittedError, match="This StaggeredDiD instance is not fitted yet"):
        getattr(StaggeredDiD(), attribute)


@pytest.mark.parametrize("method", ["aggregate", "effect"])
def test_not_fitted_methods(method):
    with pytest.raises(NotFittedError):
        getattr(StaggeredDiD(), method)()


def test_event_study_not_fitted():
    with pytest.raises(NotFittedError, match="This TwfeEventStudy instance is not fitted yet"):
        TwfeEventStudy().coefficients_
