"""Data validation with Great Expectations: the raw data set and the region-year panels.

Critical expectations stop the pipeline (:class:`~aoresearch.errors.ValidationFailedError`),
warnings are logged and counted in the metrics JSON. A passed validation publishes a success
marker that every consumer checks (:mod:`aoresearch.validation.gate`). See ``docs/validation.md``.
"""

from aoresearch.validation.gate import (
    PANELS_MARKER,
    RAW_MARKER,
    RECOVERY,
    Gate,
    panel_files,
    panels_gate,
    publish,
    raw_gate,
    require_validated,
    revoke,
)
from aoresearch.validation.report import CRITICAL, WARNING, ExpectationOutcome, ValidationReport
from aoresearch.validation.rules import Target
from aoresearch.validation.runner import load_site_config, run_targets, write_suites
from aoresearch.validation.stage import validate_panels, validate_raw, write_metrics
from aoresearch.validation.suites import ValidationConfig, panel_targets, raw_targets, validation_config

__all__ = [
    "CRITICAL",
    "WARNING",
    "ExpectationOutcome",
    "ValidationReport",
    "Target",
    "ValidationConfig",
    "validation_config",
    "raw_targets",
    "panel_targets",
    "run_targets",
    "load_site_config",
    "write_suites",
    "validate_raw",
    "validate_panels",
    "write_metrics",
    "Gate",
    "RAW_MARKER",
    "PANELS_MARKER",
    "RECOVERY",
    "raw_gate",
    "panels_gate",
    "panel_files",
    "publish",
    "revoke",
    "require_validated",
]
