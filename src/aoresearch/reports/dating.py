"""What a report says about when it was made: a fact of the data, never the run date.

A report rendered twice from the same inputs must be byte-identical (DVC hashes it), so the
date shown comes from the raw data's provenance record: the date real data were retrieved,
or, for synthetic demo data, the seed they were generated from.
"""

from __future__ import annotations

from typing import Any, Mapping

from aoresearch.reports.i18n import t

__all__ = ["retrieval_date", "report_basis"]

_RETRIEVAL_KEYS = ("retrieved_at", "retrieved", "fetched_at")


def retrieval_date(provenance: Mapping[str, Any] | None) -> str | None:
    """When the raw data were retrieved, as recorded in their provenance (None if not recorded).

    The retrieval time stamp of an API download, else the latest modification time of the files
    of a local extract.
    """
    if not provenance:
        return None
    for key in _RETRIEVAL_KEYS:
        if provenance.get(key):
            return str(provenance[key])
    modified = [f.get("modified") for f in (provenance.get("files") or {}).values() if isinstance(f, dict)]
    return max((m for m in modified if m), default=None)


def report_basis(provenance: Mapping[str, Any] | None, lang: str) -> str:
    """The data a report was generated from, in words: retrieval date or demo seed, no run date.

    Parameters
    ----------
    provenance : mapping or None
        The raw data's ``provenance.json`` (:func:`aoresearch.reports.read_provenance`).
    lang : {"en", "fi"}

    Returns
    -------
    str
        E.g. "from data retrieved 2025-03-01" or "by the pipeline from synthetic demo data
        (seed 20240601); no run date is recorded".
    """
    if provenance and provenance.get("synthetic"):
        seed = provenance.get("seed")
        return t("basis_seed", lang, seed=seed) if seed is not None else t("basis_synthetic", lang)
    date = retrieval_date(provenance)
    return t("basis_retrieved", lang, date=date) if date else t("basis_unknown", lang)
