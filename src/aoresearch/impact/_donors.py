"""Donor pools: comparable regions that the treatment cannot have reached.

A donor must be of the treated unit's region category, must not be a pilot itself, and must
not contain or lie inside any pilot (Abadie et al. 2010 require donors unaffected by the
intervention; a county containing a pilot municipality is partly treated).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

import pandas as pd

from aoresearch.errors import InsufficientDataError, ParameterError
from aoresearch.impact._checks import check_columns, check_frame, format_list

__all__ = ["donor_pool"]

OWNER = "donor_pool"
MIN_DONORS = 2


def donor_pool(
    regions: pd.DataFrame,
    treated: Hashable,
    pilots: Iterable[Hashable],
    category: str,
    contains_map: Mapping[Hashable, Iterable[Hashable]],
    *,
    id_column: str = "id",
    category_column: str = "category",
) -> list:
    """Donor ids for ``treated``.

    Parameters
    ----------
    regions : DataFrame
        Region table (Sotkanet ``regions``: columns ``id``, ``category``, ...).
    treated : hashable
        Id of the treated pilot.
    pilots : iterable
        Ids of all pilots (the treated one may be included).
    category : str
        Region category of the pool, e.g. ``"KUNTA"``; ``treated`` must belong to it.
    contains_map : mapping
        ``{pilot id: ids of units inside it or containing it}``, in any category (from
        ``params.yaml``'s ``within``/``contains``); all of them are excluded.
    id_column, category_column : str
        Column names in ``regions``.

    Returns
    -------
    list
        Sorted donor ids.

    Raises
    ------
    ParameterError
        ``treated`` not a region of ``category``, or ``contains_map`` keyed by a non-pilot.
    PanelStructureError
        ``regions`` lacks the id or category column.
    InsufficientDataError
        Fewer than two donors remain.
    """
    regions = check_frame(regions, OWNER)
    check_columns(regions, {"region id": id_column, "category": category_column}, OWNER, what="regions table")
    pilot_ids = set(pilots) | {treated}
    in_category = regions.loc[regions[category_column] == category, id_column]
    if treated not in set(in_category):
        raise ParameterError(f"{OWNER}: treated unit {treated!r} is not a region of category {category!r} in 'regions'.")
    strangers = [key for key in contains_map if key not in pilot_ids]
    if strangers:
        raise ParameterError(f"{OWNER}: 'contains_map' has keys {format_list(strangers)} that are not pilots; key it by pilot id.")
    linked = {unit for units in contains_map.values() for unit in units}
    donors = sorted(set(in_category) - pilot_ids - linked)
    if len(donors) < MIN_DONORS:
        raise InsufficientDataError(
            f"{OWNER}: only {len(donors)} donors of category {category!r} remain for {treated!r} after excluding "
            f"pilots and the units linked to them; at least {MIN_DONORS} are needed."
        )
    return donors
