"""What-if projections of near-future service pressure, 1-3 years ahead, with intervals.

A scenario edits the factors at the forecast origin (each region's latest observed year) and
the direct h-year models (one per horizon, trained on municipalities) predict the outcome rate
h years later: ``shift`` adds an amount to a factor's current value (e.g. child low-income rate
+2 percentage points), ``hold`` sets all of a factor's lags to its current value (the factor
held at its last value, no recent movement carried forward). ``baseline`` uses the observed factors.

Each outcome and horizon is projected with the forecast the forecast stage chose on validation
years (:class:`Choice`, :mod:`aoresearch.factors.selection`); persistence and the region trend do
not read the factors, so under them every scenario equals the baseline. The interval is the
gradient-boosted model's quantile interval, re-centred on the chosen projection.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aoresearch.config.factors import Scenario
from aoresearch.factors.features import Design, feature_name
from aoresearch.factors.forecast import FixedEffectsLinear, Forecaster, region_trend
from aoresearch.factors.selection import CANDIDATES, shrink_change

__all__ = ["Choice", "MODEL_CHOICE", "apply_scenario", "chosen_projection", "project", "scenario_coverage"]


@dataclass(frozen=True)
class Choice:
    """The forecast projected at one horizon: a candidate of
    :data:`~aoresearch.factors.selection.CANDIDATES` and the combination's ``shrink``."""

    forecast: str
    shrink: float = 1.0

    def __post_init__(self):
        if self.forecast not in CANDIDATES:
            raise ValueError(f"Choice.forecast must be one of {CANDIDATES}; got {self.forecast!r}.")


MODEL_CHOICE = Choice("model")

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


def chosen_projection(
    choice: Choice, design: Design, rows: np.ndarray, X: pd.DataFrame, point: np.ndarray, linear: FixedEffectsLinear | None,
) -> np.ndarray:
    """The projected rates of ``rows`` of ``design`` by ``choice``, shape (len(rows),).

    ``X`` are the rows' (scenario-edited) features, ``point`` the model's projected rates from
    them and ``linear`` the fixed-effects baseline of the horizon (needed for ``fe_linear``).
    """
    persistence = design.current[rows]
    if choice.forecast == "persistence":
        return persistence
    if choice.forecast == "region_trend":
        return region_trend(design.history[rows], design.horizon)
    if choice.forecast == "fe_linear":
        return linear.predict(design, rows, X)
    if choice.forecast == "combination":
        return shrink_change(persistence, point, choice.shrink)
    return point


def project(
    models: dict[int, Forecaster], designs: dict[int, Design], scenarios: tuple[Scenario, ...], lags: tuple[int, ...],
    choices: dict[int, Choice] | None = None, fitted: dict[int, Design] | None = None,
) -> pd.DataFrame:
    """Project every region from its latest observed year under each scenario and horizon.

    ``designs[h]`` is the design of the regions to project at horizon h (any region category),
    ``models[h]`` the forecaster trained for that horizon, ``choices[h]`` the forecast projected
    (default: the model) and ``fitted[h]`` the training design of ``models[h]`` (needed when a
    choice is ``fe_linear``). Returns columns region, region_name, category, outcome, scenario,
    origin_year, year, horizon, current, prediction (the chosen forecast's), lower, upper,
    forecast (its name; ``persistence`` where ``fe_linear`` has no fixed effect for the region, as
    for wellbeing services counties, and keeps the last value), shrink (the combination's fraction) and model_prediction (the
    gradient-boosted model's).
    """
    choices, fitted = choices or {}, fitted or {}
    frames = []
    for horizon, design in sorted(designs.items()):
        last = design.meta.groupby("region")["year"].transform("max").to_numpy() == design.meta["year"].to_numpy()
        rows = np.flatnonzero(last)
        meta = design.meta.iloc[rows].reset_index(drop=True)
        choice = choices.get(horizon, MODEL_CHOICE)
        linear = None
        if choice.forecast == "fe_linear":
            linear = FixedEffectsLinear.fit(fitted[horizon], np.flatnonzero(~np.isnan(fitted[horizon].target)))
        for scenario in scenarios:
            X = apply_scenario(design.X.iloc[rows], scenario, lags)
            point, low, high = (design.to_rate(v, rows) for v in models[horizon].predict(X))
            chosen = chosen_projection(choice, design, rows, X, point, linear)
            names = np.full(len(rows), choice.forecast, dtype=object)
            if choice.forecast == "fe_linear":  # no fixed effect for a region outside the training rows
                names[~meta["region"].isin(fitted[horizon].meta["region"]).to_numpy()] = "persistence"
            frames.append(pd.DataFrame({
                "region": meta["region"], "region_name": meta["region_name"], "category": meta["category"],
                "outcome": design.outcome, "scenario": scenario.name, "origin_year": meta["year"],
                "year": meta["year"] + horizon, "horizon": horizon, "current": design.current[rows],
                "prediction": chosen, "lower": chosen - (point - low), "upper": chosen + (high - point),
                "weight": meta["weight"], "forecast": names, "shrink": choice.shrink,
                "model_prediction": point,
            }))
    return pd.concat(frames, ignore_index=True)
