"""The ``reports:`` section of the parameters, as a frozen record, and pilots as plain records.

Papermill passes only JSON-like values to a notebook, so the entry script turns the frozen
:class:`~aoresearch.config.Pilot` records into dicts (:func:`pilot_records`) and the notebook
turns them back (:func:`pilots_from_records`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable, Mapping, Sequence

from aoresearch.config import Params, Pilot
from aoresearch.errors import ParameterError
from aoresearch.reports.i18n import check_language

__all__ = [
    "ReportSettings",
    "DEFAULT_REPORT_SETTINGS",
    "report_settings",
    "parse_report_settings",
    "pilot_records",
    "pilots_from_records",
    "select_pilots",
]


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


def report_settings(params: Params) -> ReportSettings:
    """Read the ``reports:`` section of ``params`` (defaults where it or a key is absent).

    Raises
    ------
    ParameterError
        As :func:`parse_report_settings`.
    """
    return parse_report_settings(params.raw.get("reports"))


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


def pilot_records(pilots: Iterable[Pilot]) -> list[dict[str, Any]]:
    """Pilots as JSON-like dicts (the fields of :class:`Pilot`) for a papermill parameter."""
    return [{**asdict(p), "within": list(p.within)} for p in pilots]


def pilots_from_records(records: Sequence[Mapping[str, Any]]) -> tuple[Pilot, ...]:
    """Inverse of :func:`pilot_records`.

    Raises
    ------
    ParameterError
        If a record lacks a field of :class:`Pilot` or has an unknown one.
    """
    pilots = []
    for n, record in enumerate(records):
        try:
            pilots.append(Pilot(**{**record, "within": tuple(record.get("within", ()))}))
        except TypeError as exc:
            raise ParameterError(f"pilots[{n}] is not a pilot record ({exc}); build it with pilot_records().") from exc
    return tuple(pilots)


def select_pilots(pilots: Sequence[Pilot], regions: Sequence[str | int] | None) -> tuple[Pilot, ...]:
    """The pilots named in ``regions`` (pilot keys or Sotkanet region ids), in that order.

    An empty or missing ``regions`` selects every pilot.

    Raises
    ------
    ParameterError
        If an entry of ``regions`` is neither a pilot key nor a pilot's region id.
    """
    if not regions:
        return tuple(pilots)
    by_key = {p.key: p for p in pilots}
    by_id = {str(p.region): p for p in pilots}
    chosen = []
    for entry in regions:
        pilot = by_key.get(str(entry)) or by_id.get(str(entry))
        if pilot is None:
            raise ParameterError(
                f"The 'regions' parameter names {entry!r}, which is not a pilot. "
                f"Use pilot keys {sorted(by_key)} or region ids {sorted(int(i) for i in by_id)}."
            )
        if pilot not in chosen:
            chosen.append(pilot)
    return tuple(chosen)
