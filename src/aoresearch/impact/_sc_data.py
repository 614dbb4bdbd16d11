"""The matrices of one synthetic control problem, built once from a validated panel."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["PredictorOp", "PredictorSpec", "ScData", "build_sc_data"]

PredictorOp = Literal["mean", "std", "median", "sum", "count", "max", "min", "var"]


@dataclass(frozen=True)
class PredictorSpec:
    """One predictor: ``op`` of column ``variable`` over ``periods``, labelled ``name``."""

    variable: Hashable
    periods: tuple
    op: str
    name: str


@dataclass(frozen=True)
class ScData:
    """Outcome and predictor matrices of the treated unit and its donors.

    Attributes
    ----------
    units : ndarray, shape (n_units,)
        Row labels: the treated unit first, then the donors.
    times : ndarray, shape (n_times,)
        Periods where the treated unit's outcome is observed, sorted.
    outcome : ndarray, shape (n_units, n_times)
    predictors : ndarray, shape (n_units, n_predictors)
        Unscaled; ``n_predictors == 0`` in the outcome-only mode.
    predictor_names : tuple of str, length n_predictors
    pre : ndarray of bool, shape (n_times,)
        Periods before the treatment time.
    optimize : ndarray of bool, shape (n_times,)
        Periods over which the outcome MSPE is minimised (a subset of ``pre``).
    """

    units: np.ndarray
    times: np.ndarray
    outcome: np.ndarray
    predictors: np.ndarray
    predictor_names: tuple[str, ...]
    pre: np.ndarray
    optimize: np.ndarray

    @property
    def outcome_only(self) -> bool:
        return self.predictors.shape[1] == 0


def build_sc_data(
    panel: pd.DataFrame,
    unit: Hashable,
    time: Hashable,
    outcome: Hashable,
    units: tuple,
    times: tuple,
    treatment_time: float,
    optimize_periods: tuple,
    predictors: tuple[PredictorSpec, ...],
) -> ScData:
    """Pivot the validated panel into :class:`ScData`.

    Parameters
    ----------
    panel : DataFrame
        Long panel, one row per (unit, time).
    unit, time, outcome : hashable
        Column names.
    units : tuple
        Treated unit first, then donors.
    times : tuple
        Periods of the time grid.
    treatment_time : number
        First treated period.
    optimize_periods : tuple
        Pre-treatment periods of the MSPE criterion.
    predictors : tuple of PredictorSpec
        Empty for the outcome-only mode.

    Returns
    -------
    ScData
    """
    wide = panel.pivot(index=unit, columns=time, values=outcome)
    Y = wide.reindex(index=list(units), columns=list(times)).to_numpy(dtype=float)
    grid = np.asarray(times)
    X = predictor_matrix(panel, unit, time, units, predictors)
    return ScData(
        units=np.asarray(units, dtype=object),
        times=grid,
        outcome=Y,
        predictors=X,
        predictor_names=tuple(p.name for p in predictors),
        pre=grid < treatment_time,
        optimize=np.isin(grid, np.asarray(optimize_periods)),
    )


def predictor_matrix(
    panel: pd.DataFrame, unit: Hashable, time: Hashable, units: tuple, predictors: tuple[PredictorSpec, ...]
) -> np.ndarray:
    """Aggregate each predictor per unit; missing values are skipped as in R ``Synth``.

    Returns
    -------
    ndarray, shape (len(units), len(predictors))
    """
    columns = [aggregate_predictor(panel, unit, time, units, spec) for spec in predictors]
    if not columns:
        return np.empty((len(units), 0))
    return np.column_stack(columns)


def aggregate_predictor(
    panel: pd.DataFrame, unit: Hashable, time: Hashable, units: tuple, spec: PredictorSpec
) -> np.ndarray:
    """``spec.op`` of ``spec.variable`` over ``spec.periods`` per unit; shape (len(units),)."""
    rows = panel[panel[time].isin(spec.periods) & panel[unit].isin(units)]
    observed = rows.dropna(subset=[spec.variable])
    values = observed.groupby(unit)[spec.variable].agg(spec.op)
    return values.reindex(list(units)).to_numpy(dtype=float)
