"""Bad ``factors`` parameters fail with errors that name the key and what was expected."""

import copy

import pytest

from aoresearch.errors import ParameterError
from aoresearch.factors import parse_factors_config

GOOD = {
    "outcomes": ["oohc_per_1000"],
    "lags": [0, 1],
    "test_years": {"start": 2012, "end": 2014},
    "model": {"max_iter": 10},
    "associations": {"spec": {"periods": {"all": [1992, 2021]}}},
    "scenarios": {"up": {"shift": {"unemployment_pct": 3}}, "held": {"hold": ["unemployment_pct"]}},
}


def _with(path: str, value):
    section = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    node = section
    for key in parents:
        node = node[key]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return section


def test_good_section_parses_with_baseline_first():
    config = parse_factors_config(GOOD, seed=3)
    assert [s.name for s in config.scenarios] == ["baseline", "up", "held"]
    assert config.quantiles == pytest.approx((0.1, 0.9))
    assert config.test_year_range == range(2012, 2015)


@pytest.mark.parametrize(
    "path, value, message",
    [
        ("outcomes", KeyError, "missing key 'outcomes'"),
        ("outcomes", [], "at least one outcome"),
        ("outcomes", "oohc_per_1000", "expected a list"),
        ("lags", [1, 2], "must include 0"),
        ("lags", [0, -1], "at least 0"),
        ("test_years", {"start": 2015, "end": 2012}, "start 2015 is after end 2012"),
        ("test_years", [2012, 2015], "expected {start: YEAR, end: YEAR}"),
        ("target", "growth", "'factors.target' parameter"),
        ("interval", 1.5, "interval"),
        ("horizon", 0, "horizon: must be at least 1"),
        ("n_jobs", 0, "n_jobs: must be at least 1"),
        ("model.depth", 3, "unknown keys ['depth']"),
        ("model.loss", "poisson", "model.loss"),
        ("associations.spec.periods", {"all": [2021, 1992]}, "expected [first_year, last_year]"),
        ("associations.spec.periods", {}, "give at least one period"),
        ("scenarios.up", {"shift_by": {"x": 1}}, "expected keys 'shift' and/or 'hold'"),
    ],
)
def test_bad_parameter_is_named(path, value, message):
    with pytest.raises(ParameterError) as info:
        parse_factors_config(_with(path, value))
    assert message in str(info.value)


def test_section_must_be_a_mapping():
    with pytest.raises(ParameterError, match="expected a mapping under 'factors'"):
        parse_factors_config(None)
