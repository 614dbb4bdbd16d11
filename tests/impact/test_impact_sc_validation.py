"""Each input problem of SyntheticControl raises once, with its own message."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from aoresearch.errors import InsufficientDataError, ParameterError, PanelStructureError
from aoresearch.impact import SyntheticControl

YEARS = list(range(2010, 2022))
FIT = dict(unit="region", time="year", outcome="rate", treated=378, treatment_time=2018)


@pytest.fixture()
def panel() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    units = [378, 1, 2, 3, 4]
    frame = pd.DataFrame({"region": np.repeat(units, len(YEARS)), "year": YEARS * len(units)})
    frame["rate"] = 10 + rng.normal(size=len(frame))
    frame["share"] = rng.uniform(size=len(frame))
    return frame


def fit(panel, settings=None, **overrides):
    return SyntheticControl(**(settings or {})).fit(panel, **{**FIT, **overrides})


# -- settings ------------------------------------------------------------------------------


def test_predictors_op_uses_the_house_template(panel):
    with pytest.raises(ParameterError, match=r"^The 'predictors_op' parameter of SyntheticControl must be one of \{.*'mean'.*\}\. Got 'avg' instead\.$"):
        fit(panel, {"predictors": ["share"], "predictors_op": "avg"})


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("n_starts", 0, "an int >= 1. Got 0 instead."),
        ("maxiter", "many", "an int >= 1. Got 'many' instead."),
        ("min_pre_periods", 0, "an int >= 1. Got 0 instead."),
        ("random_state", -1, "an int >= 0. Got -1 instead."),
    ],
)
def test_integer_settings(panel, setting, value, expected):
    with pytest.raises(ParameterError, match=re.escape(f"The '{setting}' parameter of SyntheticControl must be {expected}")):
        fit(panel, {setting: value})


def test_n_jobs_zero(panel):
    with pytest.raises(ParameterError, match=re.escape("The 'n_jobs' parameter of SyntheticControl must be None or a non-zero int. Got 0 instead.")):
        fit(panel, {"n_jobs": 0})


def test_predictors_must_be_a_list(panel):
    with pytest.raises(ParameterError, match=re.escape("The 'predictors' parameter of SyntheticControl must be a list. Got 'share' instead.")):
        fit(panel, {"predictors": "share"})


def test_empty_predictors_periods(panel):
    with pytest.raises(ParameterError, match=re.escape("The 'predictors_periods' parameter of SyntheticControl must not be empty. Got [] instead.")):
        fit(panel, {"predictors": ["share"], "predictors_periods": []})


def test_special_predictor_must_be_a_triple(panel):
    with pytest.raises(ParameterError, match=re.escape("must hold (variable, periods, op) triples. Got ('share', [2011]) instead.")):
        fit(panel, {"special_predictors": [("share", [2011])]})


def test_special_predictor_op(panel):
    with pytest.raises(ParameterError, match=r"The 'special_predictors op' parameter of SyntheticControl must be one of .*Got 'average' instead\."):
        fit(panel, {"special_predictors": [("share", [2011], "average")]})


# -- panel and arguments -------------------------------------------------------------------


def test_panel_must_be_a_dataframe():
    with pytest.raises(ParameterError, match=r"SyntheticControl.fit: 'panel' must be a pandas DataFrame\. Got dict instead\."):
        SyntheticControl().fit({"region": [1]}, **FIT)


def test_empty_panel(panel):
    with pytest.raises(PanelStructureError, match=r"'panel' has no rows"):
        fit(panel.iloc[:0])


def test_missing_outcome_column(panel):
    with pytest.raises(PanelStructureError, match=r"the outcome column 'oohc' is not in the panel; columns are \['region', 'year', 'rate', 'share'\]"):
        fit(panel, outcome="oohc")


def test_missing_predictor_column(panel):
    with pytest.raises(PanelStructureError, match=r"the predictor 0 column 'income' is not in the panel"):
        fit(panel, {"predictors": ["income"]})


def test_duplicated_keys(panel):
    with pytest.raises(PanelStructureError, match=r"\(region, year\) keys are not unique, e.g. \[\{'region': 378, 'year': 2010\}\]"):
        fit(pd.concat([panel, panel.iloc[[0]]]))


def test_non_numeric_outcome(panel):
    with pytest.raises(PanelStructureError, match=r"the outcome column 'rate' must be numeric\. Got dtype"):
        fit(panel.assign(rate=panel["rate"].astype(str)))


def test_treatment_time_must_be_a_number(panel):
    with pytest.raises(ParameterError, match=r"'treatment_time' must be a finite number \(a period\)\. Got '2018' instead\."):
        fit(panel, treatment_time="2018")


def test_unknown_treated_unit(panel):
    with pytest.raises(ParameterError, match=r"treated unit 999 has no rows in the panel \(column 'region'\)"):
        fit(panel, treated=999)


def test_no_rows_before_treatment(panel):
    with pytest.raises(InsufficientDataError, match=re.escape("treated unit 378 has no rows before treatment_time 2010; the pre-period needs at least 5 years")):
        fit(panel, treatment_time=2010)


def test_too_short_pre_period(panel):
    with pytest.raises(InsufficientDataError, match=re.escape("treated unit 378 has 3 periods with outcome data before treatment_time 2013 (2010-2012); the pre-period needs at least 5 years")):
        fit(panel, treatment_time=2013)


def test_donors_contain_the_treated_unit(panel):
    with pytest.raises(ParameterError, match=r"'donors' contains the treated unit 378; remove it from the donor pool"):
        fit(panel, donors=[1, 2, 378])


def test_unknown_donors(panel):
    with pytest.raises(ParameterError, match=re.escape("donors [7, 8] have no rows in the panel (column 'region')")):
        fit(panel, donors=[1, 7, 8])


def test_duplicated_donors(panel):
    with pytest.raises(ParameterError, match=re.escape("'donors' lists [2] more than once")):
        fit(panel, donors=[1, 2, 2])


def test_too_few_donors(panel):
    with pytest.raises(InsufficientDataError, match=re.escape("needs at least 2 donors; got 1 ([1])")):
        fit(panel, donors=[1])


def test_donor_without_outcome_in_some_years(panel):
    gappy = panel[~((panel["region"] == 2) & panel["year"].isin([2012, 2013]))]
    with pytest.raises(InsufficientDataError, match=re.escape("outcome 'rate' is missing for donors [2] in periods where the treated unit has data (donor 2 lacks [2012, 2013])")):
        fit(gappy)


def test_optimize_periods_after_treatment(panel):
    with pytest.raises(ParameterError, match=re.escape("'optimize_periods' contains [2018, 2019], at or after treatment_time 2018")):
        fit(panel, {"optimize_periods": [2016, 2017, 2018, 2019]})


def test_optimize_periods_without_data(panel):
    with pytest.raises(ParameterError, match=re.escape("'optimize_periods' contains [2005], where the treated unit has no outcome data (pre-period with data: 2010-2017)")):
        fit(panel, {"optimize_periods": [2005, 2011]})


def test_predictor_periods_after_treatment(panel):
    with pytest.raises(ParameterError, match=re.escape("'predictors_periods' contains [2019], at or after treatment_time 2018; predictors must be measured before the treatment")):
        fit(panel, {"predictors": ["share"], "predictors_periods": [2016, 2019]})


def test_predictor_periods_without_rows(panel):
    with pytest.raises(ParameterError, match=re.escape("'special_predictors['share']' periods [1990] have no rows in the panel")):
        fit(panel, {"special_predictors": [("share", [1990], "mean")]})


def test_predictor_without_data_for_a_unit(panel):
    holes = panel.assign(share=np.where(panel["region"] == 3, np.nan, panel["share"]))
    with pytest.raises(InsufficientDataError, match=re.escape("predictor 'share' (mean of 'share' over [2010, 2011, 2012, 2013, 2014, ... (3 more)]) has no data for units [3]")):
        fit(holes, {"predictors": ["share"]})


# -- methods -------------------------------------------------------------------------------


@pytest.fixture()
def fitted(panel):
    return fit(panel)


def test_placebo_in_time_needs_an_earlier_fake_time(fitted):
    with pytest.raises(ParameterError, match=re.escape("'fake_time' must be a period before treatment_time 2018. Got 2018 instead.")):
        fitted.placebo_in_time(2018)


def test_placebo_in_time_needs_a_long_enough_pre_period(fitted):
    with pytest.raises(InsufficientDataError, match=re.escape("treated unit 378 has 2 periods with outcome data before treatment_time 2012")):
        fitted.placebo_in_time(2012)


def test_pre_mspe_cutoff_must_be_positive(fitted):
    with pytest.raises(ParameterError, match=re.escape("The 'pre_mspe_cutoff' parameter of SyntheticControl.placebo_in_space must be None or a number > 0. Got -1 instead.")):
        fitted.placebo_in_space(pre_mspe_cutoff=-1)


def test_placebo_n_jobs(fitted):
    with pytest.raises(ParameterError, match=re.escape("The 'n_jobs' parameter of SyntheticControl.placebo_in_space must be None or a non-zero int. Got 0 instead.")):
        fitted.placebo_in_space(n_jobs=0)


def test_placebo_n_starts(fitted):
    with pytest.raises(ParameterError, match=re.escape("The 'n_starts' parameter of SyntheticControl.placebo_in_space must be an int >= 1. Got 0 instead.")):
        fitted.placebo_in_space(n_starts=0)


def test_effect_alpha(fitted):
    with pytest.raises(ParameterError, match=re.escape("The 'alpha' parameter of SyntheticControl.effect must be a number in (0, 1). Got 1.5 instead.")):
        fitted.effect(alpha=1.5)
