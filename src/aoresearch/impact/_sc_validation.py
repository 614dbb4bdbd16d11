"""Validation of :class:`SyntheticControl` settings and inputs, in one place.

Each check raises once, for one problem, naming the argument, column, unit or period involved.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, replace
from numbers import Integral, Real

import numpy as np
import pandas as pd

from aoresearch.errors import InsufficientDataError, ParameterError
from aoresearch.impact._checks import (
    as_python,
    check_choice,
    check_columns,
    check_frame,
    check_int,
    check_numeric,
    check_random_state,
    check_sequence,
    check_unique_keys,
    format_list,
)
from aoresearch.impact._sc_data import PredictorOp, PredictorSpec

__all__ = ["ScSettings", "ScProblem", "validate_settings", "validate_problem", "restrict_settings"]

OWNER = "SyntheticControl"
FIT = "SyntheticControl.fit"
MIN_DONORS = 2


@dataclass(frozen=True)
class ScSettings:
    """Validated constructor settings of :class:`SyntheticControl`."""

    predictors: tuple | None
    predictors_periods: tuple | None
    predictors_op: str
    special_predictors: tuple[tuple, ...]
    optimize_periods: tuple | None
    n_starts: int
    maxiter: int
    min_pre_periods: int
    random_state: int | None
    n_jobs: int | None
    penalty: float = 0.0
    intercept: bool = False


@dataclass(frozen=True)
class ScProblem:
    """A validated problem: columns, treated unit, donors and periods.

    ``times`` are the periods where the treated unit's outcome is observed (sorted);
    ``optimize_periods`` and every predictor's periods lie before ``treatment_time``.
    """

    unit: Hashable
    time: Hashable
    outcome: Hashable
    treated: Hashable
    treatment_time: float
    donors: tuple
    times: tuple
    optimize_periods: tuple
    predictors: tuple[PredictorSpec, ...]


def validate_settings(
    predictors, predictors_periods, predictors_op, special_predictors, optimize_periods,
    n_starts, maxiter, min_pre_periods, random_state, n_jobs, penalty=0.0, intercept=False,
) -> ScSettings:
    """Check the constructor settings; return them as a frozen record.

    Raises
    ------
    ParameterError
        One message per invalid setting.
    """
    return ScSettings(
        predictors=None if predictors is None else check_sequence(predictors, "predictors", OWNER),
        predictors_periods=_optional_periods(predictors_periods, "predictors_periods"),
        predictors_op=check_choice(predictors_op, PredictorOp, "predictors_op", OWNER),
        special_predictors=_special_predictors(special_predictors),
        optimize_periods=_optional_periods(optimize_periods, "optimize_periods"),
        n_starts=check_int(n_starts, "n_starts", OWNER),
        maxiter=check_int(maxiter, "maxiter", OWNER),
        min_pre_periods=check_int(min_pre_periods, "min_pre_periods", OWNER),
        random_state=check_random_state(random_state, OWNER),
        n_jobs=check_n_jobs(n_jobs, OWNER),
        penalty=_check_penalty(penalty),
        intercept=_check_intercept(intercept),
    )


def _check_penalty(penalty: object) -> float:
    if isinstance(penalty, bool) or not isinstance(penalty, (int, float)) or not (np.isfinite(penalty) and penalty >= 0):
        raise ParameterError(f"The 'penalty' parameter of {OWNER} must be a finite number >= 0. Got {penalty!r} instead.")
    return float(penalty)


def _check_intercept(intercept: object) -> bool:
    if not isinstance(intercept, (bool, np.bool_)):
        raise ParameterError(f"The 'intercept' parameter of {OWNER} must be a bool. Got {intercept!r} instead.")
    return bool(intercept)


def check_n_jobs(n_jobs: object, owner: str) -> int | None:
    """``None`` or a non-zero int (joblib semantics: -1 = all cores)."""
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral) or n_jobs == 0:
        raise ParameterError(
            f"The 'n_jobs' parameter of {owner} must be None or a non-zero int. Got {n_jobs!r} instead."
        )
    return int(n_jobs)


def _optional_periods(periods: object, parameter: str) -> tuple | None:
    if periods is None:
        return None
    values = check_sequence(periods, parameter, OWNER)
    if not values:
        raise ParameterError(f"The '{parameter}' parameter of {OWNER} must not be empty. Got {periods!r} instead.")
    return values


def _special_predictors(special: object) -> tuple[tuple, ...]:
    if special is None:
        return ()
    items = check_sequence(special, "special_predictors", OWNER)
    out = []
    for item in items:
        if not isinstance(item, (tuple, list)) or len(item) != 3:
            raise ParameterError(
                f"The 'special_predictors' parameter of {OWNER} must hold (variable, periods, op) "
                f"triples. Got {item!r} instead."
            )
        variable, periods, op = item
        periods = check_sequence(periods, f"special_predictors[{variable!r}] periods", OWNER)
        out.append((variable, periods, check_choice(op, PredictorOp, "special_predictors op", OWNER)))
    return tuple(out)


def restrict_settings(settings: ScSettings, before: float) -> ScSettings:
    """Drop every user-given period at or after ``before`` (for an in-time placebo)."""

    def cut(periods: tuple | None) -> tuple | None:
        return None if periods is None else tuple(p for p in periods if p < before)

    special = tuple((v, cut(p), op) for v, p, op in settings.special_predictors)
    return replace(
        settings,
        predictors_periods=cut(settings.predictors_periods),
        optimize_periods=cut(settings.optimize_periods),
        special_predictors=special,
    )


def validate_problem(
    panel: object, settings: ScSettings, unit: Hashable, time: Hashable, outcome: Hashable,
    treated: Hashable, treatment_time: object, donors: object,
) -> ScProblem:
    """Check the panel and fit arguments once; return the validated problem.

    Raises
    ------
    ParameterError
        Bad ``treatment_time``, unknown treated unit or donors, periods outside the pre-period.
    PanelStructureError
        Missing or non-numeric columns, duplicated (unit, time) keys.
    InsufficientDataError
        Too short a pre-period, too few donors, donors or predictors without data.
    """
    panel = check_frame(panel, FIT)
    _check_panel_columns(panel, settings, unit, time, outcome)
    treatment_time = _check_treatment_time(treatment_time)
    times = _treated_times(panel, unit, time, outcome, treated)
    pre = tuple(t for t in times if t < treatment_time)
    _check_pre_length(treated, treatment_time, pre, settings.min_pre_periods)
    donor_ids = _check_donors(panel, unit, treated, donors)
    _check_donor_outcomes(panel, unit, time, outcome, donor_ids, times)
    optimize = _check_periods(settings.optimize_periods, pre, treatment_time, "optimize_periods")
    predictors = _predictor_specs(panel, time, settings, pre, treatment_time)
    problem = ScProblem(unit, time, outcome, treated, treatment_time, donor_ids, times, optimize, predictors)
    _check_predictor_data(panel, problem)
    return problem


def _check_panel_columns(panel: pd.DataFrame, settings: ScSettings, unit, time, outcome) -> None:
    roles = {"unit": unit, "time": time, "outcome": outcome}
    roles |= {f"predictor {i}": c for i, c in enumerate(settings.predictors or ())}
    roles |= {f"special predictor {i}": s[0] for i, s in enumerate(settings.special_predictors)}
    check_columns(panel, roles, FIT)
    check_unique_keys(panel, unit, time, FIT)
    check_numeric(panel, time, "time", FIT)
    check_numeric(panel, outcome, "outcome", FIT)
    for column in (*(settings.predictors or ()), *(s[0] for s in settings.special_predictors)):
        check_numeric(panel, column, "predictor", FIT)


def _check_treatment_time(treatment_time: object) -> float:
    if isinstance(treatment_time, bool) or not isinstance(treatment_time, Real) or not np.isfinite(treatment_time):
        raise ParameterError(f"{FIT}: 'treatment_time' must be a finite number (a period). Got {treatment_time!r} instead.")
    return treatment_time


def _treated_times(panel: pd.DataFrame, unit, time, outcome, treated) -> tuple:
    rows = panel[panel[unit] == treated]
    if rows.empty:
        raise ParameterError(f"{FIT}: treated unit {treated!r} has no rows in the panel (column {unit!r}).")
    observed = rows.loc[rows[outcome].notna(), time]
    return tuple(sorted(as_python(v) for v in observed))


def _check_pre_length(treated, treatment_time, pre: tuple, minimum: int) -> None:
    if not pre:
        raise InsufficientDataError(
            f"treated unit {treated!r} has no rows before treatment_time {treatment_time}; "
            f"the pre-period needs at least {minimum} years."
        )
    if len(pre) < minimum:
        raise InsufficientDataError(
            f"treated unit {treated!r} has {len(pre)} periods with outcome data before treatment_time "
            f"{treatment_time} ({pre[0]}-{pre[-1]}); the pre-period needs at least {minimum} years."
        )


def _check_donors(panel: pd.DataFrame, unit, treated, donors) -> tuple:
    present = pd.unique(panel[unit])
    if donors is None:
        ids = tuple(u for u in present if u != treated)
    else:
        ids = check_sequence(donors, "donors", FIT)
        duplicated = sorted({d for d in ids if ids.count(d) > 1}, key=str)
        if duplicated:
            raise ParameterError(f"{FIT}: 'donors' lists {format_list(duplicated)} more than once.")
        if treated in ids:
            raise ParameterError(f"{FIT}: 'donors' contains the treated unit {treated!r}; remove it from the donor pool.")
        known = set(present)
        unknown = [d for d in ids if d not in known]
        if unknown:
            raise ParameterError(f"{FIT}: donors {format_list(unknown)} have no rows in the panel (column {unit!r}).")
    if len(ids) < MIN_DONORS:
        raise InsufficientDataError(f"{FIT}: needs at least {MIN_DONORS} donors; got {len(ids)} ({format_list(ids)}).")
    return tuple(as_python(v) for v in ids)


def _check_donor_outcomes(panel: pd.DataFrame, unit, time, outcome, donors: tuple, times: tuple) -> None:
    rows = panel[panel[unit].isin(donors) & panel[time].isin(times)]
    counts = rows.dropna(subset=[outcome]).groupby(unit).size().reindex(list(donors), fill_value=0)
    incomplete = counts[counts < len(times)]
    if not incomplete.empty:
        first = as_python(incomplete.index[0])
        seen = set(rows.loc[(rows[unit] == first) & rows[outcome].notna(), time])
        missing = [t for t in times if t not in seen]
        raise InsufficientDataError(
            f"{FIT}: outcome {outcome!r} is missing for donors {format_list(incomplete.index)} in periods where "
            f"the treated unit has data (donor {first!r} lacks {format_list(missing)}); drop these donors or "
            "fill the gaps."
        )


def _check_periods(periods: tuple | None, pre: tuple, treatment_time, parameter: str) -> tuple:
    if periods is None:
        return pre
    late = [p for p in periods if p >= treatment_time]
    if late:
        raise ParameterError(
            f"{FIT}: '{parameter}' contains {format_list(late)}, at or after treatment_time {treatment_time}; "
            "use pre-treatment periods only."
        )
    absent = [p for p in periods if p not in set(pre)]
    if absent:
        raise ParameterError(
            f"{FIT}: '{parameter}' contains {format_list(absent)}, where the treated unit has no outcome data "
            f"(pre-period with data: {pre[0]}-{pre[-1]})."
        )
    return tuple(periods)


def _predictor_specs(panel: pd.DataFrame, time, settings: ScSettings, pre: tuple, treatment_time) -> tuple:
    specs = []
    if settings.predictors:
        periods = _predictor_periods(panel, time, settings.predictors_periods, pre, treatment_time, "predictors_periods")
        specs += [PredictorSpec(c, periods, settings.predictors_op, str(c)) for c in settings.predictors]
    for i, (variable, periods, op) in enumerate(settings.special_predictors, start=1):
        checked = _predictor_periods(panel, time, periods, pre, treatment_time, f"special_predictors[{variable!r}]")
        specs.append(PredictorSpec(variable, checked, op, f"special.{i}.{variable}"))
    return tuple(specs)


def _predictor_periods(panel, time, periods: tuple | None, pre: tuple, treatment_time, parameter: str) -> tuple:
    if periods is None:
        return pre
    if not periods:
        raise ParameterError(f"{FIT}: '{parameter}' has no periods before treatment_time {treatment_time}.")
    late = [p for p in periods if p >= treatment_time]
    if late:
        raise ParameterError(
            f"{FIT}: '{parameter}' contains {format_list(late)}, at or after treatment_time {treatment_time}; "
            "predictors must be measured before the treatment."
        )
    if not panel[time].isin(periods).any():
        raise ParameterError(f"{FIT}: '{parameter}' periods {format_list(periods)} have no rows in the panel.")
    return tuple(periods)


def _check_predictor_data(panel: pd.DataFrame, problem: ScProblem) -> None:
    units = (problem.treated, *problem.donors)
    for spec in problem.predictors:
        rows = panel[panel[problem.time].isin(spec.periods) & panel[problem.unit].isin(units)]
        observed = set(rows.loc[rows[spec.variable].notna(), problem.unit])
        lacking = [u for u in units if u not in observed]
        if lacking:
            raise InsufficientDataError(
                f"{FIT}: predictor {spec.name!r} ({spec.op} of {spec.variable!r} over {format_list(spec.periods)}) "
                f"has no data for units {format_list(lacking)}; drop them from the donors or change the periods."
            )
