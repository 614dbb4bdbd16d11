"""The ``reports`` section of ``params.yaml`` as a frozen record, parsed once at load time.

The report languages live here (not in :mod:`aoresearch.reports.i18n`, which holds the
messages) so that parsing the parameters imports no report code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping

from aoresearch.config.core import check_choice
from aoresearch.errors import ParameterError

__all__ = ["Language", "LANGUAGES", "ReportSettings", "DEFAULT_REPORT_SETTINGS", "check_language", "parse_report_settings"]

Language = Literal["en", "fi"]
LANGUAGES: tuple[str, ...] = ("en", "fi")


@dataclass(frozen=True)
class ReportSettings:
    """Settings of every funder-facing report.

    Attributes
    ----------
    language : {"en", "fi"}
        Language of headings, labels and summary sentences.
    min_children : int
        Regions with fewer children aged 0-17 are not shown individually.
    small_count_max : int
        Counts from 1 to this value are shown as ``"<{small_count_max + 1}"`` (Sotkanet: 5).
    """

    language: str = "en"
    min_children: int = 1000
    small_count_max: int = 5


DEFAULT_REPORT_SETTINGS = ReportSettings()


def check_language(lang: object) -> str:
    """Return ``lang`` if it is a supported report language.

    Raises
    ------
    ParameterError
        If ``lang`` is not ``"en"`` or ``"fi"``; the message names ``reports.language``.
    """
    return check_choice(lang, Language, "reports.language", "params.yaml")


def parse_report_settings(section: Mapping[str, Any] | None) -> ReportSettings:
    """Build :class:`ReportSettings` from the ``reports:`` mapping of ``params.yaml`` (None: defaults).

    Raises
    ------
    ParameterError
        If ``reports.language`` is not ``en``/``fi``, ``reports.min_children`` is not a
        non-negative whole number or ``reports.small_count_max`` is below 5.
    """
    section = section or {}
    if not isinstance(section, Mapping):
        raise ParameterError(f"params.yaml: 'reports' must be a mapping, got {type(section).__name__}.")
    language = check_language(section.get("language", DEFAULT_REPORT_SETTINGS.language))
    min_children = section.get("min_children", DEFAULT_REPORT_SETTINGS.min_children)
    if isinstance(min_children, bool) or not isinstance(min_children, int) or min_children < 0:
        raise ParameterError(
            f"The 'reports.min_children' parameter of params.yaml must be a whole number >= 0. Got {min_children!r} instead."
        )
    small = section.get("small_count_max", DEFAULT_REPORT_SETTINGS.small_count_max)
    if isinstance(small, bool) or not isinstance(small, int) or small < 5:
        raise ParameterError(
            "The 'reports.small_count_max' parameter of params.yaml must be a whole number >= 5 "
            f"(Sotkanet suppresses counts 1-5). Got {small!r} instead."
        )
    return ReportSettings(language=language, min_children=min_children, small_count_max=small)
