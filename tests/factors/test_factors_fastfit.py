"""The faster fits of the forecast (issue 15) give the models scikit-learn would fit: the shared bin
edges equal ``_BinMapper``'s, the leaf quantiles equal ``_weighted_percentile``, and the models
fitted on bin codes predict what the models fitted on the values predict."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper
from sklearn.utils.stats import _weighted_percentile
from threadpoolctl import threadpool_limits

from aoresearch.factors.binning import FeatureBins, bin_edges
from aoresearch.factors.losses import inverted_cdf, weighted_loss


def _data(seed: int, n: int = 2000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Continuous, rounded (ties), few-valued and constant columns with missing values; integer weights, some zero."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([
        rng.normal(size=n), np.round(rng.gamma(2.0, 3.0, size=n), 1), rng.integers(0, 7, size=n).astype(float),
        np.full(n, 2.5), rng.lognormal(size=n),
    ])
    X[rng.random(X.shape) < 0.08] = np.nan
    w = rng.integers(0, 5000, size=n).astype(float)
    w[rng.random(n) < 0.05] = 0.0
    y = np.nan_to_num(X[:, 0]) + 0.2 * np.nan_to_num(X[:, 1]) + rng.standard_t(3, size=n)
    return X, y, w


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bin_edges_equal_scikit_learns_weighted_binning(seed):
    X, _, w = _data(seed)
    expected = _BinMapper(n_bins=256).fit(X, sample_weight=w).bin_thresholds_
    for j in range(X.shape[1]):
        np.testing.assert_array_equal(bin_edges(X[:, j], w), expected[j])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_codes_are_scikit_learns_bins_and_keep_missing_values(seed):
    X, _, w = _data(seed)
    mapper = _BinMapper(n_bins=256).fit(X, sample_weight=w)
    codes = FeatureBins.fit(X, w).transform(X)
    binned = mapper.transform(X)
    missing = np.isnan(X)
    np.testing.assert_array_equal(np.isnan(codes), missing)
    np.testing.assert_array_equal(codes[~missing], binned[~missing])


def test_inverted_cdf_equals_scikit_learns_weighted_percentile():
    rng = np.random.default_rng(5)
    for n in (1, 2, 3, 10, 57, 400):
        values = np.round(rng.normal(size=n), 1)  # ties
        weights = rng.integers(0, 4, size=n).astype(float)
        weights[0] = max(weights[0], 1.0)
        for rank in (0.0, 10.0, 25.0, 50.0, 90.0, 100.0):
            assert inverted_cdf(values, weights, rank) == _weighted_percentile(values, weights, rank), (n, rank)
    assert np.isnan(inverted_cdf(np.array([1.0, 2.0]), np.zeros(2), 50))


@pytest.mark.parametrize("quantile", [None, 0.1, 0.9])
def test_model_fitted_on_codes_predicts_as_the_model_fitted_on_values(quantile):
    X, y, w = _data(3)
    X_new, _, _ = _data(4, 500)
    settings = dict(max_iter=30, learning_rate=0.1, max_leaf_nodes=15, min_samples_leaf=40, early_stopping=False, random_state=0)
    bins = FeatureBins.fit(X, w)
    with threadpool_limits(limits=1):
        plain = HistGradientBoostingRegressor(loss="absolute_error" if quantile is None else "quantile", quantile=quantile,
                                              **settings).fit(X, y, sample_weight=w)
        fast = HistGradientBoostingRegressor(loss=weighted_loss("absolute_error", quantile, w), quantile=quantile,
                                             **settings).fit(bins.transform(X), y, sample_weight=w)
        for data in (X, X_new):
            np.testing.assert_array_equal(fast.predict(bins.transform(data)), plain.predict(data))
