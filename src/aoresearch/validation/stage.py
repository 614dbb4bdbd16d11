"""The work of the ``validate_raw`` and ``validate_panels`` stages: validate, render Data Docs,
write the headline metrics JSON and the summary with every warning, then stop on a critical failure."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Mapping

import pandas as pd

from aoresearch.catalogue import Catalogue
from aoresearch.atomic import atomic_write_text
from aoresearch.sources.raw import RawData
from aoresearch.validation.report import ValidationReport, combine
from aoresearch.validation.runner import run_targets
from aoresearch.validation.store import DataDocsSite
from aoresearch.validation.suites import ValidationConfig, panel_targets, raw_targets

__all__ = ["validate_raw", "validate_panels", "write_metrics"]

logger = logging.getLogger(__name__)


def validate_raw(
    raw: RawData, catalogue: Catalogue, config: ValidationConfig, site: DataDocsSite, source: str | Path | None = None
) -> ValidationReport:
    """Validate the raw observations and region table with the Checkpoints stored for them, in
    ``config.n_jobs`` processes; Data Docs go to ``site``
    (:func:`~aoresearch.validation.store.load_site_config` of ``raw``).

    ``source`` (the raw folder) is named with the file in failure messages.
    """
    report = run_targets("raw", raw_targets(raw, catalogue, config), site, config.examples, source, config.n_jobs)
    report.log_warnings(logger)
    return report


def validate_panels(
    panels: Mapping[str, pd.DataFrame],
    catalogue: Catalogue,
    config: ValidationConfig,
    site: DataDocsSite,
    source: str | Path | None = None,
) -> ValidationReport:
    """Validate each panel (name to frame) with the Checkpoints stored for them, in
    ``config.n_jobs`` processes; Data Docs of all of them go to ``site``
    (:func:`~aoresearch.validation.store.load_site_config` of ``panels``).

    ``source`` (the panel folder) is named with the file in failure messages.
    """
    targets = tuple(t for name, panel in panels.items() for t in panel_targets(name, panel, catalogue, config))
    report = combine("panels", [run_targets("panels", targets, site, config.examples, source, config.n_jobs)])
    report.log_warnings(logger)
    return report


def write_metrics(report: ValidationReport, synthetic: bool, path: str | Path, summary: str | Path) -> Path:
    """Write the stage's headline metrics to ``path`` (:meth:`ValidationReport.to_metrics`) and
    the counts with every failed warning to ``summary`` (:meth:`ValidationReport.to_summary`)."""
    path = Path(path)
    atomic_write_text(json.dumps(report.to_summary(synthetic), indent=2, sort_keys=True) + "\n", Path(summary))
    atomic_write_text(json.dumps(report.to_metrics(synthetic), indent=2, sort_keys=True) + "\n", path)
    logger.info(
        "%s: %d expectations, %d passed, %d critical and %d warning failures -> %s, %s",
        report.name, report.expectations, report.passed, report.failed_critical, report.failed_warning, path, summary,
    )
    return path
