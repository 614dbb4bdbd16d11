"""Notices on the region categories an indicator has rows for, against its catalogue ``levels``.

Sotkanet publishes some indicators only for some region categories (psychiatric inpatient care
periods 2557-2559: not for municipalities). That is not an error of the source: the ingest
notes it, the panel of such a category has no column for the indicator, and data validation
expects no rows there (see :mod:`aoresearch.panel.build` and ``validation.derived.indicator_coverage``).
"""

from __future__ import annotations

import pandas as pd

from aoresearch.catalogue import Catalogue

__all__ = ["level_notices"]


def level_notices(observations: pd.DataFrame, regions: pd.DataFrame, catalogue: Catalogue) -> list[str]:
    """Notices comparing each catalogue indicator's rows per region category with its ``levels``.

    Only categories that hold rows of some indicator are compared, so an extract of
    municipalities alone gives no notice about the country level. Per indicator with rows:
    categories its levels leave out (as expected, no rows; or rows anyway, kept) and categories
    its levels list that have no row of it.

    Parameters
    ----------
    observations : DataFrame
        Long rows with at least ``indicator`` and ``region``.
    regions : DataFrame
        Region table with ``id`` and ``category``.
    catalogue : Catalogue
    """
    category = observations["region"].map(regions.set_index("id")["category"])
    pairs = pd.DataFrame({"indicator": observations["indicator"], "category": category}).dropna().drop_duplicates()
    # A region without a category (e.g. id 730 in the real extract's regions.csv) is no category to
    # compare: validate_raw warns about it (raw_regions.category_not_empty).
    pairs = pairs[pairs["category"].astype(str).str.strip() != ""]
    seen = set(pairs["category"])
    by_indicator = pairs.groupby("indicator")["category"].agg(set)
    notices = []
    for indicator in catalogue.indicators:
        if indicator.raw_id not in by_indicator.index:
            continue
        has = by_indicator[indicator.raw_id]
        label = f"indicator {indicator.raw_id} ({indicator.key})"
        left_out = sorted(c for c in seen if not indicator.published_for(c))
        unexpected = [c for c in left_out if c in has]
        absent = [c for c in left_out if c not in has]
        if absent:
            notices.append(f"{label} is published only for {', '.join(indicator.levels)} (catalogue levels): "
                           f"no rows for {', '.join(absent)}, as expected; panels of those categories have no column for it")
        if unexpected:
            notices.append(f"{label} has rows for {', '.join(unexpected)}, which its catalogue levels leave out; "
                           f"kept. Add them to its levels if Sotkanet now publishes them")
        missing = sorted(c for c in seen if indicator.published_for(c) and c not in has)
        if missing:
            notices.append(f"{label} has no rows for {', '.join(missing)}, although its catalogue levels list them; "
                           f"check its levels with python -m aoresearch.sources.search_indicators")
    return notices
