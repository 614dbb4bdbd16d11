"""What-if projections of near-future service pressure, 1-3 years ahead, with intervals.

A scenario edits the factors at the forecast origin (each region's latest observed year) and
the direct h-year models (one per horizon, trained on municipalities) predict the outcome rate
h years later: ``shift`` adds an amount to a factor's current value (e.g. child low-income rate
+2 percentage points), ``hold`` sets all of a factor's lags to its current value (the factor
held at its last value, no recent movement carried forward). ``baseline`` uses the observed factors.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from aoresearch.config.factors import Scenario
from aoresearch.factors.features import Design, feature_name
from aoresearch.factors.forecast import Forecaster

__all__ = ["apply_scenario", "project", "scenario_coverage"]

log = logging.getLogger(__name__)


def scenario_coverage(scenario: Scenario, factors: tuple[str, ...]) -> tuple[str, ...]:
    """Factors a scenario names that have no data (so the scenario cannot move them)."""
    return tuple(f for f in (*scenario.shift, *scenario.hold) if f not in factors)


def apply_scenario(X: pd.DataFrame, scenario: Scenario, lags: tuple[int, ...]) -> pd.DataFrame:
    """Copy of the feature frame with the scenario's edits; factors absent from ``X`` are ignored."""
    edited = X.copy()
    for factor, amount in scenario.shift.items():
        column = feature_name(factor, 0)
        if column in edited:
            edited[column] = edited[column] + amount
    for factor in scenario.hold:
        current = feature_name(factor, 0)
        for lag in lags:
            if current in edited and feature_name(factor, lag) in edited:
                edited[feature_name(factor, lag)] = edited[current]
    return edited


def project(
    models: dict[int, Forecaster], designs: dict[int, Design], scenarios: tuple[Scenario, ...], lags: tuple[int, ...]
) -> pd.DataFrame:
    """Project every region from its latest observed year under each scenario and horizon.

    ``designs[h]`` is the design of the regions to project at horizon h (any region category),
    ``models[h]`` the forecaster trained for that horizon. Returns columns region, region_name,
    category, outcome, scenario, origin_year, year, horizon, current, prediction, lower, upper.
    """
    frames = []
    for horizon, design in sorted(designs.items()):
        last = design.meta.groupby("region")["year"].transform("max").to_numpy() == design.meta["year"].to_numpy()
        rows = np.flatnonzero(last)
        meta = design.meta.iloc[rows].reset_index(drop=True)
        for scenario in scenarios:
            X = apply_scenario(design.X.iloc[rows], scenario, lags)
            point, low, high = models[horizon].predict(X)
            frames.append(pd.DataFrame({
                "region": meta["region"], "region_name": meta["region_name"], "category": meta["category"],
                "outcome": design.outcome, "scenario": scenario.name, "origin_year": meta["year"],
                "year": meta["year"] + horizon, "horizon": horizon, "current": design.current[rows],
                "prediction": design.to_rate(point, rows), "lower": design.to_rate(low, rows),
                "upper": design.to_rate(high, rows), "weight": meta["weight"],
            }))
    return pd.concat(frames, ignore_index=True)
