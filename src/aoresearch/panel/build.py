"""Raw long data to a region-year panel of counts and rates.

One row per (region, year) of one region category. Columns:
``region``, ``region_name``, ``category``, ``year``; one column per catalogue indicator
(named by its key, holding the value the catalogue selects, gender ``total``); for each
indicator Sotkanet suppresses, ``<key>_imputed`` (True where a suppressed small count was
filled in); one column per catalogue rate, and ``<rate>_imputed`` (True where the rate's
numerator was filled in).

Suppressed cells
----------------
Sotkanet publishes no number where fewer than ``suppressed_below`` (6) events occurred, so a
missing row means a count in 0-5. A cell is treated as suppressed when the region has data
that year and the indicator was published for the category that year; it is then filled
according to ``method``: ``midpoint`` 2.5, ``lower`` 0, ``upper`` 5 (the bounds of 0-5), or
``missing`` (left NaN, still flagged). Outside those conditions a missing cell stays NaN,
unflagged: the series was not published.

Indicators published only for some region categories
-----------------------------------------------------
An indicator whose catalogue ``levels`` leave out ``category`` and that has no row of that
category gets no column in the panel, nor do the rates formed from it (or from such a
denominator): e.g. the municipality panel has no psychiatric inpatient care periods (2557-2559),
which Sotkanet publishes only above the municipality level. A logged notice names each one
(:func:`unpublished_notices`); rows that exist despite the levels are kept.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Literal

import numpy as np
import pandas as pd

from aoresearch.catalogue import Catalogue, Indicator, Rate
from aoresearch.config import check_choice
from aoresearch.errors import PanelStructureError
from aoresearch.sources.raw import RawData

__all__ = ["build_panel", "SuppressionMethod", "KEY_COLUMNS", "unpublished_indicators", "unpublished_notices"]

logger = logging.getLogger(__name__)

SuppressionMethod = Literal["midpoint", "lower", "upper", "missing"]
KEY_COLUMNS = ("region", "year")


_YEAR_SPAN = 10_000  # region * _YEAR_SPAN + year: one integer per region-year, in region-then-year order


def build_panel(raw: RawData, catalogue: Catalogue, category: str, suppression: SuppressionMethod) -> pd.DataFrame:
    """Build the region-year panel of one region category.

    Parameters
    ----------
    raw : RawData
        Long observations, region table and provenance.
    catalogue : Catalogue
        Which indicators become columns and how rates are formed.
    category : str
        Sotkanet region category, e.g. ``"KUNTA"`` or ``"HYVINVOINTIALUE"``.
    suppression : {"midpoint", "lower", "upper", "missing"}
        How suppressed small counts are filled in (see module docstring).

    Returns
    -------
    DataFrame, shape (n_region_years, n_columns)
        Sorted by region and year.

    Raises
    ------
    PanelStructureError
        If no region of ``category`` has observations.
    """
    check_choice(suppression, SuppressionMethod, "suppression", "build_panel")
    regions = raw.regions.loc[raw.regions["category"] == category, ["id", "title_fi", "category"]]
    obs = raw.observations
    obs = obs[(obs["gender"] == "total") & obs["region"].isin(regions["id"])]
    if obs.empty:
        known = sorted(set(raw.regions["category"]) - {""})
        raise PanelStructureError(f"no observations for region category '{category}'; categories in the region table: {known}.")
    for notice in unpublished_notices(catalogue, category, obs):
        logger.warning(notice)
    catalogue = _published_part(catalogue, unpublished_indicators(catalogue, category, obs))
    wide = _wide_values(obs, catalogue)
    frame = _fill_suppressed(wide, obs, catalogue, suppression)
    frame = _add_rates(frame, catalogue)
    names = regions.rename(columns={"id": "region", "title_fi": "region_name"})
    frame = frame.reset_index().merge(names, on="region", how="left")
    leading = ["region", "region_name", "category", "year"]
    return frame[leading + [c for c in frame.columns if c not in leading]].sort_values(list(KEY_COLUMNS)).reset_index(drop=True)


def unpublished_indicators(catalogue: Catalogue, category: str, obs: pd.DataFrame) -> tuple[Indicator, ...]:
    """Entries not published for ``category`` (catalogue ``levels``) with no row in ``obs``
    (the observations of that category's regions): the panel has no column for them."""
    present = set(obs["indicator"].unique())
    return tuple(i for i in catalogue.not_published_for(category) if i.raw_id not in present)


def unpublished_notices(catalogue: Catalogue, category: str, obs: pd.DataFrame) -> list[str]:
    """One notice per indicator left out of ``category``'s panel, naming its rate columns and
    its levels; one per indicator with rows that its levels do not list (kept)."""
    notices = []
    for indicator in unpublished_indicators(catalogue, category, obs):
        columns = [r.column for r in catalogue.rates if r.indicator == indicator.key or indicator.raw_id in r.denominators]
        what = f"; no column {indicator.key}" + (f" nor rate {', '.join(columns)}" if columns else "")
        notices.append(
            f"indicator {indicator.raw_id} ({indicator.key}) is not published for {category} "
            f"(catalogue levels: {', '.join(indicator.levels)}){what} in the {category} panel"
        )
    present = set(obs["indicator"].unique())
    for indicator in catalogue.not_published_for(category):
        if indicator.raw_id in present:
            notices.append(
                f"indicator {indicator.raw_id} ({indicator.key}) has {category} rows although its catalogue levels "
                f"({', '.join(indicator.levels)}) leave {category} out; kept. Add {category} to its levels."
            )
    return notices


def _published_part(catalogue: Catalogue, unpublished: tuple[Indicator, ...]) -> Catalogue:
    """``catalogue`` without ``unpublished`` and without the rates that need one of them."""
    if not unpublished:
        return catalogue
    gone = {i.key for i in unpublished}
    ids = {i.raw_id for i in unpublished}
    kept = tuple(
        replace(i, rates=tuple(r for r in i.rates if not ids & set(r.denominators)))
        for i in catalogue.indicators if i.key not in gone
    )
    return replace(catalogue, indicators=kept)


def _wide_values(obs: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Pivot to one column per indicator key; index (region, year) = every region-year with data.

    Each indicator's own value field (``value`` or ``abs_value``) is placed by integer codes in one
    pass (a per-indicator filter and reindex took most of a panel's build time).

    Raises
    ------
    PanelStructureError
        If an indicator has more than one observation for a region and year.
    """
    regions, years = obs["region"].to_numpy(np.int64), obs["year"].to_numpy(np.int64)
    keys, row = np.unique(regions * _YEAR_SPAN + years, return_inverse=True)  # sorted: region, then year
    ids = [i.raw_id for i in catalogue.indicators]
    column = pd.Index(ids).get_indexer(obs["indicator"])
    uses_abs = np.isin(column, [n for n, i in enumerate(catalogue.indicators) if i.value_column == "abs_value"])
    cell = np.where(uses_abs, obs["abs_value"].to_numpy(np.float64), obs["value"].to_numpy(np.float64))
    kept = column >= 0
    row, column, cell = row[kept], column[kept], cell[kept]
    flat = np.sort(row * len(ids) + column)
    repeated = flat[1:][flat[1:] == flat[:-1]]
    if len(repeated):
        first = repeated[0]
        region, year = divmod(int(keys[first // len(ids)]), _YEAR_SPAN)
        raise PanelStructureError(f"indicator {ids[first % len(ids)]} has more than one observation for region {region} "
                                  f"in {year} (gender total); the raw data should have one per region, year and gender.")
    values = np.full((len(keys), len(ids)), np.nan)
    values[row, column] = cell
    index = pd.MultiIndex.from_arrays([keys // _YEAR_SPAN, keys % _YEAR_SPAN], names=["region", "year"])
    return pd.DataFrame(values, index=index, columns=[i.key for i in catalogue.indicators])


def _fill_suppressed(wide: pd.DataFrame, obs: pd.DataFrame, catalogue: Catalogue, method: SuppressionMethod) -> pd.DataFrame:
    fill = {"midpoint": 2.5, "lower": 0.0, "upper": 5.0, "missing": np.nan}[method]
    years = wide.index.get_level_values("year")
    out = wide.copy()
    for indicator in _suppressible(catalogue):
        published = obs.loc[obs["indicator"] == indicator.raw_id, "year"].unique()
        suppressed = out[indicator.key].isna() & np.isin(years, published)
        out[indicator.key] = out[indicator.key].where(~suppressed, fill)
        out[f"{indicator.key}_imputed"] = suppressed
    return out


def _suppressible(catalogue: Catalogue) -> tuple[Indicator, ...]:
    return tuple(i for i in catalogue.indicators if i.suppressed_below and i.value == "absolute")


def _add_rates(frame: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    rates = {rate.column: _rate_values(frame, catalogue, rate) for rate in catalogue.rates}
    flags = {
        f"{rate.column}_imputed": frame[f"{rate.indicator}_imputed"]
        for rate in catalogue.rates
        if f"{rate.indicator}_imputed" in frame
    }
    return pd.concat([frame, pd.DataFrame(rates, index=frame.index), pd.DataFrame(flags, index=frame.index)], axis=1)


def _rate_values(frame: pd.DataFrame, catalogue: Catalogue, rate: Rate) -> pd.Series:
    numerator = frame[rate.indicator]
    if not rate.denominators:
        return numerator * rate.per
    keys = [catalogue.by_raw_id(d).key for d in rate.denominators]
    denominator = frame[keys].sum(axis=1, min_count=len(keys))
    return (numerator / denominator.where(denominator > 0)) * rate.per
