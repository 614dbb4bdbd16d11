"""Feature bins computed once per training set and shared by a forecaster's three models.

``HistGradientBoostingRegressor`` first maps every feature into at most 255 bins whose edges are
quantiles of the training values, and grows its trees on the bin codes. With sample weights,
scikit-learn (1.9) computes each of the 254 edges of each feature by a separate call of its
array-API weighted percentile: 83% of the forecast stage's time went there (issue 15,
benchmarks/results/profile_forecast.json before this module), three times per training set, as
the point and both quantile models bin the same rows with the same weights.

:class:`FeatureBins` computes the edges once, by scikit-learn's rule (``_find_binning_thresholds``
with weights: midpoints of the distinct values when there are at most 255, else the weighted
"averaged inverted CDF" percentiles at ``k / 255``, ``k = 1..254``), but for all percentiles of a
feature in one vectorised pass. That rule is re-written here because scikit-learn's functions
are private and compute one percentile per call; the unit tests check the edges against
``_BinMapper`` exactly. The models are then fitted on the codes (floats, missing values kept as
NaN): a feature with at most 255 distinct values is binned by midpoints, without percentiles, so
each model's own bins are these bins and its trees split the same rows as when fitted on the raw
values. Predictions need the same encoding (:meth:`FeatureBins.transform`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FeatureBins", "bin_edges"]

MAX_BINS = 255  # scikit-learn's default max_bins: 255 bins for values, one for missing values
ALMOST_INF = 1e300  # sklearn.ensemble._hist_gradient_boosting.common.ALMOST_INF
SUBSAMPLE = 200_000  # rows above which _BinMapper bins a random subsample instead


def bin_edges(values: np.ndarray, weights: np.ndarray, max_bins: int = MAX_BINS) -> np.ndarray:
    """Increasing bin edges of one feature (shape (<= max_bins - 1,)), as scikit-learn's
    ``_find_binning_thresholds(values, max_bins, weights)``; a value x is in bin i when
    ``edges[i - 1] < x <= edges[i]``. Missing values and zero-weight rows are ignored."""
    keep = ~np.isnan(values) & (weights != 0)
    order = np.argsort(values[keep])
    values, weights = values[keep][order], weights[keep][order]
    distinct = np.unique(values)
    if distinct.size <= 1:
        return np.asarray([], dtype=float)
    if distinct.size <= max_bins:
        edges = (distinct[:-1] + distinct[1:]) / 2
    else:
        edges = _averaged_inverted_cdf(values, weights, np.linspace(0, 100, num=max_bins + 1)[1:-1])
    return np.clip(np.unique(edges), None, ALMOST_INF)


def _averaged_inverted_cdf(values: np.ndarray, weights: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """``sklearn.utils.stats._weighted_percentile(values, weights, rank, average=True)`` for every
    rank at once; ``values`` sorted, ``weights`` positive, ``0 < ranks < 100``."""
    cdf = np.cumsum(weights)
    target = ranks / 100 * cdf[-1]
    last = values.size - 1
    index = np.clip(np.searchsorted(cdf, target), 0, last)
    above = cdf[index] - target > np.finfo(float).eps
    return np.where(above, values[index], (values[index] + values[np.clip(index + 1, 0, last)]) / 2)


@dataclass(frozen=True)
class FeatureBins:
    """Bin edges of every column of a training matrix; ``transform`` gives the bin codes."""

    edges: tuple[np.ndarray, ...]

    @classmethod
    def fit(cls, X: np.ndarray, weights: np.ndarray) -> FeatureBins:
        """Edges of each column of ``X`` (shape (n, p)) with row weights ``weights`` (shape (n,)).

        Raises
        ------
        ValueError
            If ``X`` has more than 200,000 rows: scikit-learn would bin a weighted subsample
            there, which this class does not reproduce.
        """
        if X.shape[0] > SUBSAMPLE:
            raise ValueError(f"{X.shape[0]} rows: more than {SUBSAMPLE}, where scikit-learn bins a subsample.")
        return cls(tuple(bin_edges(X[:, j], weights) for j in range(X.shape[1])))

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Bin codes of ``X`` (shape (n, p)) as floats, NaN where a value is missing."""
        codes = np.empty(X.shape, dtype=float)
        for j, edges in enumerate(self.edges):
            codes[:, j] = np.searchsorted(edges, X[:, j], side="left")
        codes[np.isnan(X)] = np.nan
        return codes
