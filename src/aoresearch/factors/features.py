"""Forecasting design: lagged factors, the region's own history and the h-year-ahead target."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from aoresearch.errors import InsufficientDataError, PanelStructureError

__all__ = ["Design", "OWN_HISTORY", "available_columns", "make_design", "feature_name"]

OWN_HISTORY = "own_history"
_KEYS = ("region", "region_name", "category", "year")
WEIGHT = "children_0_17"


def feature_name(column: str, lag: int) -> str:
    return f"{column}__lag{lag}"


@dataclass(frozen=True)
class Design:
    """One outcome's region-year design; ``n`` rows (forecast origins), ``p`` features.

    Attributes
    ----------
    X : DataFrame, shape (n, p)
        Factor values and the outcome's own values at lags 0..L (NaN where unobserved).
    target : ndarray, shape (n,)
        What the model learns: ``rate[t+h] - rate[t]`` (``kind='change'``) or ``rate[t+h]``;
        NaN where ``t+h`` is not observed.
    current, future : ndarray, shape (n,)
        Outcome rate at the origin ``t`` and at ``t+h``.
    meta : DataFrame, shape (n, 6)
        region, region_name, category, year (origin), target_year, weight (children 0-17 at t).
    groups : mapping feature -> group
        A factor's lags form one group; the outcome's own lags form ``own_history``.
    history : ndarray, shape (n, k)
        The outcome at lags 0..k-1 (for the region-trend baseline).
    """

    outcome: str
    factors: tuple[str, ...]
    horizon: int
    kind: str
    X: pd.DataFrame
    target: np.ndarray
    current: np.ndarray
    future: np.ndarray
    meta: pd.DataFrame
    groups: Mapping[str, str]
    history: np.ndarray

    def to_rate(self, output: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Model output (change or level) to the predicted rate at ``t+h``."""
        current = self.current if rows is None else self.current[rows]
        return current + output if self.kind == "change" else np.asarray(output)

    def subset(self, rows: np.ndarray) -> "Design":
        return Design(
            self.outcome, self.factors, self.horizon, self.kind, self.X.iloc[rows].reset_index(drop=True),
            self.target[rows], self.current[rows], self.future[rows], self.meta.iloc[rows].reset_index(drop=True),
            self.groups, self.history[rows],
        )


def available_columns(panel: pd.DataFrame, columns: Iterable[str], min_rows: int = 30) -> tuple[tuple[str, ...], dict[str, str]]:
    """Split ``columns`` into those with data and those skipped (with the reason).

    A column is used when the panel has it and at least ``min_rows`` non-missing values.
    """
    used, skipped = [], {}
    for column in columns:
        if column not in panel.columns:
            skipped[column] = "column absent from the panel"
        elif panel[column].notna().sum() < min_rows:
            skipped[column] = f"only {int(panel[column].notna().sum())} non-missing values (< {min_rows})"
        else:
            used.append(column)
    return tuple(used), skipped


def make_design(
    panel: pd.DataFrame,
    outcome: str,
    factors: tuple[str, ...],
    lags: tuple[int, ...],
    horizon: int,
    kind: str = "change",
    min_children: float = 0.0,
    history_years: int = 5,
) -> Design:
    """Build the design of ``outcome`` at ``horizon`` years ahead from a region-year panel.

    Rows are region-years with the outcome observed and more than ``min_children`` children 0-17.
    Rates are scale-free, so a design built from another region category (wellbeing services
    counties) can be fed to a model trained on municipalities.

    Raises
    ------
    PanelStructureError
        If a key column, the outcome, a factor or ``children_0_17`` is missing, or region-year keys repeat.
    InsufficientDataError
        If no row is left after the filters.
    """
    _check_panel(panel, (outcome, *factors))
    keyed = panel.set_index(["region", "year"])
    regions, years = panel["region"].to_numpy(), panel["year"].to_numpy()

    def at(column: str, offset: int) -> np.ndarray:
        index = pd.MultiIndex.from_arrays([regions, years + offset])
        return keyed[column].reindex(index).to_numpy(dtype=float)

    columns, groups = {}, {}
    for source, group in [*((f, f) for f in factors), (outcome, OWN_HISTORY)]:
        for lag in lags:
            name = feature_name(source, lag)
            columns[name], groups[name] = at(source, -lag), group
    current, future = panel[outcome].to_numpy(dtype=float), at(outcome, horizon)
    weight = panel[WEIGHT].to_numpy(dtype=float)
    keep = np.flatnonzero(~np.isnan(current) & (weight > min_children))
    if keep.size == 0:
        raise InsufficientDataError(
            f"outcome '{outcome}': no region-year has the outcome observed and more than {min_children:g} "
            "children aged 0-17; lower factors.min_children or check the panel."
        )
    meta = panel.loc[:, list(_KEYS)].assign(target_year=years + horizon, weight=weight).iloc[keep]
    target = future - current if kind == "change" else future
    history = np.column_stack([at(outcome, -lag) for lag in range(history_years)])[keep]
    return Design(
        outcome, tuple(factors), horizon, kind, pd.DataFrame(columns).iloc[keep].reset_index(drop=True),
        target[keep], current[keep], future[keep], meta.reset_index(drop=True), groups, history,
    )


def _check_panel(panel: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [c for c in (*_KEYS, WEIGHT, *columns) if c not in panel.columns]
    if missing:
        raise PanelStructureError(f"panel has no column(s) {missing}; expected the panel stage's output.")
    duplicated = panel.duplicated(["region", "year"])
    if duplicated.any():
        first = panel.loc[duplicated, ["region", "year"]].iloc[0].tolist()
        raise PanelStructureError(f"panel repeats region-year keys, first {first}; each region-year must be one row.")
