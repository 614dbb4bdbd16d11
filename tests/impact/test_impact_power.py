"""Minimum detectable effects: the documented formula, its power by simulation, validation."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from aoresearch.errors import InsufficientDataError, ParameterError
from aoresearch.impact import MinimumDetectableEffect, minimum_detectable_effect
from aoresearch.impact._power import design_effect, lag1_autocorrelation

# Monte Carlo: 4,000 replicates give a binomial SE of 0.0063 around the 0.8 target; the
# t-quantile formula approximates the noncentral t within about 0.01 at 19 df.
POWER_TOL = 0.04


def test_iid_formula():
    gaps = np.array([0.3, -0.1, 0.2, -0.4, 0.1, 0.0, -0.2, 0.25])
    result = minimum_detectable_effect(gaps, n_post=3, autocorrelation="none", baseline=10.0)
    sigma = np.sqrt(np.mean(gaps**2))
    expected = (stats.t.ppf(0.975, 7) + stats.t.ppf(0.8, 7)) * sigma / np.sqrt(3)
    assert isinstance(result, MinimumDetectableEffect)
    assert result.mde == pytest.approx(expected)
    assert result.mde_percent == pytest.approx(10 * expected)
    assert result.sigma == pytest.approx(sigma) and result.rho == 0 and result.design_effect == 1
    assert (result.n_pre, result.n_post, result.alpha, result.power) == (8, 3, 0.05, 0.8)


def test_design_effect():
    assert design_effect(1, 0.9) == 1
    assert design_effect(5, 0.0) == 1
    assert design_effect(2, 0.5) == pytest.approx(1.5)
    assert design_effect(3, 0.5) == pytest.approx(1 + 2 * (2 / 3 * 0.5 + 1 / 3 * 0.25))


def test_autocorrelation_is_clipped():
    assert lag1_autocorrelation(np.array([1.0, -1.0, 1.0, -1.0, 1.0])) == 0.0
    assert lag1_autocorrelation(np.arange(500.0)) == 0.95
    assert lag1_autocorrelation(np.ones(5)) == 0.0


def test_persistent_gaps_raise_the_mde():
    rng = np.random.default_rng(3)
    ar = np.zeros(30)
    for t in range(1, 30):
        ar[t] = 0.7 * ar[t - 1] + rng.normal()
    with_ar = minimum_detectable_effect(ar, 5)
    without = minimum_detectable_effect(ar, 5, autocorrelation="none")
    assert with_ar.rho > 0.3 and with_ar.mde > without.mde


def test_mde_shrinks_with_more_post_periods():
    gaps = pd.Series(np.random.default_rng(0).normal(size=15))
    mdes = [minimum_detectable_effect(gaps, n).mde for n in range(1, 6)]
    assert all(a > b for a, b in zip(mdes, mdes[1:]))


def test_an_effect_of_the_mde_is_detected_with_the_stated_power():
    rng = np.random.default_rng(11)
    n_pre, n_post, reps = 20, 3, 4000
    mde = minimum_detectable_effect(np.ones(n_pre), n_post, autocorrelation="none").mde  # noise sd exactly 1
    pre = rng.normal(size=(reps, n_pre))
    post = rng.normal(loc=mde, size=(reps, n_post))
    t_stat = post.mean(axis=1) / (np.sqrt(np.mean(pre**2, axis=1)) / np.sqrt(n_post))
    power = np.mean(np.abs(t_stat) > stats.t.ppf(0.975, n_pre - 1))
    assert power == pytest.approx(0.8, abs=POWER_TOL)


def test_too_few_gaps():
    with pytest.raises(InsufficientDataError, match=re.escape("needs at least 3 pre-period gaps to estimate the noise; got 2")):
        minimum_detectable_effect([0.1, -0.1], 2)


def test_non_finite_gaps():
    with pytest.raises(ParameterError, match="'pre_gaps' contains NaN or infinite values"):
        minimum_detectable_effect([0.1, np.nan, 0.2, 0.0], 2)


def test_two_dimensional_gaps():
    with pytest.raises(ParameterError, match=re.escape("'pre_gaps' must be one-dimensional. Got shape (2, 2) instead.")):
        minimum_detectable_effect(np.zeros((2, 2)), 2)


def test_n_post_must_be_positive():
    with pytest.raises(ParameterError, match=re.escape("The 'n_post' parameter of minimum_detectable_effect must be an int >= 1. Got 0 instead.")):
        minimum_detectable_effect([0.1, -0.1, 0.2], 0)


@pytest.mark.parametrize("parameter", ["alpha", "power"])
def test_probabilities(parameter):
    with pytest.raises(ParameterError, match=re.escape(f"The '{parameter}' parameter of minimum_detectable_effect must be a number in (0, 1). Got 1 instead.")):
        minimum_detectable_effect([0.1, -0.1, 0.2], 2, **{parameter: 1})


def test_autocorrelation_option():
    with pytest.raises(ParameterError, match=r"The 'autocorrelation' parameter of minimum_detectable_effect must be one of .*Got 'ar2' instead\."):
        minimum_detectable_effect([0.1, -0.1, 0.2], 2, autocorrelation="ar2")
