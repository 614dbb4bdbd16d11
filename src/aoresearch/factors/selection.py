"""The forecast chosen on evidence, per outcome and horizon (issue 16).

Five candidates forecast an outcome rate h years ahead: ``persistence`` (the last value),
``region_trend``, ``fe_linear``, the gradient-boosted ``model`` and ``combination``, the last value
plus a fraction ``shrink`` of the model's predicted change (0: persistence, 1: the model; a
shrinkage forecast combination, cf. Timmermann 2006, *Handbook of Economic Forecasting* ch. 4). The
fraction and the candidate are chosen on rolling-origin forecasts of the validation years, which
end before the test years; the test years only score the choice. Ties go to the earlier, simpler
candidate of :data:`CANDIDATES`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aoresearch.config.factors import FactorsConfig
from aoresearch.errors import InsufficientDataError
from aoresearch.factors.features import Design
from aoresearch.factors.forecast import fe_linear, point_forecast, region_trend, weighted_mae

__all__ = ["CANDIDATES", "HOLDOUT_COLUMNS", "year_blocks", "SHRINK_GRID", "holdout_forecasts", "select_forecast", "shrink_change", "best_shrink"]

CANDIDATES = ("persistence", "region_trend", "fe_linear", "model", "combination")
SHRINK_GRID = tuple(np.round(np.linspace(0.0, 1.0, 11), 2))
HOLDOUT_COLUMNS = ("region", "year", "observed", "weight", "persistence", "region_trend", "fe_linear", "model")


def shrink_change(persistence: np.ndarray, model: np.ndarray, shrink: float) -> np.ndarray:
    """The last value plus ``shrink`` times the model's predicted change, shape of the inputs."""
    return persistence + shrink * (model - persistence)


def best_shrink(predictions: pd.DataFrame, grid: tuple[float, ...] = SHRINK_GRID) -> float:
    """The fraction of :data:`SHRINK_GRID` with the smallest child-weighted MAE on ``predictions``
    (columns observed, weight, persistence, model); the smallest such fraction on ties, 0 if none."""
    obs, w = predictions["observed"].to_numpy(), predictions["weight"].to_numpy(dtype=float)
    persistence, model = predictions["persistence"].to_numpy(), predictions["model"].to_numpy()
    errors = [weighted_mae(obs, shrink_change(persistence, model, s), w) for s in grid]
    return float(grid[int(np.nanargmin(errors))]) if not np.all(np.isnan(errors)) else 0.0


def year_blocks(years, size: int) -> list[tuple[int, ...]]:
    """Consecutive ``years`` in blocks of ``size`` (the last may be shorter): one model fit each."""
    years = tuple(years)
    return [years[i:i + size] for i in range(0, len(years), size)]


def holdout_forecasts(design: Design, config: FactorsConfig, blocks) -> pd.DataFrame:
    """Point forecasts of every candidate but the combination for the target years of ``blocks``.

    Each block of target years is forecast by models trained once, on rows whose target year is at
    most the block's first year minus h, so every forecast uses only what was known at its origin.
    A block of one year is the rolling origin of :func:`~aoresearch.factors.forecast.rolling_origin_cv`;
    longer blocks refit less often (cheaper; the later years' models are staler).

    Returns one row per forecast region-year, columns :data:`HOLDOUT_COLUMNS`; blocks without
    training or test rows are left out.
    """
    observed = ~np.isnan(design.target)
    target_year = design.meta["target_year"].to_numpy()
    frames = []
    for block in blocks:
        train = np.flatnonzero(observed & (target_year <= min(block) - design.horizon))
        test = np.flatnonzero(observed & np.isin(target_year, list(block)))
        if test.size == 0 or train.size < 2 * config.model.min_samples_leaf:
            continue
        frames.append(pd.DataFrame({
            "region": design.meta["region"].to_numpy()[test], "year": target_year[test], "observed": design.future[test],
            "weight": design.meta["weight"].to_numpy(dtype=float)[test], "persistence": design.current[test],
            "region_trend": region_trend(design.history[test], design.horizon),
            "fe_linear": fe_linear(design, train, test), "model": point_forecast(design, train, test, config),
        }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(HOLDOUT_COLUMNS))


def select_forecast(predictions: pd.DataFrame, validation_years, test_years, outcome: str, horizon: int) -> pd.DataFrame:
    """Choose the candidate with the smallest validation MAE and score every candidate on the test years.

    Parameters
    ----------
    predictions : DataFrame
        :func:`holdout_forecasts` rows of the validation and test years.
    validation_years, test_years : iterable of int
        Target years that choose (and fit the combination's ``shrink``) and that score.

    Returns
    -------
    DataFrame, shape (5, 9)
        One row per candidate: ``outcome``, ``horizon``, ``candidate``, ``validation_mae``,
        ``test_mae``, ``ratio_to_persistence`` (test MAE over persistence's), ``chosen``,
        ``shrink`` (the combination's fraction, on every row) and ``validation_rows``.

    Raises
    ------
    InsufficientDataError
        If no validation year has forecasts (``factors.validation_years``).
    """
    year = predictions["year"].to_numpy()
    validation = predictions[np.isin(year, list(validation_years))]
    test = predictions[np.isin(year, list(test_years))]
    if validation.empty:
        raise InsufficientDataError(
            f"outcome '{outcome}', horizon {horizon}: no forecasts in validation years {list(validation_years)}; "
            "move factors.validation_years to years with data."
        )
    shrink = best_shrink(validation)

    def errors(rows: pd.DataFrame) -> dict[str, float]:
        obs, w = rows["observed"].to_numpy(), rows["weight"].to_numpy(dtype=float)
        combined = shrink_change(rows["persistence"].to_numpy(), rows["model"].to_numpy(), shrink)
        columns = {c: rows[c].to_numpy() for c in CANDIDATES[:-1]} | {"combination": combined}
        return {c: weighted_mae(obs, columns[c], w) for c in CANDIDATES}

    on_validation, on_test = errors(validation), errors(test)
    chosen = CANDIDATES[int(np.nanargmin([on_validation[c] for c in CANDIDATES]))]
    persistence = on_test["persistence"]
    return pd.DataFrame({
        "outcome": outcome, "horizon": horizon, "candidate": list(CANDIDATES),
        "validation_mae": [on_validation[c] for c in CANDIDATES], "test_mae": [on_test[c] for c in CANDIDATES],
        "ratio_to_persistence": [on_test[c] / persistence if persistence > 0 else np.nan for c in CANDIDATES],
        "chosen": [c == chosen for c in CANDIDATES], "shrink": shrink, "validation_rows": len(validation),
    })
