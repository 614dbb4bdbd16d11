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
(:mod:`aoresearch.validation.docs`), so the same data give byte-identical Data Docs.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any, Iterable, Mapping

from aoresearch.validation.docs import normalise_data_docs
from aoresearch.validation.edits import merge, rule_of
from aoresearch.validation.report import ExpectationOutcome, StoredChange, ValidationReport, severity_of
from aoresearch.validation.rules import Target
from aoresearch.validation.run_id import run_identifier
from aoresearch.validation.store import DataDocsSite, checkpoint_name, result_format, run_context, stored_files

__all__ = ["run_targets"]

logger = logging.getLogger(__name__)

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def run_targets(
    name: str, targets: Iterable[Target], site: DataDocsSite, examples: int = 5, source: str | Path | None = None
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

    Raises
    ------
    StoredValidationError
        If a target's suite, Validation Definition or Checkpoint is not stored under ``site.gx_dir``.
    """
    targets = list(targets)
    shutil.rmtree(site.folder, ignore_errors=True)
    site.folder.mkdir(parents=True, exist_ok=True)
    outcomes: list[ExpectationOutcome] = []
    changes: list[StoredChange] = []
    with run_context(site, [t.name for t in targets]) as context:
        for target in targets:
            changes.extend(_use_rendering_with_edits(context, target, site))
            checkpoint = context.checkpoints.get(checkpoint_name(site.name, target.name))
            checkpoint.actions = []  # Data Docs are built once below, not after every Checkpoint;
            checkpoint.save()  # saved into the run's temporary copy (GX refuses to run an unsaved change)
            checkpoint.result_format = fmt = result_format(target, examples)
            labels = fmt["unexpected_index_column_names"]
            result = checkpoint.run(batch_parameters={"dataframe": target.frame}, run_id=run_identifier(target.name, target.frame))
            for run in result.run_results.values():
                outcomes.extend(_outcome(target, r, labels, examples, _file(source, target.file)) for r in run.results)
        context.build_data_docs(site_names=[site.name])
    normalise_data_docs(site.folder)
    return ValidationReport(name, tuple(outcomes), tuple(changes))


def _use_rendering_with_edits(context, target: Target, site: DataDocsSite) -> list[StoredChange]:
    """Store (in the run copy) the target's suite as rendered now, keeping the stored hand edits."""
    merged = merge(target.expectations, context.suites.get(target.name).expectations)
    context.suites.add_or_update(target.suite(expectations=merged.expectations))
    path = stored_files(site.gx_dir, site.name, target.name)["Expectation Suite"]
    changes = [StoredChange(target.name, rule, "edited", path.as_posix()) for rule in merged.edited]
    changes += [StoredChange(target.name, rule, "added", path.as_posix()) for rule in merged.added]
    for change in changes:
        logger.warning("%s", change.describe())
    return changes


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
