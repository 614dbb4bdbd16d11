"""The absolute-error and quantile losses of scikit-learn with a faster weighted quantile.

Neither loss is differentiable, so after growing each tree ``HistGradientBoostingRegressor`` sets
every leaf's value to the weighted median (absolute error) or weighted quantile (pinball loss) of
the leaf's residuals, by the loss's ``fit_intercept_only``: with sample weights that is
scikit-learn's array-API ``_weighted_percentile``, about 0.5 ms per call on the shared machine,
for every leaf of every tree (about 45,000 calls, 24 s, per outcome of the forecast stage; issue 15).
The subclasses here compute the same "inverted CDF" quantile with four NumPy calls (the same
arithmetic: sort, cumulative weights, ``rank / 100 * total``, left search), so the fitted trees
are unchanged; the unit tests compare the two. The estimator takes a loss object in place of a
name (``loss=`` accepts a ``BaseLoss``).
"""

from __future__ import annotations

import numpy as np
from sklearn._loss.loss import AbsoluteError, PinballLoss

__all__ = ["WeightedAbsoluteError", "WeightedPinballLoss", "inverted_cdf", "weighted_loss"]


def inverted_cdf(values: np.ndarray, weights: np.ndarray, rank: float) -> float:
    """Weighted ``rank``-th percentile (0-100) of ``values`` (shape (n,)): the smallest value whose
    cumulative weight reaches ``rank`` percent, as ``_weighted_percentile(values, weights, rank)``;
    NaN when every weight is zero. ``values`` must not be missing."""
    order = np.argsort(values)
    cdf = np.cumsum(weights[order])
    if cdf[-1] == 0:
        return np.nan
    target = rank / 100 * cdf[-1]
    if target == 0:  # skip leading zero weights, as scikit-learn does
        target = np.nextafter(target, target + 1)
    return values[order[min(int(np.searchsorted(cdf, target)), values.size - 1)]]


class WeightedAbsoluteError(AbsoluteError):
    """``AbsoluteError`` whose weighted median is :func:`inverted_cdf`."""

    def fit_intercept_only(self, y_true, sample_weight=None):
        if sample_weight is None or np.ndim(y_true) != 1 or np.isnan(y_true).any():
            return super().fit_intercept_only(y_true, sample_weight)
        return inverted_cdf(y_true, sample_weight, 50)


class WeightedPinballLoss(PinballLoss):
    """``PinballLoss`` whose weighted quantile is :func:`inverted_cdf`."""

    def fit_intercept_only(self, y_true, sample_weight=None):
        if sample_weight is None or np.ndim(y_true) != 1 or np.isnan(y_true).any():
            return super().fit_intercept_only(y_true, sample_weight)
        return inverted_cdf(y_true, sample_weight, 100 * self.closs.quantile)


def weighted_loss(name: str, quantile: float | None, sample_weight: np.ndarray) -> str | AbsoluteError | PinballLoss:
    """The loss argument of ``HistGradientBoostingRegressor`` for loss ``name`` (or the quantile
    loss when ``quantile`` is given) fitted with ``sample_weight``: an object of the classes here
    for the two losses they speed up, else the name. The object is built with the weights because
    the loss's ``constant_hessian`` depends on whether there are weights (as the estimator's own
    ``_get_loss`` does)."""
    if quantile is not None:
        return WeightedPinballLoss(sample_weight=sample_weight, quantile=quantile)
    if name == "absolute_error":
        return WeightedAbsoluteError(sample_weight=sample_weight)
    return name
