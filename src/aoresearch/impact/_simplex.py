"""Least squares over the probability simplex: the inner problem of synthetic control.

``min_w ||b - A w||^2  subject to  w >= 0, sum(w) = 1``

Because ``sum(w) = 1``, ``A w - b = (A - b 1') w``, so the problem is a non-negative least
squares problem on the centred matrix ``D = A - b 1'`` plus the equality ``1'w = 1``. The
equality is imposed as a heavily weighted extra row and solved with the Lawson-Hanson NNLS of
:func:`scipy.optimize.nnls`; the solution is then polished by solving the equality-constrained
least squares problem exactly on the support NNLS found. This is two to three orders of
magnitude faster than a general SQP solver (pysyncon's SLSQP inner step), which is what makes
in-space placebos with hundreds of donors affordable.

When ``A`` has fewer rows than columns the minimiser need not be unique (for example when ``b``
lies inside the convex hull of the columns); NNLS then returns a sparse basic solution.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import nnls

__all__ = ["simplex_least_squares"]

_CONSTRAINT_WEIGHT = 1e4
_MAX_ITER_FACTOR = 50


def simplex_least_squares(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Weights on the simplex that make ``A @ w`` closest to ``b``.

    Parameters
    ----------
    A : ndarray, shape (m, n)
        One column per candidate (donor), one row per matched quantity.
    b : ndarray, shape (m,)
        Target (the treated unit).

    Returns
    -------
    ndarray, shape (n,)
        ``w >= 0`` with ``w.sum() == 1`` (to rounding).
    """
    n = A.shape[1]
    if n == 1:
        return np.ones(1)
    D = A - b[:, None]
    scale = np.abs(D).max()
    if not np.isfinite(scale) or scale == 0.0:
        return np.full(n, 1.0 / n)
    D = D / scale
    augmented = np.vstack([D, np.full((1, n), _CONSTRAINT_WEIGHT)])
    target = np.zeros(D.shape[0] + 1)
    target[-1] = _CONSTRAINT_WEIGHT
    w, _ = nnls(augmented, target, maxiter=_MAX_ITER_FACTOR * n)
    w = w / w.sum()
    return _polish_on_support(D, w)


def _polish_on_support(D: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Solve ``min ||D_S w_S||^2, 1'w_S = 1`` exactly on the support ``S`` of ``w``.

    Keeps ``w`` when the exact solution leaves the simplex or does not lower the objective
    (a rank-deficient support).
    """
    support = np.flatnonzero(w > 0)
    k = support.size
    if k < 2:
        return w
    Ds = D[:, support]
    kkt = np.zeros((k + 1, k + 1))
    kkt[:k, :k] = Ds.T @ Ds
    kkt[:k, k] = 1.0
    kkt[k, :k] = 1.0
    rhs = np.zeros(k + 1)
    rhs[k] = 1.0
    solution = np.linalg.lstsq(kkt, rhs, rcond=None)[0][:k]
    if solution.min() < 0 or not np.isclose(solution.sum(), 1.0):
        return w
    polished = np.zeros_like(w)
    polished[support] = solution
    if np.sum((D @ polished) ** 2) > np.sum((D @ w) ** 2):
        return w
    return polished
