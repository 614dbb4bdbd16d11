"""In-time placebo DiDs of one pilot (impact/_did_backtest.py)."""

from __future__ import annotations

import numpy as np
import pytest

from aoresearch.impact._did_backtest import DidHistory, gap_persistence, placebo_dof


def test_placebos_are_the_same_did_at_every_earlier_base_year_relative_to_its_counterfactual():
    pilot = np.array([10.0, 11.0, 13.0, 12.0, 15.0])
    others = np.array([5.0, 5.0, 6.0, 6.0, 7.0])
    history = DidHistory(pilot, others)
    d = pilot - others
    one_year = history.placebos([1])
    expected = np.array([(d[b + 1] - d[b]) / (pilot[b] + others[b + 1] - others[b]) for b in range(4)])
    np.testing.assert_allclose(one_year, expected)
    two_year_average = history.placebos([1, 2])
    expected = np.array([(d[b + 1:b + 3].mean() - d[b]) / (pilot[b] + others[b + 1:b + 3].mean() - others[b]) for b in range(3)])
    np.testing.assert_allclose(two_year_average, expected)
    assert history.placebos([-2]).size == 3  # an event time two years before the base year


def test_in_time_scale_follows_the_pilots_own_drift_and_its_dof_the_overlap():
    rng = np.random.default_rng(3)
    others = np.full(40, 100.0)
    drifting = DidHistory(100 + np.cumsum(rng.normal(0, 1, 40)), others)  # a random-walk deviation
    noisy = DidHistory(100 + rng.normal(0, 1, 40), others)  # independent noise of the same size
    # A drift grows with the horizon, independent noise does not.
    assert drifting.inference([5], 5).scale > 1.5 * drifting.inference([1], 5).scale
    assert noisy.inference([5], 5).scale == pytest.approx(noisy.inference([1], 5).scale, rel=0.35)
    average = noisy.inference([1, 2, 3, 4, 5], 5)
    assert average.n == 35 and average.dof == pytest.approx(placebo_dof([1, 2, 3, 4, 5], 35, noisy.phi))


def test_too_few_base_years_give_no_interval():
    history = DidHistory(np.arange(1.0, 7.0), np.ones(6))
    inference = history.inference([1, 2, 3, 4], 5)
    assert not inference.usable and inference.n == 2
    assert np.isnan(inference.scaled(10.0).interval(1.0, 0.05)[0])


def test_placebo_dof_follows_the_gaps_persistence():
    # Independent gap: one-year DiDs k years apart share one year (correlation -1/2 at lag k only).
    n, k = 30, 3
    assert placebo_dof([k], n, 0.0) == pytest.approx(n / (1 + 2 * (1 - k / n) * 0.25))
    # Averages over 5 years of an independent gap are nearly independent placebos ...
    assert placebo_dof([1, 2, 3, 4, 5], n, 0.0) > 0.9 * n
    # ... while a persistent gap makes overlapping placebos move together: far fewer dof.
    assert placebo_dof([1, 2, 3, 4, 5], n, 0.95) < 0.5 * placebo_dof([1, 2, 3, 4, 5], n, 0.0)
    assert placebo_dof([-2], n, 0.5) == pytest.approx(placebo_dof([2], n, 0.5))  # a pre-period event time


def test_gap_persistence_recovers_an_ar1_coefficient_and_is_clipped():
    rng = np.random.default_rng(11)
    e = rng.normal(size=4000)
    gap = np.zeros(4000)
    for t in range(1, 4000):
        gap[t] = 0.6 * gap[t - 1] + e[t]
    assert gap_persistence(gap) == pytest.approx(0.6, abs=0.05)
    assert gap_persistence(rng.normal(size=4000)) < 0.05
    assert gap_persistence(np.cumsum(rng.normal(size=4000))) == 0.95
    assert gap_persistence(np.ones(10)) == 0.0


def test_earlier_years_inform_persistence_but_are_no_base_years():
    rng = np.random.default_rng(5)
    pilot, others = 100 + rng.normal(0, 1, 30), np.full(30, 100.0)
    late = DidHistory(pilot[10:], others[10:])
    whole = DidHistory(pilot, others, first_base=10)
    np.testing.assert_allclose(whole.placebos([1, 2]), late.placebos([1, 2]))
    np.testing.assert_allclose(whole.placebos([-2]), late.placebos([-2]))
    assert whole.phi == pytest.approx(gap_persistence(pilot - others))
