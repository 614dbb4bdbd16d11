"""Evaluate the validation suites' critical expectations on frames in plain pandas.

Great Expectations takes ~15 s per demo world (checkpoints, metrics, Data Docs); this evaluates
the very same expectation objects that :func:`aoresearch.validation.raw_targets` and
:func:`~aoresearch.validation.panel_targets` build (their columns, bounds, value sets and row
conditions) in a fraction of a second, so that many generated worlds can be checked. Only the
expectation kinds and row conditions the suites use are understood; anything else raises, so a
new kind of rule cannot be skipped silently. Semantics follow Great Expectations: a row
condition selects the rows, column map expectations ignore missing values, bounds are inclusive
unless ``strict_min``/``strict_max``.
"""

from __future__ import annotations

from typing import Any, Iterable

import great_expectations as gx
import numpy as np
import pandas as pd
from great_expectations.expectations.row_conditions import AndCondition, ComparisonCondition, NullityCondition

from aoresearch.validation.report import CRITICAL, severity_of
from aoresearch.validation.rules import Target

__all__ = ["critical_failures"]


def critical_failures(targets: Iterable[Target]) -> list[str]:
    """One line per failed critical expectation: ``table.rule: n rows, e.g. [...]``."""
    out = []
    for target in targets:
        expectations = [e for e in target.expectations if severity_of(e.meta) == CRITICAL]
        # Text columns of row conditions as categories: the same comparisons, faster on large frames.
        frame = target.frame
        text = {c for e in expectations for c in _condition_columns(getattr(e, "row_condition", None))
                if pd.api.types.is_string_dtype(frame[c].dtype)}  # object, or pandas 3's str
        frame = frame.astype({c: "category" for c in text}) if text else frame
        for expectation in expectations:
            bad = _offending(expectation, frame)
            where = f"{target.name}.{expectation.meta['rule']}"
            if isinstance(bad, str):
                out.append(f"{where}: {bad}")
            elif len(bad):
                out.append(f"{where}: {len(bad)} rows, e.g. {target.frame.loc[bad[:3]].to_dict('records')}")
    return out


def _offending(e: Any, frame: pd.DataFrame) -> pd.Index | str:
    """Index of the offending rows, or what was observed for a failed table-level expectation."""
    if isinstance(e, gx.expectations.ExpectTableColumnsToMatchSet):
        ok = set(frame.columns) == set(e.column_set) if e.exact_match else set(e.column_set) <= set(frame.columns)
        return frame.index[:0] if ok else f"columns {list(frame.columns)}"
    if getattr(e, "mostly", None) not in (None, 1, 1.0):
        raise NotImplementedError("expectations with 'mostly' are not evaluated here")
    selected = _where(e.row_condition, frame)
    if isinstance(e, gx.expectations.ExpectCompoundColumnsToBeUnique):
        rows = frame.loc[selected, list(e.column_list)]
        return rows.index[rows.duplicated(keep=False).to_numpy()]
    values = frame.loc[selected, e.column]
    if isinstance(e, gx.expectations.ExpectColumnValuesToNotBeNull):
        return values.index[values.isna().to_numpy()]
    values = values[values.notna()]  # column map expectations ignore missing values
    if isinstance(e, gx.expectations.ExpectColumnValuesToBeBetween):
        ok = np.ones(len(values), bool)
        if e.min_value is not None:
            ok &= (values > e.min_value if e.strict_min else values >= e.min_value).to_numpy()
        if e.max_value is not None:
            ok &= (values < e.max_value if e.strict_max else values <= e.max_value).to_numpy()
    elif isinstance(e, gx.expectations.ExpectColumnValuesToBeInSet):
        ok = values.isin(list(e.value_set)).to_numpy()
    elif isinstance(e, gx.expectations.ExpectColumnValuesToBeUnique):
        ok = ~values.duplicated(keep=False).to_numpy()
    else:
        raise NotImplementedError(f"{type(e).__name__} is not evaluated here; add it to demo_expectations.py")
    return values.index[~ok]


def _condition_columns(condition: Any) -> set[str]:
    if isinstance(condition, AndCondition):
        return {c for part in condition.conditions for c in _condition_columns(part)}
    return {condition.column.name} if isinstance(condition, (ComparisonCondition, NullityCondition)) else set()


def _where(condition: Any, frame: pd.DataFrame) -> np.ndarray:
    """Boolean mask of a row condition built with ``aoresearch.validation.rules``."""
    if condition is None:
        return np.ones(len(frame), bool)
    if isinstance(condition, AndCondition):
        return np.logical_and.reduce([_where(c, frame) for c in condition.conditions])
    if isinstance(condition, NullityCondition):
        missing = frame[condition.column.name].isna().to_numpy()
        return missing if condition.is_null else ~missing
    if isinstance(condition, ComparisonCondition):
        column, value = frame[condition.column.name], condition.parameter
        operators = {
            "==": lambda: column == value, "!=": lambda: column != value,
            "<": lambda: column < value, "<=": lambda: column <= value,
            ">": lambda: column > value, ">=": lambda: column >= value,
            "IN": lambda: column.isin(list(value)), "NOT_IN": lambda: ~column.isin(list(value)),
        }
        return np.asarray(operators[str(condition.operator)](), bool)
    raise NotImplementedError(f"row condition {condition!r} is not evaluated here")
