"""In-time placebo DiDs of one pilot (impact/_did_backtest.py)."""

from __future__ import annotations

import numpy as np
import pytest

from aoresearch.impact._did_backtest import DidHistory
from aoresearch.impact._sc_backtest import effective_dof


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
    assert average.n == 35 and average.dof == pytest.approx(effective_dof(35, 5, noisy.rho))


def test_too_few_base_years_give_no_interval():
    history = DidHistory(np.arange(1.0, 7.0), np.ones(6))
    inference = history.inference([1, 2, 3, 4], 5)
    assert not inference.usable and inference.n == 2
    assert np.isnan(inference.scaled(10.0).interval(1.0, 0.05)[0])
