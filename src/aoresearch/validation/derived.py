"""Frames derived from the raw data and the panels for rules Great Expectations has no
built-in expectation for.

Each function is pure and vectorised: it turns a rule such as "placements never exceed the
number of children" into one row per checked cell with a column that a built-in expectation can
test (``excess`` between -inf and 0), so the rule still appears in Data Docs with its offending
rows.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from aoresearch.catalogue import Catalogue, Rate
from aoresearch.config import Pilot
from aoresearch.validation.rules import count_indicators, suppressible

__all__ = [
    "first_per_key",
    "indicator_coverage",
    "future_years",
    "count_changes",
    "percent_changes",
    "count_values",
    "region_links",
    "gender_totals",
    "raw_ratios",
    "region_series",
    "indicator_gaps",
    "raw_pilots",
    "rate_cells",
    "panel_ratios",
    "panel_pilots",
]

_RATE_ORDER = ["rate", "region", "year"]
_KEY = ["indicator", "region", "year", "gender"]


def first_per_key(obs: pd.DataFrame) -> pd.DataFrame:
    """``obs`` with one row per (indicator, region, year, gender): the first of duplicated keys.

    The frames below pivot and align on that key, which fails on duplicates ("cannot handle a
    non-unique multi-index"); the duplicates themselves are reported by the ``unique_key``
    expectation on the observations, so the derived checks run on the first row of each key.
    """
    duplicated = obs.duplicated(_KEY)
    return obs[~duplicated].reset_index(drop=True) if duplicated.any() else obs


def indicator_coverage(
    obs: pd.DataFrame, catalogue: Catalogue, expected: Iterable[int],
    regions: pd.DataFrame | None = None, categories: Iterable[str] = (),
) -> pd.DataFrame:
    """Rows and missing values of each expected catalogue indicator, per region category its
    catalogue ``levels`` list, in the column it is read from.

    Parameters
    ----------
    obs : DataFrame
        Long observations.
    catalogue : Catalogue
    expected : iterable of int
        Raw ids the source should deliver.
    regions : DataFrame, optional
        Region table (``id``, ``category``); needed with ``categories``.
    categories : iterable of str
        Region categories to count separately (the panels'); of these, only those an
        indicator's ``levels`` list are expected to hold its rows. An indicator whose levels
        list none of them is not expected at all (a source asked for these categories cannot
        deliver it; e.g. psychiatric inpatient periods, published from the hospital-district
        level up, in a world of municipalities and wellbeing services counties) and gets no
        row. Without categories, one row per indicator with ``category`` "".

    Returns
    -------
    DataFrame, shape (n_rows, 8)
        ``indicator, key, category, value_column, rows, indicator_rows, missing, missing_share``;
        ``rows`` of the category, ``indicator_rows`` of all categories; ``missing`` counts empty
        cells of ``value_column`` (``abs_value`` or ``value``, as the catalogue says);
        ``missing_share`` is 1 for an indicator without any row and empty for a category without
        rows of an indicator that has rows elsewhere (``rows`` 0 reports that).
    """
    categories = list(categories)
    category = obs["region"].map(regions.set_index("id")["category"]) if regions is not None and categories else None
    rows = []
    for raw_id in sorted(set(int(i) for i in expected)):
        indicator = catalogue.by_raw_id(raw_id)
        mine = obs["indicator"] == raw_id
        total = int(mine.sum())
        parts = [(c, mine & (category == c)) for c in categories if indicator.published_for(c)] if category is not None else []
        if category is not None and not parts and total == 0:
            continue  # published for none of the categories asked for, and not delivered: not expected
        for name, selected in parts or [("", mine)]:
            count = int(selected.sum())
            missing = int(obs.loc[selected, indicator.value_column].isna().sum()) if count else 0
            share = missing / count if count else (1.0 if total == 0 else np.nan)
            rows.append((raw_id, indicator.key, name, indicator.value_column, count, total, missing, share))
    columns = ["indicator", "key", "category", "value_column", "rows", "indicator_rows", "missing", "missing_share"]
    return pd.DataFrame(rows, columns=columns)


def future_years(obs: pd.DataFrame, current_year: int) -> pd.DataFrame:
    """Years of each indicator, with how far each lies after ``current_year``.

    Returns
    -------
    DataFrame, shape (n_indicator_years, 5)
        ``indicator, year, region, rows, years_after_current``; ``region`` is the first region
        with the indicator that year (an example for messages), ``years_after_current`` is
        ``year - current_year`` (positive: a year that cannot have been observed yet).
    """
    frame = obs.groupby(["indicator", "year"], sort=True).agg(region=("region", "first"), rows=("region", "size")).reset_index()
    frame["years_after_current"] = frame["year"] - int(current_year)
    return frame[["indicator", "year", "region", "rows", "years_after_current"]]


def _total_series(obs: pd.DataFrame, catalogue: Catalogue, ids: Iterable[int]) -> pd.DataFrame:
    """Gender-total values of ``ids`` with the previous year's value of the same series.

    Returns ``indicator, region, year, previous, value`` for consecutive years only.
    """
    parts = []
    totals = obs[obs["gender"] == "total"]  # one comparison of the string column, not one per indicator
    for raw_id in sorted(set(ids)):
        column = catalogue.by_raw_id(raw_id).value_column
        rows = totals.loc[totals["indicator"] == raw_id, ["indicator", "region", "year", column]]
        parts.append(rows.rename(columns={column: "value"}))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in ("indicator", "region", "year", "previous", "value")})
    frame = pd.concat(parts, ignore_index=True).dropna(subset=["value"]).sort_values(["indicator", "region", "year"], kind="stable")
    same = (frame["indicator"].diff() == 0) & (frame["region"].diff() == 0) & (frame["year"].diff() == 1)
    frame["previous"] = frame["value"].shift().where(same)
    return frame[same][["indicator", "region", "year", "previous", "value"]]


def _worst_per_series(frame: pd.DataFrame, column: str, columns: list[str]) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    worst = frame.loc[frame.groupby(["indicator", "region"], sort=True)[column].idxmax()]
    return worst[columns].reset_index(drop=True)


def count_changes(obs: pd.DataFrame, catalogue: Catalogue, ids: Iterable[int], base: float) -> pd.DataFrame:
    """The largest year-on-year change of each series (gender total) of the counts ``ids``.

    Only consecutive years where the previous count is at least ``base`` are compared: below it a
    change by a few persons is a large factor.

    Returns
    -------
    DataFrame, shape (n_series, 6)
        ``indicator, region, year, previous, value, change_factor`` with ``change_factor =
        max(previous, value) / max(min(previous, value), 1)``, for the year where it is largest.
    """
    frame = _total_series(obs, catalogue, ids)
    frame = frame[frame["previous"] >= base]
    low = np.maximum(np.minimum(frame["previous"], frame["value"]), 1.0)
    frame = frame.assign(change_factor=np.maximum(frame["previous"], frame["value"]) / low)
    return _worst_per_series(frame, "change_factor", ["indicator", "region", "year", "previous", "value", "change_factor"])


def percent_changes(obs: pd.DataFrame, catalogue: Catalogue, ids: Iterable[int]) -> pd.DataFrame:
    """The largest year-on-year change in percentage points of each series of percentages ``ids``.

    Returns
    -------
    DataFrame, shape (n_series, 6)
        ``indicator, region, year, previous, value, change_points`` (absolute change), for the
        year where it is largest.
    """
    frame = _total_series(obs, catalogue, ids)
    frame = frame.assign(change_points=(frame["value"] - frame["previous"]).abs())
    return _worst_per_series(frame, "change_points", ["indicator", "region", "year", "previous", "value", "change_points"])


def count_values(obs: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Rows of count indicators with the value the catalogue selects.

    Returns
    -------
    DataFrame, shape (n_count_rows, 6)
        ``indicator, region, year, gender, count, fraction`` (``fraction`` = count mod 1, 0 for a
        whole number); rows with an empty count are left out.
    """
    parts = []
    for column in ("value", "abs_value"):
        ids = [i.raw_id for i in count_indicators(catalogue) if i.value_column == column]
        rows = obs.loc[obs["indicator"].isin(ids) & obs[column].notna(), ["indicator", "region", "year", "gender", column]]
        parts.append(rows.rename(columns={column: "count"}))
    frame = pd.concat(parts, ignore_index=True)
    frame["fraction"] = np.mod(frame["count"].to_numpy(), 1.0)
    return frame


def region_links(obs: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """One row per region id in the observations: ``region, rows, in_region_table``."""
    counts = obs["region"].value_counts().sort_index()
    return pd.DataFrame(
        {"region": counts.index.astype("int64"), "rows": counts.to_numpy(), "in_region_table": counts.index.isin(regions["id"])}
    )


def gender_totals(obs: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Count indicators where total, female and male all exist for a region-year.

    Returns
    -------
    DataFrame, shape (n_cells, 7)
        ``indicator, region, year, total, female, male, difference`` with
        ``difference = |total - (female + male)|``.
    """
    frames = []
    for column in ("value", "abs_value"):
        ids = [i.raw_id for i in count_indicators(catalogue) if i.value_column == column and len(i.genders) > 1]
        rows = obs.loc[obs["indicator"].isin(ids) & obs[column].notna(), ["indicator", "region", "year", "gender", column]]
        if rows.empty:
            continue
        wide = rows.pivot_table(index=["indicator", "region", "year"], columns="gender", values=column, aggfunc="first")
        wide = wide.reindex(columns=["total", "female", "male"]).dropna()
        frames.append(wide.reset_index())
    columns = ["indicator", "region", "year", "total", "female", "male"]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns, dtype="float64")
    frame.columns.name = None
    frame["difference"] = (frame["total"] - frame["female"] - frame["male"]).abs()
    return frame[columns + ["difference"]]


def _wide_totals(obs: pd.DataFrame, catalogue: Catalogue, ids: Iterable[int]) -> pd.DataFrame:
    """Gender-total values, one column per indicator id, index (region, year)."""
    ids = sorted(set(ids))
    rows = obs[(obs["gender"] == "total") & obs["indicator"].isin(ids)]
    columns = {}
    for raw_id in ids:
        column = catalogue.by_raw_id(raw_id).value_column
        part = rows[rows["indicator"] == raw_id]
        columns[raw_id] = pd.Series(part[column].to_numpy(), index=pd.MultiIndex.from_frame(part[["region", "year"]]))
    return pd.DataFrame(columns)


def raw_ratios(obs: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Numerator and summed denominator of every count-based rate, where both are published.

    Returns
    -------
    DataFrame, shape (n_cells, 7)
        ``rate, indicator, region, year, numerator, denominator, excess`` with
        ``excess = numerator - denominator`` (positive: more events than people).
    """
    rates = [r for r in catalogue.rates if r.denominators]
    ids = {catalogue.by_key(r.indicator).raw_id for r in rates} | {d for r in rates for d in r.denominators}
    wide = _wide_totals(obs, catalogue, ids)
    frames = [_ratio_frame(rate, wide[catalogue.by_key(rate.indicator).raw_id], wide[list(rate.denominators)].sum(axis=1, min_count=len(rate.denominators)), catalogue) for rate in rates if catalogue.by_key(rate.indicator).raw_id in wide]
    return _concat(frames, ["rate", "indicator", "region", "year", "numerator", "denominator", "excess"])


def _ratio_frame(rate: Rate, numerator: pd.Series, denominator: pd.Series, catalogue: Catalogue) -> pd.DataFrame:
    both = numerator.notna() & denominator.notna()
    frame = pd.DataFrame({"numerator": numerator[both], "denominator": denominator[both]}).reset_index()
    frame.insert(0, "indicator", catalogue.by_key(rate.indicator).raw_id)
    frame.insert(0, "rate", rate.column)
    frame["excess"] = frame["numerator"] - frame["denominator"]
    return frame


def region_series(obs: pd.DataFrame, regions: pd.DataFrame, categories: Iterable[str]) -> pd.DataFrame:
    """Years with data of each region of the panel categories, and the gaps inside its series.

    Returns
    -------
    DataFrame, shape (n_regions, 6)
        ``region, category, first_year, last_year, years, gaps`` (missing years between the first
        and the last).
    """
    wanted = regions.loc[regions["category"].isin(list(categories)), ["id", "category"]]
    years = obs.loc[obs["region"].isin(wanted["id"]), ["region", "year"]].drop_duplicates()
    frame = years.groupby("region")["year"].agg(first_year="min", last_year="max", years="count").reset_index()
    frame["gaps"] = frame["last_year"] - frame["first_year"] + 1 - frame["years"]
    frame = frame.merge(wanted.rename(columns={"id": "region"}), on="region", how="left")
    return frame[["region", "category", "first_year", "last_year", "years", "gaps"]]


def indicator_gaps(obs: pd.DataFrame, regions: pd.DataFrame, catalogue: Catalogue, categories: Iterable[str]) -> pd.DataFrame:
    """Years missing inside an indicator's series (gender total) that nothing explains.

    A missing year is ``suppressed`` when Sotkanet suppresses small counts of the indicator, the
    region has other data that year and the indicator was published for the region's category
    that year (the panel builder's rule for filling in a suppressed count); it is ``unpublished``
    when no region of the category has the indicator that year.

    Returns
    -------
    DataFrame, shape (n_series, 6)
        ``indicator, region, missing, suppressed, unpublished, unexplained`` (numbers of years).
    """
    category_of = regions.set_index("id")["category"]
    obs = obs.loc[(obs["gender"] == "total") & obs["region"].isin(regions.loc[regions["category"].isin(list(categories)), "id"]), ["indicator", "region", "year"]]
    obs = obs.assign(category=obs["region"].map(category_of).to_numpy())
    span = obs.groupby(["indicator", "region"])["year"].agg(["min", "max", "count"])
    gappy = span[span["max"] - span["min"] + 1 > span["count"]]
    columns = ["indicator", "region", "missing", "suppressed", "unpublished", "unexplained"]
    if gappy.empty:
        return pd.DataFrame(columns=columns, dtype="int64")
    expected = _expand_years(gappy)
    present = pd.MultiIndex.from_frame(obs[["indicator", "region", "year"]])
    missing = expected[~pd.MultiIndex.from_frame(expected).isin(present)].copy()
    missing["category"] = missing["region"].map(category_of).to_numpy()
    region_years = pd.MultiIndex.from_frame(obs[["region", "year"]].drop_duplicates())
    published = pd.MultiIndex.from_frame(obs[["indicator", "category", "year"]].drop_duplicates())
    suppressed_ids = [i.raw_id for i in catalogue.indicators if suppressible(i)]
    is_published = pd.MultiIndex.from_frame(missing[["indicator", "category", "year"]]).isin(published)
    missing["unpublished"] = ~is_published
    missing["suppressed"] = (
        is_published
        & missing["indicator"].isin(suppressed_ids)
        & pd.MultiIndex.from_frame(missing[["region", "year"]]).isin(region_years)
    )
    missing["unexplained"] = ~(missing["unpublished"] | missing["suppressed"])
    frame = missing.groupby(["indicator", "region"]).agg(
        missing=("year", "size"), suppressed=("suppressed", "sum"), unpublished=("unpublished", "sum"), unexplained=("unexplained", "sum")
    ).reset_index()
    return frame[columns].astype("int64")


def _expand_years(span: pd.DataFrame) -> pd.DataFrame:
    lengths = (span["max"] - span["min"] + 1).to_numpy()
    starts = np.repeat(span["min"].to_numpy(), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    keys = span.index.to_frame(index=False)
    return pd.DataFrame(
        {
            "indicator": np.repeat(keys["indicator"].to_numpy(), lengths),
            "region": np.repeat(keys["region"].to_numpy(), lengths),
            "year": starts + offsets,
        }
    )


def raw_pilots(
    obs: pd.DataFrame, regions: pd.DataFrame, pilots: Iterable[Pilot], category_codes: dict[str, str], years: range
) -> pd.DataFrame:
    """Coverage of each pilot region in the raw data.

    Returns
    -------
    DataFrame, shape (n_pilots, 8)
        ``pilot, region, region_name, in_region_table, category_matches, missing_years,
        pre_years, adoption_year``: ``missing_years`` counts years of ``years`` in which the
        pilot's category has data but the pilot has none; ``pre_years`` counts years with data
        before adoption.
    """
    table = regions.set_index("id")
    region_years = obs[["region", "year"]].drop_duplicates()
    rows = []
    for pilot in pilots:
        code = category_codes.get(pilot.category, pilot.category)
        known = pilot.region in table.index
        category_regions = regions.loc[regions["category"] == code, "id"]
        category_years = set(region_years.loc[region_years["region"].isin(category_regions), "year"]) & set(years)
        own = set(region_years.loc[region_years["region"] == pilot.region, "year"])
        rows.append(
            {
                "pilot": pilot.key,
                "region": pilot.region,
                "region_name": str(table.at[pilot.region, "title_fi"]) if known else "",
                "in_region_table": known,
                "category_matches": known and table.at[pilot.region, "category"] == code,
                "missing_years": len(category_years - own),
                "pre_years": sum(1 for y in own if y < pilot.adoption_year and y in years),
                "adoption_year": pilot.adoption_year,
            }
        )
    return pd.DataFrame(rows, columns=["pilot", "region", "region_name", "in_region_table", "category_matches", "missing_years", "pre_years", "adoption_year"])


def rate_cells(panel: pd.DataFrame, catalogue: Catalogue, min_denominator: float) -> pd.DataFrame:
    """Every non-empty rate cell of a panel in long form, with what it is based on.

    ``basis`` is ``observed`` for a rate built from a published count over at least
    ``min_denominator`` persons (or a primary value), ``small`` for a published count over fewer,
    and ``imputed`` where the count was a filled-in suppressed cell.

    Returns
    -------
    DataFrame, shape (n_cells, 7)
        ``rate, region, region_name, year, value, denominator, basis``.
    """
    frames = []
    for rate in catalogue.rates:
        if rate.column not in panel or panel[rate.column].isna().all():
            continue
        cells = panel[rate.column].notna()
        if rate.denominators:
            keys = [catalogue.by_raw_id(d).key for d in rate.denominators]
            denominator = panel[[k for k in keys if k in panel]].sum(axis=1, min_count=len(keys))
        else:
            denominator = pd.Series(np.nan, index=panel.index)
        imputed = panel.get(f"{rate.column}_imputed", pd.Series(False, index=panel.index)).astype(bool)
        small = denominator < min_denominator
        basis = np.where(imputed, "imputed", np.where(small, "small", "observed"))
        frames.append(
            pd.DataFrame(
                {
                    "rate": rate.column,
                    "region": panel["region"],
                    "region_name": panel["region_name"],
                    "year": panel["year"],
                    "value": panel[rate.column],
                    "denominator": denominator,
                    "basis": basis,
                }
            )[cells]
        )
    return _concat(frames, ["rate", "region", "region_name", "year", "value", "denominator", "basis"])


def panel_ratios(panel: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Published (not imputed) numerators of count-based rates against their summed denominators.

    Returns
    -------
    DataFrame, shape (n_cells, 7)
        ``rate, region, region_name, year, numerator, denominator, excess``.
    """
    frames = []
    for rate in catalogue.rates:
        keys = [catalogue.by_raw_id(d).key for d in rate.denominators]
        if not keys or rate.indicator not in panel or not all(k in panel for k in keys):
            continue
        numerator = panel[rate.indicator]
        denominator = panel[keys].sum(axis=1, min_count=len(keys))
        imputed = panel.get(f"{rate.indicator}_imputed", pd.Series(False, index=panel.index)).astype(bool)
        keep = numerator.notna() & denominator.notna() & ~imputed
        frames.append(
            pd.DataFrame(
                {
                    "rate": rate.column,
                    "region": panel["region"],
                    "region_name": panel["region_name"],
                    "year": panel["year"],
                    "numerator": numerator,
                    "denominator": denominator,
                    "excess": numerator - denominator,
                }
            )[keep]
        )
    return _concat(frames, ["rate", "region", "region_name", "year", "numerator", "denominator", "excess"])


def panel_pilots(panel: pd.DataFrame, pilots: Iterable[Pilot], outcome: str) -> pd.DataFrame:
    """Rows and pre-adoption years with ``outcome`` observed of each pilot of a panel.

    Returns
    -------
    DataFrame, shape (n_pilots, 5)
        ``pilot, region, rows, pre_years, adoption_year``.
    """
    rows = []
    for pilot in pilots:
        own = panel[panel["region"] == pilot.region]
        observed = own[own[outcome].notna()] if outcome in own else own.iloc[0:0]
        rows.append(
            {
                "pilot": pilot.key,
                "region": pilot.region,
                "rows": len(own),
                "pre_years": int((observed["year"] < pilot.adoption_year).sum()),
                "adoption_year": pilot.adoption_year,
            }
        )
    return pd.DataFrame(rows, columns=["pilot", "region", "rows", "pre_years", "adoption_year"])


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    return pd.concat(frames, ignore_index=True)[columns]
