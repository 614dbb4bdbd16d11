"""Data validation with Great Expectations: the raw data set and the region-year panels.

Critical expectations stop the pipeline (:class:`~aoresearch.errors.ValidationFailedError`),
warnings are logged and counted in the metrics JSON. A passed validation publishes a success
marker that every consumer checks (:mod:`aoresearch.validation.gate`). See ``docs/validation.md``.
"""

from importlib import import_module

# Names are loaded on first use (PEP 562): the gate is read by every consumer stage, and
# importing Great Expectations (the runner and suites) costs about 6 s that only the validate
# stages need (benchmarks/impact_pipeline.py: a baseline impact stage took 15 s instead of 5 s).
_HOME = {
    "gate": ("PANELS_MARKER", "RAW_MARKER", "RECOVERY", "Gate", "panel_files", "panels_gate", "publish", "raw_gate",
             "require_validated", "revoke"),
    "report": ("CRITICAL", "WARNING", "ExpectationOutcome", "StoredChange", "ValidationReport"),
    "rules": ("Target",),
    "runner": ("run_targets",),
    "stage": ("validate_panels", "validate_raw", "write_metrics"),
    "store": ("DataDocsSite", "load_site_config", "write_suites"),
    "suites": ("ValidationConfig", "panel_targets", "raw_targets", "validation_config"),
}
_MODULE = {name: module for module, names in _HOME.items() for name in names}


def __getattr__(name: str):
    if name not in _MODULE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_MODULE[name]}"), name)
    globals()[name] = value
    return value


__all__ = [name for names in _HOME.values() for name in names]
