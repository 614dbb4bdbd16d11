"""Run targets through Great Expectations and read back one outcome per expectation.

Each :class:`~aoresearch.validation.rules.Target` becomes a pandas DataFrame asset with a
whole-dataframe Batch Definition, an Expectation Suite, a Validation Definition and a Checkpoint
whose ``UpdateDataDocsAction`` renders the result into the Data Docs site of the stage (``raw``
or ``panels``, configured in ``gx/great_expectations.yml``). Validation runs in an ephemeral
context configured from that file, so a run never writes into ``gx/`` and the site shows exactly
this run. Runs are named by the validated data, not the clock
(:mod:`aoresearch.validation.run_id`) and the pages are normalised afterwards
(:mod:`aoresearch.validation.docs`), so the same data give byte-identical Data Docs.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from aoresearch.errors import ParameterError
from aoresearch.validation.docs import normalise_data_docs
from aoresearch.validation.report import ExpectationOutcome, ValidationReport, severity_of
from aoresearch.validation.rules import Target
from aoresearch.validation.run_id import run_identifier

__all__ = ["run_targets", "load_site_config", "write_suites"]

logger = logging.getLogger(__name__)

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def load_site_config(gx_dir: str | Path, site: str, out_dir: str | Path | None = None) -> dict[str, Any]:
    """The Data Docs site ``site`` of ``gx_dir/great_expectations.yml``, with an absolute folder.

    Raises
    ------
    ParameterError
        If the file or the site is missing.
    """
    path = Path(gx_dir) / "great_expectations.yml"
    try:
        sites = yaml.safe_load(path.read_text(encoding="utf-8")).get("data_docs_sites") or {}
    except FileNotFoundError as exc:
        raise ParameterError(f"{path} does not exist; the Great Expectations context lives in gx/.") from exc
    if site not in sites:
        raise ParameterError(f"{path}: no Data Docs site '{site}' under data_docs_sites; known: {sorted(sites)}.")
    config = dict(sites[site])
    backend = dict(config["store_backend"])
    folder = Path(out_dir) if out_dir is not None else (Path(gx_dir) / backend["base_directory"])
    backend["base_directory"] = str(folder.resolve())
    config["store_backend"] = backend
    return config


def _context(site: str, site_config: Mapping[str, Any]):
    import great_expectations as gx
    from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults, ProgressBarsConfig

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        data_docs_sites={site: dict(site_config)},
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def run_targets(
    name: str, targets: Iterable[Target], site: str, site_config: Mapping[str, Any], examples: int = 5, source: str | Path | None = None
) -> ValidationReport:
    """Validate every target and render Data Docs; return the outcomes (never raises on failures).

    Parameters
    ----------
    name : str
        Key of the data set (``raw``, ``panels``): names the Datasource and the report.
    targets : iterable of Target
    site : str
        Data Docs site name; its folder is emptied first.
    site_config : mapping
        Site configuration from :func:`load_site_config`.
    examples : int
        Offending rows kept per failed expectation.
    source : path, optional
        Folder of the validated data set; with a target's ``file`` it names the file in messages.
    """
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction

    folder = Path(site_config["store_backend"]["base_directory"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    context = _context(site, site_config)
    datasource = context.data_sources.add_pandas(name)
    outcomes: list[ExpectationOutcome] = []
    for target in targets:
        batch = datasource.add_dataframe_asset(target.name).add_batch_definition_whole_dataframe("whole_table")
        suite = context.suites.add(target.suite())
        definition = context.validation_definitions.add(gx.ValidationDefinition(name=target.name, data=batch, suite=suite))
        labels = [c for c in (*target.row_label, *target.context) if c in target.frame.columns]
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"{name}__{target.name}",
                validation_definitions=[definition],
                actions=[UpdateDataDocsAction(name="data_docs", site_names=[site])],
                result_format={"result_format": "SUMMARY", "unexpected_index_column_names": labels, "partial_unexpected_count": examples},
            )
        )
        result = checkpoint.run(batch_parameters={"dataframe": target.frame}, run_id=run_identifier(target.name, target.frame))
        for run in result.run_results.values():
            outcomes.extend(_outcome(target, r, labels, examples, _file(source, target.file)) for r in run.results)
    normalise_data_docs(folder)
    return ValidationReport(name, tuple(outcomes))


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
        rule=str(meta.get("rule", config.type)),
        expectation=config.type,
        columns=columns,
        severity=severity_of(meta),
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


def write_suites(targets: Iterable[Target], gx_dir: str | Path) -> list[Path]:
    """Save the targets' Expectation Suites as JSON into the file-mode context at ``gx_dir``.

    Existing suites of the same name are replaced. Returns the JSON files written.
    """
    import great_expectations as gx

    gx_dir = Path(gx_dir).resolve()
    context = gx.get_context(mode="file", project_root_dir=str(gx_dir.parent))
    written = []
    for target in targets:
        context.suites.add_or_update(target.suite())
        written.append(gx_dir / "expectations" / f"{target.name}.json")
    return written
