"""What a validation run found: one outcome per expectation, grouped into a report.

A :class:`ValidationReport` counts passed and failed expectations by severity, logs and lists
warnings, turns critical failures into one :class:`~aoresearch.errors.ValidationFailedError`
whose message names the expectation, the column, the validated table and a few offending rows,
and gives the numbers for the pipeline's metrics JSON.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterable, Literal, Mapping

from aoresearch.errors import ValidationFailedError

__all__ = ["CRITICAL", "WARNING", "Severity", "ExpectationOutcome", "StoredChange", "ValidationReport", "combine", "severity_of"]

logger = logging.getLogger(__name__)

Severity = Literal["critical", "warning"]
CRITICAL: Severity = "critical"
WARNING: Severity = "warning"


@dataclass(frozen=True)
class ExpectationOutcome:
    """The result of one expectation on one validated table.

    Attributes
    ----------
    table : str
        Name of the validated frame (also the Expectation Suite's name), e.g. ``raw_observations``.
    rule : str
        Short stable name of the rule, e.g. ``percent_within_0_100``.
    expectation : str
        Great Expectations type, e.g. ``expect_column_values_to_be_between``.
    columns : tuple of str
        Column(s) the expectation is about; empty for table-level expectations.
    severity : {"critical", "warning"}
    why : str
        What the rule means, in words.
    success : bool
    unexpected_count, element_count : int or None
        Offending rows and rows examined (``None`` for table-level expectations).
    examples : tuple of str
        A few offending rows, each rendered as ``"column value column value ..."``.
    observed : str or None
        For table-level expectations or evaluation errors: what was observed instead.
    file : str
        The file the validated rows come from (e.g. ``data/raw/observations.parquet``), if known.
    """

    table: str
    rule: str
    expectation: str
    columns: tuple[str, ...]
    severity: Severity
    why: str
    success: bool
    unexpected_count: int | None = None
    element_count: int | None = None
    examples: tuple[str, ...] = ()
    observed: str | None = None
    file: str = ""

    @property
    def label(self) -> str:
        """Stable key of the rule: ``<table>.<rule>``."""
        return f"{self.table}.{self.rule}"

    def describe(self) -> str:
        """One line naming severity, expectation, column, meaning and offending rows."""
        if len(self.columns) == 1:
            where = f"column '{self.columns[0]}' of {self.table}"
        elif self.columns:
            where = "columns " + ", ".join(f"'{c}'" for c in self.columns) + f" of {self.table}"
        else:
            where = f"table {self.table}"
        if self.file:
            where += f" in {self.file}"
        status = "passed" if self.success else "failed"
        text = f"{self.severity}: {self.expectation} [{self.rule}] {status} on {where} ({self.why})"
        if self.success:
            return text
        if self.unexpected_count is not None and self.element_count is not None:
            text += f": {self.unexpected_count:,} of {self.element_count:,} rows"
        if self.examples:
            text += ", e.g. " + "; ".join(self.examples)
        if self.observed:
            text += f"; observed {self.observed}"
        return text


@dataclass(frozen=True)
class StoredChange:
    """An expectation of a stored suite (``gx/expectations/``) that runs because of a hand edit.

    Attributes
    ----------
    table : str
        The suite (validated table).
    rule : str
        ``meta["rule"]`` of the expectation (or ``<type>(<column>)`` if it has none).
    kind : {"edited", "added"}
        ``edited``: its stored version differs from what the rules rendered and runs instead of
        the rendering for the current params; ``added``: added to the suite by hand.
    file : str
        The suite's JSON file.
    """

    table: str
    rule: str
    kind: Literal["edited", "added"]
    file: str

    def describe(self) -> str:
        if self.kind == "edited":
            return (f"{self.file}: expectation [{self.rule}] was edited by hand; the stored version runs instead of the "
                    f"one the rules render from params.yaml (`python pipelines/validate.py suites --reset` drops the edit)")
        return f"{self.file}: expectation [{self.rule}] was added by hand and runs too"

    def to_dict(self) -> dict[str, str]:
        return {"table": self.table, "rule": self.rule, "file": self.file}


@dataclass(frozen=True)
class ValidationReport:
    """All expectation outcomes of one validated data set (``raw`` or one panel).

    Attributes
    ----------
    name : str
        Key of the data set in the metrics JSON, e.g. ``raw`` or ``panel_municipality``.
    outcomes : tuple of ExpectationOutcome
    stored_changes : tuple of StoredChange
        Expectations that run as edited or added by hand in the stored suites.
    """

    name: str
    outcomes: tuple[ExpectationOutcome, ...]
    stored_changes: tuple[StoredChange, ...] = ()

    @property
    def expectations(self) -> int:
        return len(self.outcomes)

    @property
    def passed(self) -> int:
        return sum(o.success for o in self.outcomes)

    def failures(self, severity: Severity | None = None) -> tuple[ExpectationOutcome, ...]:
        """Failed outcomes, optionally only those of one severity."""
        return tuple(o for o in self.outcomes if not o.success and severity in (None, o.severity))

    @property
    def failed_critical(self) -> int:
        return len(self.failures(CRITICAL))

    @property
    def failed_warning(self) -> int:
        return len(self.failures(WARNING))

    @property
    def success(self) -> bool:
        """True when no critical expectation failed (warnings do not count)."""
        return self.failed_critical == 0

    def log_warnings(self, log: logging.Logger = logger) -> None:
        """Log every failed warning-level expectation (they never stop the pipeline)."""
        for outcome in self.failures(WARNING):
            log.warning("%s: %s", self.name, outcome.describe())

    def raise_for_critical(self, docs: str | None = None) -> ValidationReport:
        """Return ``self`` if no critical expectation failed.

        ``docs`` (the Data Docs folder) is named in the message when given.

        Raises
        ------
        ValidationFailedError
            Naming, for each failed critical expectation, the expectation type, the column and
            table, what the rule means, how many rows broke it and a few offending rows.
        """
        failed = self.failures(CRITICAL)
        if not failed:
            return self
        lines = "\n".join(f"  {o.describe()}" for o in failed)
        raise ValidationFailedError(
            f"validation of {self.name}: {len(failed)} critical expectation(s) of "
            f"{self.expectations} failed:\n{lines}"
            + (f"\nFix the input data (or the rule) and re-run; the full results are in {docs}/index.html." if docs else "")
        )

    def to_metrics(self, synthetic: bool) -> dict:
        """The headline counts ``dvc metrics show`` lists (``metrics/validation_<what>.json``).

        Returns
        -------
        dict
            ``expectations`` (evaluated), ``passed``, ``failed_critical``, ``failed_warning``,
            ``synthetic``.
        """
        return {
            "expectations": self.expectations,
            "passed": self.passed,
            "failed_critical": self.failed_critical,
            "failed_warning": self.failed_warning,
            "synthetic": bool(synthetic),
        }

    def to_summary(self, synthetic: bool) -> dict:
        """The counts of :meth:`to_metrics` and every failed warning (``data/validation/<what>.json``).

        Returns
        -------
        dict
            The keys of :meth:`to_metrics`; ``warnings``: one ``{rule, table, column, message}``
            per failed warning; ``edited_expectations`` and ``added_expectations``: one
            ``{table, rule, file}`` per expectation of a stored suite edited or added by hand.
        """
        return {
            **self.to_metrics(synthetic),
            "edited_expectations": [c.to_dict() for c in self.stored_changes if c.kind == "edited"],
            "added_expectations": [c.to_dict() for c in self.stored_changes if c.kind == "added"],
            "warnings": [
                {"rule": o.rule, "table": o.table, "column": ", ".join(o.columns), "message": o.describe()}
                for o in self.failures(WARNING)
            ],
        }


def combine(name: str, reports: Iterable[ValidationReport]) -> ValidationReport:
    """One report holding the outcomes of several (e.g. the three panels)."""
    reports = list(reports)
    return ValidationReport(name, tuple(o for r in reports for o in r.outcomes), tuple(c for r in reports for c in r.stored_changes))


def severity_of(meta: Mapping[str, object] | None, default: object = CRITICAL) -> Severity:
    """Severity recorded in an expectation's ``meta``, else ``default`` (Great Expectations' own
    ``severity`` field, for an expectation added by hand); critical unless it says warning."""
    severity = (meta or {}).get("severity", default)
    return WARNING if str(getattr(severity, "value", severity)) == WARNING else CRITICAL
