"""Run the stored Checkpoints of targets and read back one outcome per expectation.

Each :class:`~aoresearch.validation.rules.Target` has, stored in ``gx/`` by ``make suites``
(:mod:`aoresearch.validation.store`), an Expectation Suite, a Validation Definition and a
Checkpoint whose ``UpdateDataDocsAction`` renders the result into the Data Docs site of the stage
(``raw`` or ``panels``). :func:`run_targets` opens a temporary copy of those files with Great
Expectations' file-mode loader (a run never writes into ``gx/``), replaces each stored suite by
the rendering for the current params with the hand edits of the stored one
(:mod:`aoresearch.validation.edits`), loads the Checkpoint and runs it with the frame as batch
parameter. The Checkpoint's result format is set from the frame's label columns and
``validation.examples``. Runs are named by the validated data, not the clock
(:mod:`aoresearch.validation.run_id`) and the pages are normalised afterwards
(:mod:`aoresearch.validation.docs`), so the same data give byte-identical Data Docs. With
``n_jobs`` above 1 the targets run in worker processes (:mod:`aoresearch.validation.workers`)
and the Data Docs are still built once, here, from what they stored: the same pages.
"""

from __future__ import annotations

import logging
import os
import shutil
from functools import partial
from pathlib import Path
from typing import Any, Iterable, Mapping, NamedTuple

from aoresearch.validation.docs import normalise_data_docs
from aoresearch.validation.edits import merge, rule_of
from aoresearch.validation.report import ExpectationOutcome, StoredChange, ValidationReport, severity_of
from aoresearch.validation.rules import Target
from aoresearch.validation.run_id import run_identifier
from aoresearch.validation.store import DataDocsSite, checkpoint_name, result_format, run_context, stored_files
from aoresearch.validation.workers import run_in_workers

__all__ = ["run_targets"]

logger = logging.getLogger(__name__)

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def run_targets(
    name: str,
    targets: Iterable[Target],
    site: DataDocsSite,
    examples: int = 5,
    source: str | Path | None = None,
    n_jobs: int = 1,
) -> ValidationReport:
    """Run every target's stored Checkpoint and render Data Docs; return the outcomes (never raises on failures).

    Parameters
    ----------
    name : str
        Key of the data set (``raw``, ``panels``): names the report; the Datasource and the
        Checkpoints are those of ``site.name``.
    targets : iterable of Target
    site : DataDocsSite
        The stored project and the Data Docs site (:func:`~aoresearch.validation.store.load_site_config`);
        the site's folder is emptied first.
    examples : int
        Offending rows kept per failed expectation.
    source : path, optional
        Folder of the validated data set; with a target's ``file`` it names the file in messages.
    n_jobs : int
        Worker processes running the Checkpoints (``validation.n_jobs``); 1 (default): all in this
        process. The report and the Data Docs do not depend on it.

    Raises
    ------
    StoredValidationError
        If a target's suite, Validation Definition or Checkpoint is not stored under ``site.gx_dir``.
    Exception
        An error while running a target, with a note naming the target (from a worker too).
    """
    targets = list(targets)
    shutil.rmtree(site.folder, ignore_errors=True)
    site.folder.mkdir(parents=True, exist_ok=True)
    validate = partial(_validate_target, site=site, examples=examples, source=source)
    with run_context(site, [t.name for t in targets]) as context:
        if min(n_jobs, len(targets)) > 1:
            validated = run_in_workers(validate, context.root_directory, targets, n_jobs)
        else:
            validated = [validate(context, target) for target in targets]
        context.build_data_docs(site_names=[site.name])
    normalise_data_docs(site.folder)
    changes = [change for target in validated for change in target.changes]
    for change in changes:
        logger.warning("%s", change.describe())
    return ValidationReport(name, tuple(o for target in validated for o in target.outcomes), tuple(changes))


class TargetResult(NamedTuple):
    """What running one target's Checkpoint gives: its outcomes and the hand edits its suite ran with."""

    outcomes: tuple[ExpectationOutcome, ...]
    changes: tuple[StoredChange, ...]


def _validate_target(context, target: Target, site: DataDocsSite, examples: int, source: str | Path | None) -> TargetResult:
    """:func:`_run_checkpoint`; an error gets a note naming the target and its Checkpoint."""
    try:
        return _run_checkpoint(context, target, site, examples, source)
    except Exception as exc:
        exc.add_note(f"while validating {target.name} (Checkpoint {checkpoint_name(site.name, target.name)})")
        raise


