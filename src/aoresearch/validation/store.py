"""The Great Expectations project stored in ``gx/``: save it, and open a copy of it to run.

``gx/`` is a file-mode Data Context (``gx/great_expectations.yml``). For each
:class:`~aoresearch.validation.rules.Target` of a validate stage it stores, written by Great
Expectations itself (:func:`write_suites`, run by ``python pipelines/validate.py suites`` and
``make suites``):

- ``expectations/<table>.json``: the Expectation Suite;
- ``validation_definitions/<table>.json``: the suite with the whole-dataframe Batch Definition
  ``whole_table`` of the dataframe asset ``<table>`` of the pandas Datasource ``raw`` or
  ``panels`` (the Datasource and its assets are under ``fluent_datasources`` in the yml);
- ``checkpoints/<datasource>__<table>.json``: the Checkpoint running that definition, with an
  ``UpdateDataDocsAction`` to the Data Docs site of the stage (named like the Datasource).

Ids do not change between runs: an expectation's id is derived from its suite and rule (Great
Expectations would give an unchanged expectation a new random id on every update); suites,
Validation Definitions, Checkpoints, Datasources, assets and Batch Definitions get an id from Great
Expectations when first saved and keep it, because later saves update them in place.

A validate stage never writes into ``gx/``: :func:`run_context` copies the yml and the stored
files of the targets it runs into a temporary folder, opens that copy with Great Expectations'
file-mode loader and points the stage's Data Docs site at the stage's own folder.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import yaml

from aoresearch.errors import ParameterError, StoredValidationError
from aoresearch.validation.edits import merge, rule_of
from aoresearch.validation.rules import Target

__all__ = ["DataDocsSite", "load_site_config", "checkpoint_name", "stored_files", "result_format", "run_context", "write_suites"]

BATCH_DEFINITION = "whole_table"
_ID_NAMESPACE = uuid.UUID("6f1d3c52-4a0e-4b8e-9a57-0d6c1b9e2f11")
_MAKE_SUITES = "`make suites` (python pipelines/validate.py suites)"


@dataclass(frozen=True)
class DataDocsSite:
    """The stored project and the Data Docs site one validate stage renders into.

    Attributes
    ----------
    gx_dir : Path
        The stored file-mode context (``gx/``).
    name : str
        Site name in ``great_expectations.yml`` (``raw`` or ``panels``); also the Datasource's.
    config : dict
        The site's configuration, its ``store_backend.base_directory`` made absolute.
    """

    gx_dir: Path
    name: str
    config: dict[str, Any]

    @property
    def folder(self) -> Path:
        """The folder the Data Docs are written to."""
        return Path(self.config["store_backend"]["base_directory"])


def load_site_config(gx_dir: str | Path, site: str, out_dir: str | Path | None = None) -> DataDocsSite:
    """The Data Docs site ``site`` of ``gx_dir/great_expectations.yml``, rendered into ``out_dir``
    (default: the site's own folder, relative to ``gx_dir``).

    Raises
    ------
    ParameterError
        If the file or the site is missing.
    """
    gx_dir = Path(gx_dir).resolve()
    path = gx_dir / "great_expectations.yml"
    try:
        sites = yaml.safe_load(path.read_text(encoding="utf-8")).get("data_docs_sites") or {}
    except FileNotFoundError as exc:
        raise ParameterError(f"{path} does not exist; the Great Expectations context lives in gx/.") from exc
    if site not in sites:
        raise ParameterError(f"{path}: no Data Docs site '{site}' under data_docs_sites; known: {sorted(sites)}.")
    config = dict(sites[site])
    backend = dict(config["store_backend"])
    folder = Path(out_dir) if out_dir is not None else (gx_dir / backend["base_directory"])
    backend["base_directory"] = str(folder.resolve())
    config["store_backend"] = backend
    return DataDocsSite(gx_dir, site, config)


def checkpoint_name(datasource: str, table: str) -> str:
    """``<datasource>__<table>``, e.g. ``raw__raw_counts``."""
    return f"{datasource}__{table}"


def stored_files(gx_dir: str | Path, datasource: str, table: str) -> dict[str, Path]:
    """The suite, Validation Definition and Checkpoint files of one target under ``gx_dir``."""
    gx_dir = Path(gx_dir)
    return {
        "Expectation Suite": gx_dir / "expectations" / f"{table}.json",
        "Validation Definition": gx_dir / "validation_definitions" / f"{table}.json",
        "Checkpoint": gx_dir / "checkpoints" / f"{checkpoint_name(datasource, table)}.json",
    }


def result_format(target: Target, examples: int) -> dict[str, Any]:
    """The Checkpoint's result format: ``examples`` offending rows named by the target's label columns."""
    labels = [c for c in (*target.row_label, *target.context) if c in target.frame.columns]
    return {"result_format": "SUMMARY", "unexpected_index_column_names": labels, "partial_unexpected_count": examples}


def _file_context(gx_dir: Path):
    import great_expectations as gx

    if gx_dir.name != "gx":
        raise ParameterError(f"--gx {gx_dir}: Great Expectations opens a file-mode context only in a folder named gx.")
    return gx.get_context(mode="file", project_root_dir=str(gx_dir.parent))


@contextlib.contextmanager
def run_context(site: DataDocsSite, tables: Sequence[str]) -> Iterator[Any]:
    """A file-mode context on a temporary copy of the stored files of ``tables`` (Datasource ``site.name``).

    The copy has one Data Docs site, ``site.name``, configured as ``site.config``; it is deleted
    on exit.

    Raises
    ------
    StoredValidationError
        If a suite, Validation Definition or Checkpoint of a table is not stored, naming the files
        and the command that writes them.
    """
    missing = [f"{kind} {path}" for table in tables for kind, path in stored_files(site.gx_dir, site.name, table).items() if not path.is_file()]
    if missing:
        raise StoredValidationError(
            f"{len(missing)} stored Great Expectations file(s) of the {site.name} validation are missing: "
            + "; ".join(missing[:6]) + (f"; and {len(missing) - 6} more" if len(missing) > 6 else "")
            + f". Run {_MAKE_SUITES} to write them into {site.gx_dir}, and commit them."
        )
    with tempfile.TemporaryDirectory(prefix="aoresearch-gx-") as tmp:
        copy = Path(tmp) / "gx"
        copy.mkdir()
        shutil.copy2(site.gx_dir / "great_expectations.yml", copy / "great_expectations.yml")
        for table in tables:
            for source in stored_files(site.gx_dir, site.name, table).values():
                target = copy / source.relative_to(site.gx_dir)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        context = _file_context(copy)
        for name in [n for n in context.list_data_docs_sites() if n != site.name]:
            context.delete_data_docs_site(name)
        context.update_data_docs_site(site.name, dict(site.config))
        yield context


def write_suites(groups: Mapping[str, Iterable[Target]], gx_dir: str | Path, examples: int = 5, reset: bool = False) -> list[Path]:
    """Save each target's suite, Validation Definition and Checkpoint into the context at ``gx_dir``.

    Parameters
    ----------
    groups : mapping of str to iterable of Target
        Datasource (and Data Docs site) name, ``raw`` or ``panels``, to its targets.
    gx_dir : path
        The file-mode context folder (named ``gx``).
    examples : int
        Offending rows kept per failed expectation (``validation.examples``).
    reset : bool
        Drop hand edits and hand-added expectations of the stored suites (default: keep them,
        :func:`aoresearch.validation.edits.merge`).

    Returns
    -------
    list of Path
        The files written, three per target.
    """
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction

    gx_dir = Path(gx_dir).resolve()
    context = _file_context(gx_dir)
    written = []
    for datasource_name, targets in groups.items():
        datasource = _datasource(context, datasource_name)
        for target in targets:
            batch = _batch_definition(datasource, target.name)
            suite = _save_suite(context, target, reset)
            definition = context.validation_definitions.add_or_update(gx.ValidationDefinition(name=target.name, data=batch, suite=suite))
            context.checkpoints.add_or_update(gx.Checkpoint(
                name=checkpoint_name(datasource_name, target.name),
                validation_definitions=[definition],
                actions=[UpdateDataDocsAction(name="data_docs", site_names=[datasource_name])],
                result_format=result_format(target, examples),
            ))
            written.extend(stored_files(gx_dir, datasource_name, target.name).values())
    return written


def _datasource(context, name: str):
    try:
        return context.data_sources.get(name)
    except KeyError:
        return context.data_sources.add_pandas(name)


def _batch_definition(datasource, table: str):
    try:
        asset = datasource.get_asset(table)
    except LookupError:
        asset = datasource.add_dataframe_asset(table)
    try:
        return asset.get_batch_definition(BATCH_DEFINITION)
    except KeyError:
        return asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)


def _save_suite(context, target: Target, reset: bool):
    from great_expectations.exceptions import DataContextError

    try:
        stored = context.suites.get(target.name)
    except DataContextError:
        stored = context.suites.add(target.suite(expectations=()))  # GX's id for a new suite; kept from now on
    merged = merge(target.expectations, () if reset else stored.expectations)
    suite = target.suite(expectations=merged.expectations)
    for expectation, key in zip(suite.expectations, _unique(rule_of(e) for e in suite.expectations)):
        expectation.id = str(uuid.uuid5(_ID_NAMESPACE, f"{target.name}/{key}"))
    return context.suites.add_or_update(suite)


def _unique(keys: Iterable[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return out
