"""The ``validation`` section of ``params.yaml`` as a frozen record, parsed once at load time.

:func:`aoresearch.validation.validation_config` joins it with the shared keys (years, panels,
pilots) and the current year into what the expectations compare against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from aoresearch.errors import ParameterError

__all__ = ["ValidationSettings", "parse_validation_settings"]


@dataclass(frozen=True)
class ValidationSettings:
    """Thresholds of the Great Expectations suites (``params.yaml: validation``).

    Attributes
    ----------
    region_categories : tuple of str
        Region categories the region table may hold (``validation.region_categories``).
    min_denominator : float
        Rates over fewer persons are noisy: out of bounds there is a warning, not critical.
    gender_tolerance : float
        Largest ``|total - (female + male)|`` accepted for counts.
    examples : int
        Offending rows shown per failed expectation (at most 5 in messages).
    max_count : float
        Largest plausible count of persons, children or families of one region and year.
    max_count_change : float
        Largest plausible year-on-year change factor of a population or family count.
    change_base : float
        Year-on-year changes are checked only where the previous count is at least this.
    max_percent_change : float
        Largest plausible year-on-year change of a percentage, in percentage points.
    max_missing_share : float
        Largest share of an indicator's rows with an empty value field.
    n_jobs : int
        Worker processes running the Checkpoints (1: in the stage's process); the outputs do not
        depend on it (:mod:`aoresearch.validation.workers`).
    """

    region_categories: tuple[str, ...]
    min_denominator: float = 10000.0
    gender_tolerance: float = 0.5
    examples: int = 5
    max_count: float = 2_500_000.0
    max_count_change: float = 3.0
    change_base: float = 100.0
    max_percent_change: float = 25.0
    max_missing_share: float = 0.1
    n_jobs: int = 2


def parse_validation_settings(section: Mapping[str, Any] | None, origin: str = "params.yaml") -> ValidationSettings:
    """Build :class:`ValidationSettings` from the ``validation`` mapping (defaults for absent keys
    but ``region_categories``).

    Raises
    ------
    ParameterError
        If the section is missing or a value has the wrong type.
    """
    if not isinstance(section, Mapping):
        raise ParameterError(f"{origin}: missing mapping 'validation' (region_categories, min_denominator, gender_tolerance, examples).")
    try:
        settings = ValidationSettings(
            region_categories=tuple(str(c) for c in section["region_categories"]),
            min_denominator=float(section.get("min_denominator", 10000)),
            gender_tolerance=float(section.get("gender_tolerance", 0.5)),
            examples=int(section.get("examples", 5)),
            max_count=float(section.get("max_count", 2_500_000)),
            max_count_change=float(section.get("max_count_change", 3.0)),
            change_base=float(section.get("change_base", 100)),
            max_percent_change=float(section.get("max_percent_change", 25)),
            max_missing_share=float(section.get("max_missing_share", 0.1)),
            n_jobs=int(section.get("n_jobs", 2)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ParameterError(f"{origin}: invalid 'validation' section ({exc!r}).") from exc
    if settings.n_jobs < 1:
        raise ParameterError(f"{origin}: validation.n_jobs must be at least 1 (1: no worker processes), got {settings.n_jobs}.")
    return settings