def _run_checkpoint(context, target: Target, site: DataDocsSite, examples: int, source: str | Path | None) -> TargetResult:
    """Store the target's suite and its Checkpoint without actions in the run copy, run it, read the outcomes."""
    changes = _use_rendering_with_edits(context, target, site)
    checkpoint = context.checkpoints.get(checkpoint_name(site.name, target.name))
    checkpoint.actions = []  # Data Docs are built once by run_targets, not after every Checkpoint;
    checkpoint.save()  # saved into the run's temporary copy (GX refuses to run an unsaved change)
    checkpoint.result_format = fmt = result_format(target, examples)
    labels = fmt["unexpected_index_column_names"]
    result = checkpoint.run(batch_parameters={"dataframe": target.frame}, run_id=run_identifier(target.name, target.frame))
    file = _file(source, target.file)
    outcomes = tuple(_outcome(target, r, labels, examples, file) for run in result.run_results.values() for r in run.results)
    return TargetResult(outcomes, tuple(changes))


def _use_rendering_with_edits(context, target: Target, site: DataDocsSite) -> list[StoredChange]:
    """Store (in the run copy) the target's suite as rendered now, keeping the stored hand edits."""
    stored = context.suites.get(target.name)
    merged = merge(target.expectations, stored.expectations)
    suite = target.suite(expectations=merged.expectations)
    if not _stores_the_same(suite, stored):
        context.suites.add_or_update(suite)
    path = stored_files(site.gx_dir, site.name, target.name)["Expectation Suite"]
    changes = [StoredChange(target.name, rule, "edited", path.as_posix()) for rule in merged.edited]
    changes += [StoredChange(target.name, rule, "added", path.as_posix()) for rule in merged.added]
    return changes


def _stores_the_same(suite, stored) -> bool:
    """Would ``add_or_update(suite)`` store what is stored already: the same suite fields and the
    same expectations in the same order, ids aside (a rendering has none)?

    Then the update is skipped. It would write the same suite back after searching the stored
    expectations for each new one (Great Expectations' ``add_or_update``: quadratic in the
    expectations, each comparison a pydantic ``dict()``), a large part of a validation's own time
    (``benchmarks/validation_runner.py``). The usual case: ``make suites`` stored the rendering of
    the current params, and nothing was edited by hand since.
    """
    return (
        suite.name == stored.name
        and (suite.meta or {}) == (stored.meta or {})
        and (suite.notes or None) == (stored.notes or None)
        and len(suite.expectations) == len(stored.expectations)
        and all(_content(new) == _content(old) for new, old in zip(suite.expectations, stored.expectations))
    )


def _content(expectation) -> dict:
    """An expectation's configuration without its id and rendered content."""
    document = expectation.configuration.to_json_dict()
    for key in ("id", "rendered_content"):
        document.pop(key, None)
    return document


def _file(source: str | Path | None, file: str) -> str:
    if not file:
        return ""
    return (Path(source) / file).as_posix() if source is not None else file


def _outcome(target: Target, result, labels: list[str], examples: int, file: str = "") -> ExpectationOutcome:
    config = result.expectation_config
    kwargs = config.kwargs
    columns = tuple(kwargs.get("column_list") or ([kwargs["column"]] if "column" in kwargs else []))
    meta = config.meta or {}
    details = result.result or {}
    observed = None
    if result.exception_info and result.exception_info.get("raised_exception"):
        observed = f"an evaluation error: {result.exception_info.get('exception_message')}"
    elif "observed_value" in details and not result.success:
        observed = str(details["observed_value"])
    return ExpectationOutcome(
        table=target.name,
        rule=rule_of(config),
        expectation=config.type,
        columns=columns,
        severity=severity_of(meta, config.severity),
        why=str(meta.get("why", "")),
        success=bool(result.success),
        unexpected_count=details.get("unexpected_count"),
        element_count=details.get("element_count"),
        examples=tuple(_examples(details, columns, labels, examples)) if not result.success else (),
        observed=observed,
        file=file,
    )


def _examples(details: Mapping[str, Any], columns: tuple[str, ...], labels: list[str], limit: int) -> list[str]:
    rows = details.get("partial_unexpected_index_list") or []
    if not rows:
        rows = [r for r in details.get("partial_unexpected_list") or [] if isinstance(r, dict)]
    out = []
    for row in rows[:limit]:
        if not isinstance(row, dict):
            continue
        shown = [c for c in labels if c not in columns] if len(columns) == 1 else labels
        parts = [f"{key} {_show(row[key])}" for key in shown if key in row]
        if len(columns) == 1 and "value" in row:
            parts.append(f"{columns[0]} {_show(row['value'])}")
        elif len(columns) == 1 and columns[0] in row:
            parts.append(f"{columns[0]} {_show(row[columns[0]])}")
        out.append("(" + ", ".join(parts) + ")")
    return out


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value) if value == "" else str(value)
