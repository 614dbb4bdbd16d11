"""Model files have the same bytes whichever process fitted the model (issue 14)."""

from __future__ import annotations

import io

import joblib
import numpy as np
from joblib import Parallel, delayed
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from aoresearch.factors.persist import model_bytes, save_model


def _fit(seed: int) -> list[HistGradientBoostingRegressor]:
    """Point and quantile models on a small weighted data set with missing factor values."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(600, 4))
    X[rng.random(X.shape) < 0.05] = np.nan
    y, w = np.nan_to_num(X[:, 0]) + rng.normal(size=600), rng.random(600)
    # One OpenMP thread, as the forecast stage fits (factors.model.threads): the fitted model
    # records its thread count, which would otherwise differ between a worker and this process.
    with threadpool_limits(limits=1):
        return [_model(q, seed).fit(X, y, sample_weight=w) for q in (None, 0.1, 0.9)]


def _model(q: float | None, seed: int) -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(loss="absolute_error" if q is None else "quantile", quantile=q, max_iter=10,
                                         early_stopping=False, random_state=seed)


def _joblib_bytes(model) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    return buffer.getvalue()


def test_model_fitted_in_a_worker_writes_the_same_bytes_as_in_process(tmp_path):
    here = _fit(3)
    (there,) = Parallel(n_jobs=2, backend="loky")(delayed(_fit)(3) for _ in range(1))
    assert _joblib_bytes(here) != _joblib_bytes(there), "joblib.dump no longer depends on the fitting process"
    assert model_bytes(here) == model_bytes(there)
    path = save_model(there, tmp_path / "models" / "m.joblib")
    loaded = joblib.load(path)
    X = np.zeros((3, 4))
    np.testing.assert_array_equal(loaded[1].predict(X), here[1].predict(X))
