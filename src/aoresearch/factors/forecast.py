"""Gradient-boosted forecasts of an outcome rate h years ahead, rolling-origin evaluation and baselines.

The model is scikit-learn's ``HistGradientBoostingRegressor`` (handles missing factor values
natively; SHAP's TreeExplainer explains it exactly), with two quantile models of the same kind
for the prediction interval. The three models of a training set share one binning of the
features (:mod:`aoresearch.factors.binning`) and compute their leaf quantiles with
:mod:`aoresearch.factors.losses`; both only make the fits faster (issue 15). Baselines: persistence (next value = last value), the region's
own linear trend over the last years, and a linear fixed-effects model (pyfixest). The region
trend is written here because no library offers a per-group extrapolated OLS line in
vectorised form; it is a closed-form slope.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyfixest as pf
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from aoresearch.errors import InsufficientDataError
from aoresearch.config.factors import FactorsConfig, ModelConfig
from aoresearch.factors.binning import FeatureBins
from aoresearch.factors.features import Design, feature_name
from aoresearch.factors.losses import weighted_loss

__all__ = ["Forecaster", "CVResult", "fit_forecaster", "rolling_origin_cv", "conformal_widen", "summarise_cv", "weighted_mae", "region_trend", "fe_linear",
           "FixedEffectsLinear", "point_forecast"]

BASELINES = ("persistence", "region_trend", "fe_linear")


@dataclass(frozen=True)
class Forecaster:
    """Point model and the lower/upper quantile models of one outcome (outputs on the target scale).

    The models are fitted on the bin codes of the features (``bins``), not on their values: pass
    features through :meth:`encode` before calling a model (or SHAP) directly.
    """

    point: HistGradientBoostingRegressor
    lower: HistGradientBoostingRegressor
    upper: HistGradientBoostingRegressor
    features: tuple[str, ...]
    bins: FeatureBins

    def encode(self, X: pd.DataFrame) -> np.ndarray:
        """The models' input for the rows of ``X``: bin codes of ``features``, shape (n, p)."""
        return self.bins.transform(X.loc[:, list(self.features)].to_numpy(dtype=float))

    def predict(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Point, lower and upper outputs, each shape (n,); lower <= point <= upper."""
        values = self.encode(X)
        with threadpool_limits(limits=1):
            point, low, high = (m.predict(values) for m in (self.point, self.lower, self.upper))
        return point, np.minimum(np.minimum(low, high), point), np.maximum(np.maximum(low, high), point)


def _model(config: ModelConfig, seed: int, weights: np.ndarray, quantile: float | None = None) -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(
        loss=weighted_loss(config.loss, quantile, weights),
        quantile=quantile,
        max_iter=config.max_iter,
        learning_rate=config.learning_rate,
        max_leaf_nodes=config.max_leaf_nodes,
        min_samples_leaf=config.min_samples_leaf,
        l2_regularization=config.l2_regularization,
        early_stopping=False,
        random_state=seed,
    )


def fit_forecaster(design: Design, rows: np.ndarray, config: FactorsConfig) -> Forecaster:
    """Fit the point and quantile models on ``rows`` of ``design`` (children 0-17 as weights).

    Raises
    ------
    InsufficientDataError
        If fewer than 2 * ``min_samples_leaf`` rows have an observed target.
    """
    bins, codes, y, w = _training_set(design, rows, config)
    low, high = config.quantiles
    # OpenMP threads oversubscribe a shared 2-core machine (a 40x slow-down measured); one is fastest.
    with threadpool_limits(limits=config.model.threads):
        models = [_model(config.model, config.seed, w, q).fit(codes, y, sample_weight=w) for q in (None, low, high)]
    return Forecaster(*models, features=tuple(design.X.columns), bins=bins)


def point_forecast(design: Design, train: np.ndarray, test: np.ndarray, config: FactorsConfig) -> np.ndarray:
    """The point model alone (no quantile models) fitted on ``train`` rows: predicted rates of the
    ``test`` rows, shape (len(test),). A third of :func:`fit_forecaster`'s cost, for evaluations
    that need no interval.

    Raises
    ------
    InsufficientDataError
        As :func:`fit_forecaster`.
    """
    bins, codes, y, w = _training_set(design, train, config)
    with threadpool_limits(limits=config.model.threads):
        model = _model(config.model, config.seed, w).fit(codes, y, sample_weight=w)
        output = model.predict(bins.transform(design.X.iloc[test].to_numpy(dtype=float)))
    return design.to_rate(output, test)


def _training_set(design: Design, rows: np.ndarray, config: FactorsConfig):
    """Bins fitted on the observed-target ``rows`` (shared by the models of one training set, which
    would each bin alike), their codes, targets and child weights."""
    rows = rows[~np.isnan(design.target[rows])]
    if rows.size < 2 * config.model.min_samples_leaf:
        raise InsufficientDataError(
            f"outcome '{design.outcome}': {rows.size} training rows with an observed target; need at least "
            f"{2 * config.model.min_samples_leaf} (2 x factors.model.min_samples_leaf)."
        )
    X = design.X.iloc[rows].to_numpy(dtype=float)
    y, w = design.target[rows], design.meta["weight"].to_numpy(dtype=float)[rows]
    bins = FeatureBins.fit(X, w)
    return bins, bins.transform(X), y, w


@dataclass(frozen=True)
class CVResult:
    """Held-out predictions of every fold and the fitted fold models.

    ``predictions`` has one row per test region-year (columns: keys, fold, observed, current,
    prediction, lower, upper and one column per baseline); ``folds`` maps the fold's target year
    to ``(forecaster, test row positions in the design)``.
    """

    outcome: str
    predictions: pd.DataFrame
    folds: dict[int, tuple[Forecaster, np.ndarray]]


def rolling_origin_cv(design: Design, config: FactorsConfig) -> CVResult:
    """Rolling-origin evaluation: for each test (target) year T, train on rows whose target year is
    at most T - h (all known at the forecast origin T - h), test on rows whose target year is T.

    Raises
    ------
    InsufficientDataError
        If no test year has both training and test rows.
    """
    observed = ~np.isnan(design.target)
    target_year = design.meta["target_year"].to_numpy()
    frames, folds = [], {}
    for year in config.test_year_range:
        train = np.flatnonzero(observed & (target_year <= year - design.horizon))
        test = np.flatnonzero(observed & (target_year == year))
        if test.size == 0 or train.size < 2 * config.model.min_samples_leaf:
            continue
        forecaster = fit_forecaster(design, train, config)
        frames.append(_fold_frame(design, forecaster, train, test, year, config))
        folds[year] = (forecaster, test)
    if not frames:
        raise InsufficientDataError(
            f"outcome '{design.outcome}': no test year in {config.test_years} has training and test rows at "
            f"horizon {design.horizon}; adjust factors.test_years."
        )
    return CVResult(design.outcome, conformal_widen(pd.concat(frames, ignore_index=True), config.interval, design.horizon), folds)


def conformal_widen(predictions: pd.DataFrame, interval: float, horizon: int) -> pd.DataFrame:
    """Online conformal correction of the quantile intervals (Romano et al. 2019, CQR).

    For test year T the interval is widened by the child-weighted ``interval``-quantile of the
    scores ``max(lower - y, y - upper)`` of earlier folds whose target year is at most T - h (known
    at the origin); the first fold keeps the raw interval. The raw bounds stay in
    ``lower_raw``/``upper_raw``. Written here because the rolling, weighted variant is not in
    scikit-learn.
    """
    out = predictions.assign(lower_raw=predictions["lower"], upper_raw=predictions["upper"], widen=0.0)
    score = np.maximum(out["lower_raw"] - out["observed"], out["observed"] - out["upper_raw"]).to_numpy()
    weight, fold = out["weight"].to_numpy(dtype=float), out["fold"].to_numpy()
    for year in np.unique(fold):
        past = (fold <= year - horizon) & ~np.isnan(score)
        if past.any():
            out.loc[fold == year, "widen"] = _weighted_quantile(score[past], weight[past], interval)
    return out.assign(lower=out["lower_raw"] - out["widen"], upper=out["upper_raw"] + out["widen"])


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) / weights.sum()
    return float(values[order][min(np.searchsorted(cumulative, q), len(values) - 1)])


def _fold_frame(design: Design, forecaster: Forecaster, train: np.ndarray, test: np.ndarray, year: int, config: FactorsConfig) -> pd.DataFrame:
    point, low, high = forecaster.predict(design.X.iloc[test])
    frame = design.meta.iloc[test].rename(columns={"year": "origin_year", "target_year": "year"}).reset_index(drop=True)
    return frame.assign(
        outcome=design.outcome, horizon=design.horizon, fold=year,
        observed=design.future[test], current=design.current[test],
        prediction=design.to_rate(point, test), lower=design.to_rate(low, test), upper=design.to_rate(high, test),
        persistence=design.current[test],
        region_trend=region_trend(design.history[test], design.horizon),
        fe_linear=fe_linear(design, train, test),
    )


def region_trend(history: np.ndarray, horizon: int) -> np.ndarray:
    """Extrapolate each row's OLS line through its last k values ``history`` (shape (n, k), lag 0 first)
    ``horizon`` years ahead; rows with fewer than two values keep the last value. Shape (n,)."""
    x = -np.arange(history.shape[1], dtype=float)[None, :].repeat(history.shape[0], axis=0)
    mask = ~np.isnan(history)
    count = mask.sum(axis=1)
    xm = np.where(mask, x, 0).sum(axis=1) / np.maximum(count, 1)
    ym = np.where(mask, history, 0).sum(axis=1) / np.maximum(count, 1)
    dx = np.where(mask, x - xm[:, None], 0)
    slope = (dx * np.where(mask, history - ym[:, None], 0)).sum(axis=1) / np.maximum((dx**2).sum(axis=1), 1e-12)
    trend = ym + slope * (horizon - xm)
    return np.where(count >= 2, trend, history[:, 0])


def fe_linear(design: Design, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """Linear model with region fixed effects (pyfixest) of the target on the current factors and
    the current outcome; rows it cannot predict (new region, missing factor) keep the last value."""
    return FixedEffectsLinear.fit(design, train).predict(design, test, design.X.iloc[test])


@dataclass(frozen=True)
class FixedEffectsLinear:
    """:func:`fe_linear`'s model fitted once, to predict any design's rows (e.g. under scenarios).

    The slopes are pyfixest's (``feols``, region fixed effects, child weights; collinear columns it
    dropped are absent from ``coefficients``). ``region_effects`` are the fixed effects those
    slopes imply, in closed form: with one fixed effect, a region's effect is the child-weighted
    mean of ``y - x @ coefficients`` over its rows in the estimation sample (complete rows of
    regions with two or more of them: pyfixest drops singletons). pyfixest's ``fixef()`` solves
    the same equations iteratively (``lsqr``, default tolerance 1e-6) after rebuilding the
    formula's model matrices: 85 ms a call, 1.5 s of one outcome's forecast stage
    (``benchmarks/profile_forecast.py``), and on the demo panel its effects were off by up to
    3.5e-4 for ``oohc_per_1000`` (0.033 for the per-100,000 rate; at most 1.2e-10 at tolerance
    1e-14: ``benchmarks/fe_effects.py``). Predictions equal pyfixest's ``predict(newdata=...)`` with
    the effects solved to 1e-14 (tested). Both are None if the fit failed (every prediction is then
    the last value).
    """

    coefficients: pd.Series | None
    region_effects: pd.Series | None
    columns: tuple[str, ...]

    @classmethod
    def fit(cls, design: Design, train: np.ndarray) -> "FixedEffectsLinear":
        columns = tuple(feature_name(f, 0) for f in (*design.factors, design.outcome))
        frame = _fe_frame(design.X.iloc[train], columns).assign(
            y=design.target[train], region=design.meta["region"].to_numpy()[train], w=design.meta["weight"].to_numpy()[train]
        )
        terms = " + ".join(f"x{i}" for i in range(len(columns)))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = pf.feols(f"y ~ {terms} | region", frame, weights="w", vcov="iid")
        except Exception:  # noqa: BLE001 - a failed baseline falls back to persistence, never stops the stage
            return cls(None, None, columns)
        coefficients = model.coef().astype(float)
        sample = frame[frame.notna().all(axis=1).to_numpy()]
        sample = sample[sample.groupby("region")["y"].transform("size").to_numpy() > 1]
        weighted = sample["w"] * (sample["y"] - sample[list(coefficients.index)].to_numpy() @ coefficients.to_numpy())
        effects = weighted.groupby(sample["region"]).sum() / sample["w"].groupby(sample["region"]).sum()
        return cls(coefficients, effects, columns)

    def predict(self, design: Design, rows: np.ndarray, X: pd.DataFrame) -> np.ndarray:
        """Rates of ``rows`` of ``design`` from features ``X`` (len(rows) rows), shape (len(rows),);
        the last value where the model cannot predict (region without a fixed effect, missing factor)."""
        fallback = design.current[rows]
        if self.coefficients is None:
            return fallback
        frame = _fe_frame(X, self.columns)
        values = frame[list(self.coefficients.index)].to_numpy(dtype=float, copy=True)
        # A row missing any regressor, even one pyfixest dropped as collinear, is not predicted (as in pyfixest).
        values[frame.isna().any(axis=1).to_numpy()] = np.nan
        effect = pd.Series(design.meta["region"].to_numpy()[rows]).map(self.region_effects).to_numpy(dtype=float)
        predicted = design.to_rate(values @ self.coefficients.to_numpy() + effect, rows)
        return np.where(np.isnan(predicted), fallback, predicted)


def _fe_frame(X: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    return X[list(columns)].set_axis([f"x{i}" for i in range(len(columns))], axis=1).reset_index(drop=True)


def weighted_mae(observed: np.ndarray, predicted: np.ndarray, weight: np.ndarray) -> float:
    """Child-weighted mean absolute error over rows where both values exist."""
    ok = ~(np.isnan(observed) | np.isnan(predicted))
    if not ok.any():
        return float("nan")
    return float(np.average(np.abs(observed[ok] - predicted[ok]), weights=weight[ok]))


def summarise_cv(cv: CVResult, interval: float, target_ratio: float = 0.97) -> dict:
    """Child-weighted MAE of model and baselines, ratio to persistence, interval coverage."""
    p = cv.predictions
    obs, w = p["observed"].to_numpy(), p["weight"].to_numpy()
    mae = {name: weighted_mae(obs, p[name].to_numpy(), w) for name in ("prediction", *BASELINES)}
    inside = (obs >= p["lower"].to_numpy()) & (obs <= p["upper"].to_numpy())
    inside_raw = (obs >= p["lower_raw"].to_numpy()) & (obs <= p["upper_raw"].to_numpy())
    ratio = mae["prediction"] / mae["persistence"] if mae["persistence"] > 0 else float("nan")
    return {
        "rows": int(len(p)),
        "regions": int(p["region"].nunique()),
        "test_years": sorted(int(y) for y in p["fold"].unique()),
        "mae": {"model": mae["prediction"], **{b: mae[b] for b in BASELINES}},
        "mae_ratio_to_persistence": {
            "model": ratio, **{b: mae[b] / mae["persistence"] for b in BASELINES if mae["persistence"] > 0}
        },
        "beats_persistence": bool(ratio < 1.0),
        "meets_target": bool(ratio <= target_ratio),
        "target_ratio": target_ratio,
        "interval": {
            "nominal": interval,
            "coverage_weighted": float(np.average(inside, weights=w)),
            "coverage": float(inside.mean()),
            "coverage_weighted_raw_quantile_models": float(np.average(inside_raw, weights=w)),
            "method": "quantile gradient boosting, widened by online conformal scores of earlier folds",
            "mean_width": float(np.average(p["upper"] - p["lower"], weights=w)),
        },
    }

