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
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from aoresearch.catalogue import Catalogue, Indicator, Rate
from aoresearch.config import check_choice
from aoresearch.errors import PanelStructureError
from aoresearch.sources.raw import RawData

__all__ = ["build_panel", "SuppressionMethod", "KEY_COLUMNS"]

SuppressionMethod = Literal["midpoint", "lower", "upper", "missing"]
KEY_COLUMNS = ("region", "year")


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
    wide = _wide_values(obs, catalogue)
    frame = _fill_suppressed(wide, obs, catalogue, suppression)
    frame = _add_rates(frame, catalogue)
    names = regions.rename(columns={"id": "region", "title_fi": "region_name"})
    frame = frame.reset_index().merge(names, on="region", how="left")
    leading = ["region", "region_name", "category", "year"]
    return frame[leading + [c for c in frame.columns if c not in leading]].sort_values(list(KEY_COLUMNS)).reset_index(drop=True)


def _wide_values(obs: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Pivot to one column per indicator key; index (region, year) = every region-year with data."""
    index = pd.MultiIndex.from_frame(obs[["region", "year"]].drop_duplicates().sort_values(["region", "year"]))
    columns = {}
    for indicator in catalogue.indicators:
        rows = obs[obs["indicator"] == indicator.raw_id]
        series = rows.set_index(["region", "year"])[indicator.value_column]
        columns[indicator.key] = series.reindex(index)
    return pd.DataFrame(columns, index=index)


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
