"""Building blocks of the suites: severity-tagged expectations and the tables they validate.

Every expectation is one of Great Expectations' built-in expectations, created through
:func:`expect`, which records the rule in the expectation itself so that the suite JSON under
``gx/expectations/`` reads on its own:

- ``severity`` (Great Expectations' own field) and ``meta["severity"]``: ``critical`` stops the
  pipeline, ``warning`` is logged and counted;
- ``meta["rule"]``: a short stable name, used as key in the metrics JSON;
- ``meta["why"]``: what the rule means.

A :class:`Target` is one validated frame (the raw observations, the region table, a panel, or a
frame derived from them in :mod:`aoresearch.validation.derived`) with its expectations and the
columns that identify a row in error messages.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Iterable

import great_expectations as gx
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from aoresearch.catalogue import Catalogue, Indicator, Rate
from aoresearch.validation.report import CRITICAL, WARNING, Severity

__all__ = [
    "Target",
    "expect",
    "critical",
    "warning",
    "in_ids",
    "equals",
    "is_count",
    "is_percent",
    "is_percent_rate",
    "count_indicators",
    "suppressible",
]

_KINDS = {
    "column_to_exist": gx.expectations.ExpectColumnToExist,
    "table_columns_to_match_set": gx.expectations.ExpectTableColumnsToMatchSet,
    "compound_columns_to_be_unique": gx.expectations.ExpectCompoundColumnsToBeUnique,
    "column_values_to_be_unique": gx.expectations.ExpectColumnValuesToBeUnique,
    "column_values_to_not_be_null": gx.expectations.ExpectColumnValuesToNotBeNull,
    "column_values_to_be_between": gx.expectations.ExpectColumnValuesToBeBetween,
    "column_values_to_be_in_set": gx.expectations.ExpectColumnValuesToBeInSet,
    "column_values_to_not_be_in_set": gx.expectations.ExpectColumnValuesToNotBeInSet,
    "column_values_to_be_in_type_list": gx.expectations.ExpectColumnValuesToBeInTypeList,
    "column_values_to_match_regex": gx.expectations.ExpectColumnValuesToMatchRegex,
    "column_value_lengths_to_be_between": gx.expectations.ExpectColumnValueLengthsToBeBetween,
    "column_distinct_values_to_contain_set": gx.expectations.ExpectColumnDistinctValuesToContainSet,
}


@dataclass(frozen=True)
class Target:
    """One frame to validate with its expectations.

    Attributes
    ----------
    name : str
        Name of the table, the Expectation Suite, the Validation Definition and the Checkpoint.
    frame : DataFrame
        The data (a non-unique index is reset).
    expectations : tuple
        Great Expectations ``Expectation`` objects, fresh (not yet bound to a suite).
    row_label : tuple of str
        Columns that identify a row in messages, e.g. ``("indicator", "region", "year", "gender")``.
    context : tuple of str
        Further columns shown with an offending row (e.g. the values a difference came from).
    description : str
        What the frame is, for the suite's ``meta``.
    file : str
        The file of the data set the frame comes from (``observations.parquet``,
        ``municipality.parquet``), named in failure messages.
    """

    name: str
    frame: pd.DataFrame
    expectations: tuple[Any, ...]
    row_label: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    description: str = ""
    file: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.frame.index.is_unique:
            object.__setattr__(self, "frame", self.frame.reset_index(drop=True))

    def suite(self, expectations: Iterable[Any] | None = None) -> gx.ExpectationSuite:
        """A new Expectation Suite named after the target holding copies of its expectations
        (or of ``expectations``, e.g. those :func:`aoresearch.validation.edits.merge` chose)."""
        meta = {"table": self.name, "description": self.description, "row_label": list(self.row_label), **self.meta}
        chosen = self.expectations if expectations is None else expectations
        return gx.ExpectationSuite(name=self.name, expectations=[copy.copy(e) for e in chosen], meta=meta)


def expect(kind: str, severity: Severity, rule: str, why: str, **kwargs: Any):
    """Create the built-in expectation ``expect_<kind>`` tagged with severity, rule and meaning.

    Parameters
    ----------
    kind : str
        Expectation type without the ``expect_`` prefix, e.g. ``"column_values_to_be_between"``.
    severity : {"critical", "warning"}
    rule : str
        Short stable name (unique within a suite).
    why : str
        What the rule means; repeated in every failure message.
    **kwargs
        Arguments of the expectation (``column``, ``min_value``, ``row_condition`` ...).

    Raises
    ------
    KeyError
        If ``kind`` is not one of the expectations this package uses.
    """
    cls = _KINDS[kind]
    meta = {"severity": severity, "rule": rule, "why": why}
    return cls(severity=severity, meta=meta, **kwargs)


def critical(kind: str, rule: str, why: str, **kwargs: Any):
    """:func:`expect` with severity ``critical``."""
    return expect(kind, CRITICAL, rule, why, **kwargs)


def warning(kind: str, rule: str, why: str, **kwargs: Any):
    """:func:`expect` with severity ``warning``."""
    return expect(kind, WARNING, rule, why, **kwargs)


def in_ids(column: str, ids: Iterable[int]):
    """Row condition ``column IN ids`` (plain Python ints, sorted for a stable suite JSON)."""
    return Column(column).is_in(sorted(int(i) for i in ids))


def equals(column: str, value: Any):
    """Row condition ``column == value``."""
    return Column(column) == value


def is_percent(indicator: Indicator) -> bool:
    """The indicator's value is a percentage (unit ``percent``)."""
    return indicator.unit.strip().lower() == "percent"


def is_count(indicator: Indicator) -> bool:
    """The indicator's value is a count of persons, children, families ... (not %, not per N)."""
    unit = indicator.unit.strip().lower()
    return unit != "percent" and not unit.startswith("per ")


def count_indicators(catalogue: Catalogue) -> tuple[Indicator, ...]:
    return tuple(i for i in catalogue.indicators if is_count(i))


def suppressible(indicator: Indicator) -> bool:
    """Sotkanet leaves out small counts of this indicator: ``suppressed_below`` is set on an
    absolute count (the panel builder's rule; such counts get a ``<key>_imputed`` flag)."""
    return bool(indicator.suppressed_below) and indicator.value == "absolute"


def is_percent_rate(rate: Rate, catalogue: Catalogue) -> bool:
    """The rate is a percentage: a count over its population times 100, or a primary percentage."""
    if rate.denominators:
        return rate.per == 100
    return rate.per == 1 and is_percent(catalogue.by_key(rate.indicator))
