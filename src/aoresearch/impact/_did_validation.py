"""Validation of :class:`StaggeredDiD` and :class:`TwfeEventStudy` inputs, in one place."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aoresearch.errors import InsufficientDataError, PanelStructureError
from aoresearch.impact._checks import (
    check_columns,
    check_frame,
    check_numeric,
    check_sequence,
    check_unique_keys,
    format_list,
)

__all__ = ["StaggeredPanel", "validate_staggered_panel", "adoption_times"]


@dataclass(frozen=True)
class StaggeredPanel:
    """A validated panel (balanced unless not required) with one adoption time per unit.

    Attributes
    ----------
    frame : DataFrame, shape (n_rows, 4 + n_covariates)
        Columns ``unit`` (integer codes of the unit ids), ``time``, ``y``, ``g`` (adoption time, 0 = never treated within
        the sample) and ``x0``, ``x1``, ... for the covariates; sorted by unit and time.
    covariates : tuple of str
        The user's covariate names, in the order of ``x0``, ``x1``, ...
    n_units : int
    times : tuple
        Sorted periods.
    """

    frame: pd.DataFrame
    covariates: tuple
    n_units: int
    times: tuple


def adoption_times(values: pd.Series, last_time: float) -> pd.Series:
    """Adoption times with NaN, 0, inf and anything after ``last_time`` coded 0 (never treated)."""
    coded = values.astype(float)
    never = coded.isna() | (coded == 0) | ~np.isfinite(coded) | (coded > last_time)
    return coded.mask(never, 0.0)


def validate_staggered_panel(
    panel: object, unit: Hashable, time: Hashable, outcome: Hashable, group: Hashable,
    covariates: object, owner: str, require_never_treated: bool, require_balanced: bool = True,
) -> StaggeredPanel:
    """Check the panel once and return it in canonical form.

    Raises
    ------
    ParameterError
        ``covariates`` not a list.
    PanelStructureError
        Missing or non-numeric columns, duplicated keys, adoption time varying within a unit,
        an unbalanced panel (when ``require_balanced``).
    InsufficientDataError
        Missing outcome or covariate values, no treated cohort, no never-treated units when
        they are the control group.
    """
    panel = check_frame(panel, owner)
    covs = () if covariates is None else check_sequence(covariates, "covariates", owner)
    roles = {"unit": unit, "time": time, "outcome": outcome, "group": group}
    roles |= {f"covariate {i}": c for i, c in enumerate(covs)}
    check_columns(panel, roles, owner)
    check_unique_keys(panel, unit, time, owner)
    for role, column in roles.items():
        if role != "unit":
            check_numeric(panel, column, role, owner)
    _check_constant_group(panel, unit, group, owner)
    _check_complete(panel, unit, (outcome, *covs), owner)
    if require_balanced:
        _check_balanced(panel, unit, time, owner)
    frame = _canonical(panel, unit, time, outcome, group, covs)
    _check_cohorts(frame, owner, require_never_treated)
    times = tuple(sorted(frame["time"].unique()))
    return StaggeredPanel(frame, covs, int(frame["unit"].nunique()), times)


def _check_constant_group(panel: pd.DataFrame, unit, group, owner: str) -> None:
    coded = panel[group].astype(float).fillna(0.0)
    varying = coded.groupby(panel[unit]).nunique()
    varying = varying[varying > 1]
    if not varying.empty:
        raise PanelStructureError(
            f"{owner}: the group column {group!r} must hold one adoption time per unit; units "
            f"{format_list(varying.index)} have several."
        )


def _check_complete(panel: pd.DataFrame, unit, columns: tuple, owner: str) -> None:
    for column in columns:
        lacking = pd.unique(panel.loc[panel[column].isna(), unit])
        if lacking.size:
            raise InsufficientDataError(
                f"{owner}: column {column!r} is missing for units {format_list(lacking)}; drop these units "
                "or fill the values (the estimator needs a balanced panel)."
            )


def _check_balanced(panel: pd.DataFrame, unit, time, owner: str) -> None:
    n_times = panel[time].nunique()
    counts = panel.groupby(unit).size()
    short = counts[counts < n_times]
    if not short.empty:
        raise PanelStructureError(
            f"{owner}: the panel is unbalanced; units {format_list(short.index)} lack some of the "
            f"{n_times} periods; drop them or restrict the periods."
        )


def _canonical(panel: pd.DataFrame, unit, time, outcome, group, covs: tuple) -> pd.DataFrame:
    codes = pd.factorize(panel[unit])[0]  # csdid needs numeric unit ids
    frame = pd.DataFrame({"unit": codes, "time": panel[time].to_numpy(), "y": panel[outcome].to_numpy(float)})
    frame["g"] = adoption_times(panel[group].reset_index(drop=True), float(frame["time"].max())).to_numpy()
    for i, column in enumerate(covs):
        frame[f"x{i}"] = panel[column].to_numpy(float)
    return frame.sort_values(["unit", "time"]).reset_index(drop=True)


def _check_cohorts(frame: pd.DataFrame, owner: str, require_never_treated: bool) -> None:
    first = frame["time"].min()
    cohorts = frame.loc[frame["g"] > first, "g"].unique()
    if cohorts.size == 0:
        raise InsufficientDataError(
            f"{owner}: no unit adopts the treatment after the first period {first}; there is no "
            "cohort whose effect can be estimated."
        )
    if require_never_treated and not (frame["g"] == 0).any():
        raise InsufficientDataError(
            f"{owner}: control_group='nevertreated' needs units that are never treated within the "
            "sample (group 0, NaN or after the last period); none found. Use control_group='notyettreated'."
        )
