"""Every error the package raises, in one flat module.

Each class also derives from a builtin so that callers catching ``ValueError`` or
``RuntimeError`` keep working.
"""

__all__ = [
    "AoresearchError",
    "ParameterError",
    "CatalogueError",
    "RawDataError",
    "PanelStructureError",
    "InsufficientDataError",
    "DataSourceError",
    "SourceUnavailableError",
    "UnknownIndicatorError",
    "ValidationFailedError",
    "StoredValidationError",
    "NotValidatedError",
    "EstimationError",
    "NotFittedError",
    "ReportRenderError",
]


class AoresearchError(Exception):
    """Base class of every error raised by aoresearch."""


class ParameterError(AoresearchError, ValueError):
    """A parameter (params.yaml key or function argument) has an invalid value."""


class CatalogueError(AoresearchError, ValueError):
    """The indicator catalogue is malformed or refers to an unknown indicator."""


class RawDataError(AoresearchError, ValueError):
    """A raw input file cannot be read or does not have the Sotkanet long schema."""


class PanelStructureError(AoresearchError, ValueError):
    """A region-year panel breaks its structural contract (keys, years, regions)."""


class InsufficientDataError(PanelStructureError):
    """Too few regions, years or observations for the requested analysis."""


class DataSourceError(AoresearchError, RuntimeError):
    """A data source failed to deliver a complete data set."""


class SourceUnavailableError(DataSourceError):
    """The data source could not be reached (offline, timeouts, repeated 5xx)."""


class UnknownIndicatorError(DataSourceError, LookupError):
    """The data source does not know the requested indicator id."""


class ValidationFailedError(AoresearchError, RuntimeError):
    """Data failed a critical expectation; the pipeline must stop."""


class StoredValidationError(AoresearchError, FileNotFoundError):
    """A suite, Validation Definition or Checkpoint a validate stage runs is not stored in gx/."""


class NotValidatedError(ValidationFailedError):
    """A stage was asked to read data without a current success marker of its validate stage."""


class EstimationError(AoresearchError, RuntimeError):
    """A model or estimator failed to produce a result (no convergence, singular design)."""


class NotFittedError(AoresearchError, ValueError, AttributeError):
    """An estimator was used before ``fit`` was called."""


class ReportRenderError(AoresearchError, RuntimeError):
    """A report notebook failed to execute or export; the previous outputs were left unchanged."""
