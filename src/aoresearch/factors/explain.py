"""SHAP attributions of the forecasting model: held-out folds, per-factor groups, direction,
stability, comparison with the catalogue's expected role, and per-pilot attributions.

SHAP values come from ``shap.TreeExplainer`` (exact for tree ensembles). shap has no notion of
feature groups or of a "direction" summary, so those are done here: a factor's magnitude is the
mean absolute sum of its lags' SHAP values (additivity makes the sum exact); its direction is
the sign of the correlation between the factor's current value and the SHAP value of that
current value. The current value's own SHAP is used for direction because, when the model
learns the change of the rate, a factor's lags carry opposite signs (a rise last year is already
in this year's rate), so the group sum mixes the two and blurs the sign.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from aoresearch.factors.features import OWN_HISTORY, Design, feature_name
from aoresearch.factors.forecast import CVResult, Forecaster

__all__ = ["Explained", "explain", "shap_on_folds", "group_shap", "factor_table", "pilot_attributions", "DIRECTIONS"]

DIRECTIONS = ("risk", "protective", "unclear")


@dataclass(frozen=True)
class Explained:
    """SHAP values of ``n`` rows and ``p`` features.

    values : DataFrame (n, p); expected : ndarray (n,) the explainer's base value;
    output : ndarray (n,) the model output; data : DataFrame (n, p) the feature values.
    """

    values: pd.DataFrame
    expected: np.ndarray
    output: np.ndarray
    data: pd.DataFrame


def explain(forecaster: Forecaster, X: pd.DataFrame) -> Explained:
    """Exact TreeSHAP values of the point model for the rows of ``X`` (shape (n, p))."""
    data = X.loc[:, list(forecaster.features)].reset_index(drop=True)
    codes = forecaster.encode(data)  # the model splits bin codes; a row's path, so its SHAP values, are the same
    import shap  # here, not at module level: the stages that import aoresearch.factors without explaining
    # a model (associations, scenarios) need not pay it (`import aoresearch.factors` 4.2-4.4 -> 2.7-2.9 CPU s; issue 15)

    explainer = shap.TreeExplainer(forecaster.point)
    values = np.asarray(explainer.shap_values(codes), dtype=float).reshape(len(data), -1)
    expected = np.full(len(data), float(np.ravel(explainer.expected_value)[0]))
    with threadpool_limits(limits=1):
        output = forecaster.point.predict(codes)
    return Explained(pd.DataFrame(values, columns=data.columns), expected, output, data)


def shap_on_folds(design: Design, cv: CVResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    """SHAP values of every held-out fold.

    Returns
    -------
    wide : DataFrame, one row per test region-year: keys, fold, expected, output and one column per feature.
    data : DataFrame of the same rows' feature values.
    """
    wide, data = [], []
    for year, (forecaster, rows) in sorted(cv.folds.items()):
        result = explain(forecaster, design.X.iloc[rows])
        keys = design.meta.iloc[rows][["region", "region_name", "category", "year", "target_year"]].reset_index(drop=True)
        wide.append(pd.concat([keys.assign(fold=year, expected=result.expected, output=result.output), result.values], axis=1))
        data.append(result.data)
    return pd.concat(wide, ignore_index=True), pd.concat(data, ignore_index=True)


def group_shap(values: pd.DataFrame, groups: dict[str, str]) -> pd.DataFrame:
    """Sum SHAP columns by group (a factor's lags together). Shape (n, number of groups)."""
    columns = [c for c in values.columns if c in groups]
    return values[columns].T.groupby(pd.Series(groups)[columns]).sum().T


def factor_table(design: Design, wide: pd.DataFrame, data: pd.DataFrame, roles: dict[str, str], threshold: float) -> pd.DataFrame:
    """One row per factor group of an outcome: magnitude, direction, stability, agreement with its role.

    direction: 'risk' (higher current value, higher predicted use), 'protective' (the reverse) or
    'unclear' (|correlation| of the current value and its SHAP value below ``threshold``). stability: share of folds whose own direction
    equals the pooled one. mismatch: the direction is the opposite of the catalogue role.
    """
    grouped = group_shap(wide, dict(design.groups))
    rows = []
    for group in grouped.columns:
        source = design.outcome if group == OWN_HISTORY else group
        value = data[feature_name(source, 0)].to_numpy(dtype=float)
        current = wide[feature_name(source, 0)].to_numpy(dtype=float)
        corr = _corr(value, current)
        folds = wide["fold"].to_numpy()
        per_fold = [_corr(value[folds == f], current[folds == f]) for f in np.unique(folds)]
        direction = _direction(corr, threshold)
        signs = [_direction(c, threshold) for c in per_fold if not np.isnan(c)]
        role = "history" if group == OWN_HISTORY else roles.get(group, "unknown")
        rows.append({
            "outcome": design.outcome, "factor": group, "expected_role": role, "direction": direction,
            "correlation": corr, "shap_mean_abs": float(np.mean(np.abs(grouped[group]))),
            "stability": float(np.mean([s == direction for s in signs])) if signs else float("nan"),
            "folds": len(signs),
            "agreement": _agreement(role, direction),
        })
    table = pd.DataFrame(rows)
    table["mismatch"] = table["agreement"] == "opposite"
    factors = table["factor"] != OWN_HISTORY
    table["share"] = table["shap_mean_abs"] / table.loc[factors, "shap_mean_abs"].sum()
    table.loc[~factors, "share"] = np.nan
    table["rank"] = table["shap_mean_abs"].where(factors).rank(ascending=False, method="first")
    return table.sort_values(["rank", "factor"], na_position="last").reset_index(drop=True)


def _corr(x: np.ndarray, y: np.ndarray) -> float:
    ok = ~(np.isnan(x) | np.isnan(y))
    if ok.sum() < 3 or np.std(x[ok]) == 0 or np.std(y[ok]) == 0:
        return float("nan")
    return float(np.corrcoef(x[ok], y[ok])[0, 1])


def _direction(corr: float, threshold: float) -> str:
    if np.isnan(corr) or abs(corr) < threshold:
        return "unclear"
    return "risk" if corr > 0 else "protective"


def _agreement(role: str, direction: str) -> str:
    if role not in ("risk", "protective"):
        return "no expectation"
    if direction == "unclear":
        return "unclear"
    return "agrees" if direction == role else "opposite"


def pilot_attributions(forecaster: Forecaster, design: Design, pilot_key: str, pilot_name: str, region: int, trained_on: str) -> pd.DataFrame:
    """Per-factor SHAP contributions to the predicted change of one pilot region, every origin year.

    ``design`` may come from another region category than the training panel (rates are scale-free);
    ``trained_on`` records which. Columns: pilot, region, outcome, origin_year, year, factor,
    contribution, value, base_value, output, current, predicted, latest.
    """
    rows = np.flatnonzero(design.meta["region"].to_numpy() == region)
    if rows.size == 0:
        return pd.DataFrame()
    result = explain(forecaster, design.X.iloc[rows])
    grouped = group_shap(result.values, dict(design.groups))
    meta = design.meta.iloc[rows].reset_index(drop=True)
    frames = []
    for group in grouped.columns:
        source = design.outcome if group == OWN_HISTORY else group
        frames.append(pd.DataFrame({
            "pilot": pilot_key, "pilot_name": pilot_name, "region": region, "region_name": meta["region_name"],
            "category": meta["category"], "outcome": design.outcome, "origin_year": meta["year"],
            "year": meta["target_year"], "horizon": design.horizon, "factor": group,
            "contribution": grouped[group].to_numpy(), "value": result.data[feature_name(source, 0)].to_numpy(),
            "base_value": result.expected, "output": result.output, "current": design.current[rows],
            "predicted": design.to_rate(result.output, rows), "trained_on": trained_on,
        }))
    frame = pd.concat(frames, ignore_index=True)
    frame["latest"] = frame["origin_year"] == frame["origin_year"].max()
    return frame.sort_values(["origin_year", "factor"]).reset_index(drop=True)
