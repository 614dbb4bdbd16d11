"""Pilots as plain records for the report notebooks (the ``reports:`` section of the parameters
is :class:`aoresearch.config.reports.ReportSettings`, ``params.reports``).

Papermill passes only JSON-like values to a notebook, so the entry script turns the frozen
:class:`~aoresearch.config.Pilot` records into dicts (:func:`pilot_records`) and the notebook
turns them back (:func:`pilots_from_records`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Iterable, Mapping, Sequence

from aoresearch.config import Pilot
from aoresearch.errors import ParameterError

__all__ = [
    "pilot_records",
    "pilots_from_records",
    "select_pilots",
]


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
