"""The expectations of the raw data set and of the panels, as code.

:func:`raw_targets` and :func:`panel_targets` return the validated frames (the data and the
frames of :mod:`aoresearch.validation.derived`) with their severity-tagged expectations. The
suites depend only on the indicator catalogue and :class:`ValidationConfig`. ``make suites``
stores them in ``gx/`` (:mod:`aoresearch.validation.store`); the stages render them again for the
current params and keep what was edited by hand in the stored files
(:mod:`aoresearch.validation.edits`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timezone
from typing import Any, Mapping

import pandas as pd

from aoresearch.catalogue import Catalogue
from aoresearch.config import Params, Pilot
from aoresearch.config.validation import ValidationSettings
from aoresearch.errors import ParameterError
from aoresearch.sources.raw import GENDERS, OBSERVATION_COLUMNS, RawData
from aoresearch.validation import derived
from aoresearch.validation.rules import Target, critical, equals, in_ids, is_count, is_percent, is_percent_rate, warning
from great_expectations.expectations.row_conditions import Column

__all__ = ["ValidationConfig", "validation_config", "raw_targets", "panel_targets"]

_OBS_FILE = "observations.parquet"
_OBS_LABEL = ("indicator", "region", "year", "gender")


@dataclass(frozen=True, kw_only=True)
class ValidationConfig(ValidationSettings):
    """What the expectations compare against: the ``validation`` thresholds
    (:class:`~aoresearch.config.validation.ValidationSettings`) and the shared keys they apply to.

    Attributes
    ----------
    years : range
        Requested years (``data.years``).
    categories : mapping of str to str
        Panel name to Sotkanet region category (``panel.categories``).
    pilots : tuple of Pilot
    min_pre_years : int
        Years each pilot needs before adoption (``panel.min_pre_years``).
    outcome : str
        The rate whose observed years count as a pilot's pre-adoption years (``impact.headline_outcome``).
    current_year : int
        The calendar year when validation runs: no observation may be of a later year. Not in
        any suite JSON (the expectation tests ``year - current_year <= 0``).
    """

    years: range
    categories: Mapping[str, str]
    pilots: tuple[Pilot, ...]
    min_pre_years: int
    outcome: str
    current_year: int = 9999


def validation_config(params: Params, current_year: int | None = None) -> ValidationConfig:
    """Join ``params.validation`` with the shared keys (``data.years``, ``panel``, ``pilots``) and
    ``impact.headline_outcome``.

    ``current_year`` defaults to the calendar year now (UTC).
    """
    settings = {f.name: getattr(params.validation, f.name) for f in fields(ValidationSettings)}
    return ValidationConfig(
        **settings,
        years=params.data.years,
        categories=dict(params.panel.categories),
        pilots=params.pilots,
        min_pre_years=params.panel.min_pre_years,
        outcome=params.impact.headline_outcome,
        current_year=datetime.now(timezone.utc).year if current_year is None else int(current_year),
    )


def raw_targets(raw: RawData, catalogue: Catalogue, config: ValidationConfig) -> tuple[Target, ...]:
    """The raw long observations, the region table and their derived frames, with expectations.

    The derived frames are built from the first row of each (indicator, region, year, gender)
    key, so that duplicated keys are reported by ``unique_key`` instead of breaking the frames.
    """
    if not set(OBSERVATION_COLUMNS) <= set(raw.observations.columns):
        return (Target("raw_observations", raw.observations, _observation_expectations(catalogue, config), _OBS_LABEL, (), "Raw long observations (Sotkanet schema)", _OBS_FILE),)
    full, regions = raw.observations, raw.regions
    obs = derived.first_per_key(full)
    codes = tuple(config.categories.values())
    expected = catalogue.raw_ids if raw.is_synthetic else frozenset(i.sotkanet_id for i in catalogue.fetchable)
    expected -= frozenset(int(i) for i in raw.provenance.get("not_in_extract", []))
    return (
        Target("raw_observations", full, _observation_expectations(catalogue, config), _OBS_LABEL, ("value", "abs_value"), "Raw long observations (Sotkanet schema)", _OBS_FILE),
        Target("raw_regions", regions, _region_expectations(config), ("id", "title_fi"), ("category",), "Region table", "regions.csv"),
        *_plausibility_targets(obs, regions, catalogue, config, expected),
        Target("raw_counts", derived.count_values(obs, catalogue), _count_expectations(config), _OBS_LABEL, ("count",), "Values of count indicators", _OBS_FILE),
        Target("raw_region_links", derived.region_links(obs, regions), (
            critical("column_values_to_be_in_set", "region_in_region_table", "every region id of the observations is in the region table", column="in_region_table", value_set=[True]),
        ), ("region",), ("rows",), "Region ids of the observations", _OBS_FILE),
        Target("raw_gender_totals", derived.gender_totals(obs, catalogue), (
            critical("column_values_to_be_between", "total_equals_female_plus_male", f"a count's total equals female + male (within {config.gender_tolerance})", column="difference", min_value=0, max_value=config.gender_tolerance),
        ), ("indicator", "region", "year"), ("total", "female", "male"), "Counts published for total, female and male", _OBS_FILE),
        Target("raw_ratios", derived.raw_ratios(obs, catalogue), (
            critical("column_values_to_be_between", "numerator_at_most_denominator", "a count never exceeds its population (e.g. placements of 0-17 year-olds <= children 0-17)", column="excess", max_value=0),
            warning("column_values_to_be_between", "denominator_positive", "the population of a rate is positive", column="denominator", min_value=1),
        ), ("rate", "region", "year"), ("numerator", "denominator"), "Numerators and denominators of count-based rates", _OBS_FILE),
        Target("raw_region_series", derived.region_series(obs, regions, codes), (
            warning("column_values_to_be_between", "no_gaps_in_region_series", "a region has data in every year between its first and last", column="gaps", min_value=0, max_value=0),
        ), ("region", "category"), ("first_year", "last_year"), "Years with data per region", _OBS_FILE),
        Target("raw_indicator_gaps", derived.indicator_gaps(obs, regions, catalogue, codes), (
            warning("column_values_to_be_between", "gaps_explained_by_suppression", "a year missing inside an indicator's series is a suppressed small count or a year the indicator was not published for the category", column="unexplained", min_value=0, max_value=0),
        ), ("indicator", "region"), ("missing", "suppressed", "unpublished"), "Indicator series with missing years", _OBS_FILE),
        Target("raw_pilots", derived.raw_pilots(obs, regions, config.pilots, dict(config.categories), config.years), (
            critical("column_values_to_be_in_set", "pilot_in_region_table", "every pilot region is in the region table", column="in_region_table", value_set=[True]),
            critical("column_values_to_be_in_set", "pilot_category", "every pilot region has its params.yaml category", column="category_matches", value_set=[True]),
            critical("column_values_to_be_between", "pilot_every_year", "a pilot region has data in every year its category has", column="missing_years", min_value=0, max_value=0),
            critical("column_values_to_be_between", "pilot_pre_years", f"a pilot region has at least {config.min_pre_years} years before adoption", column="pre_years", min_value=config.min_pre_years),
        ), ("pilot", "region"), ("region_name", "adoption_year"), "Coverage of the pilot regions", _OBS_FILE),
    )


def _plausibility_targets(obs: pd.DataFrame, regions: pd.DataFrame, catalogue: Catalogue, config: ValidationConfig, expected: frozenset[int]) -> tuple[Target, ...]:
    """What real data can get wrong that the schema does not show (issue 13): an indicator or its
    value field gone, a year that has not happened, implausible jumps of counts and percentages."""
    populations = [i.raw_id for i in catalogue.indicators if i.role == "denominator" and is_count(i)]
    percents = [i.raw_id for i in catalogue.indicators if is_percent(i) and i.value_column == "value"]
    return (
        Target("raw_indicator_coverage", derived.indicator_coverage(obs, catalogue, expected, regions, config.categories.values()), (
            critical("column_values_to_be_between", "indicator_present", "every catalogue indicator the source delivers has rows", column="indicator_rows", min_value=1),
            warning("column_values_to_be_between", "indicator_in_its_levels", "an indicator has rows in every panel category its catalogue levels list (categories they leave out are not expected)", column="rows", min_value=1),
            critical("column_values_to_be_between", "value_field_filled", f"at most {config.max_missing_share:g} of an indicator's rows have an empty value field (the catalogue's value or abs_value; all empty: the field was renamed or dropped)", column="missing_share", min_value=0, max_value=config.max_missing_share),
        ), ("indicator", "key", "category", "value_column"), ("rows", "missing"), "Rows and empty value fields per catalogue indicator and region category of its levels", _OBS_FILE),
        Target("raw_years", derived.future_years(obs, config.current_year), (
            critical("column_values_to_be_between", "no_future_year", "no year after the current calendar year (when validation runs)", column="years_after_current", max_value=0),
        ), ("indicator", "year", "region"), ("rows",), "Years of each indicator", _OBS_FILE),
        Target("raw_count_changes", derived.count_changes(obs, catalogue, populations, config.change_base), (
            critical("column_values_to_be_between", "count_change_plausible", f"a population or family count changes by at most a factor {config.max_count_change:g} from one year to the next (where the previous count is at least {config.change_base:g})", column="change_factor", min_value=1, max_value=config.max_count_change),
        ), ("indicator", "region", "year"), ("previous", "value"), "Largest year-on-year change of each population or family count series", _OBS_FILE),
        Target("raw_percent_changes", derived.percent_changes(obs, catalogue, percents), (
            critical("column_values_to_be_between", "percent_change_plausible", f"a percentage changes by at most {config.max_percent_change:g} points from one year to the next", column="change_points", min_value=0, max_value=config.max_percent_change),
        ), ("indicator", "region", "year"), ("previous", "value"), "Largest year-on-year change of each percentage series", _OBS_FILE),
    )


def _observation_expectations(catalogue: Catalogue, config: ValidationConfig) -> tuple[Any, ...]:
    percent_ids = [i.raw_id for i in catalogue.indicators if is_percent(i)]
    expectations = [
        critical("table_columns_to_match_set", "schema", "the raw data has Sotkanet's long schema", column_set=list(OBSERVATION_COLUMNS), exact_match=True),
        *(critical("column_values_to_not_be_null", f"{c}_not_null", f"every row has a {c}", column=c) for c in ("indicator", "region", "year", "gender")),
        critical("compound_columns_to_be_unique", "unique_key", "one row per indicator, region, year and gender", column_list=list(_OBS_LABEL)),
        critical("column_values_to_be_between", "year_in_range", f"years within data.years {config.years.start}-{config.years.stop - 1}", column="year", min_value=config.years.start, max_value=config.years.stop - 1),
        critical("column_values_to_be_in_set", "gender_known", f"gender is one of {list(GENDERS)}", column="gender", value_set=list(GENDERS)),
        critical("column_values_to_be_in_set", "indicator_in_catalogue", "indicator ids are catalogue entries", column="indicator", value_set=sorted(catalogue.raw_ids)),
    ]
    if percent_ids:
        expectations.append(critical("column_values_to_be_between", "percent_within_0_100", "percentages lie within 0-100", column="value", min_value=0, max_value=100, row_condition=in_ids("indicator", percent_ids)))
    for rate in catalogue.rates:
        indicator = catalogue.by_key(rate.indicator)
        if rate.denominators or rate.per != 1 or is_percent(indicator):
            continue
        expectations.append(critical("column_values_to_be_between", f"{rate.column}_within_bounds", f"{rate.name} within the catalogue bounds {list(rate.bounds)}", column=indicator.value_column, min_value=rate.bounds[0], max_value=rate.bounds[1], row_condition=in_ids("indicator", [indicator.raw_id])))
    return tuple(expectations)


def _region_expectations(config: ValidationConfig) -> tuple[Any, ...]:
    return (
        critical("column_values_to_be_unique", "id_unique", "one row per region id", column="id"),
        critical("column_values_to_be_in_set", "category_known", "region categories are one of validation.region_categories (or empty)", column="category", value_set=sorted({*config.region_categories, ""})),
        warning("column_value_lengths_to_be_between", "category_not_empty", "every region has a category", column="category", min_value=1),
        warning("column_value_lengths_to_be_between", "title_not_empty", "every region has a name", column="title_fi", min_value=1),
    )


def _count_expectations(config: ValidationConfig) -> tuple[Any, ...]:
    return (
        critical("column_values_to_be_between", "count_non_negative", "counts are non-negative", column="count", min_value=0),
        critical("column_values_to_be_between", "count_at_most_max", f"a count of one region and year is at most {config.max_count:,.0f} (about twice the largest count in the real extract)", column="count", max_value=config.max_count),
        critical("column_values_to_be_between", "count_whole_number", "counts are whole numbers", column="fraction", min_value=0, max_value=0),
    )


def panel_targets(name: str, panel: pd.DataFrame, catalogue: Catalogue, config: ValidationConfig) -> tuple[Target, ...]:
    """Panel ``name`` (a key of ``panel.categories``) and its derived frames, with expectations.

    Raises
    ------
    ParameterError
        If ``name`` is not under ``panel.categories``.
    """
    if name not in config.categories:
        raise ParameterError(f"panel '{name}' is not under panel.categories {sorted(config.categories)}.")
    table = f"panel_{name}"
    file = f"{name}.parquet"
    pilots = tuple(p for p in config.pilots if p.category == name)
    return (
        Target(table, panel, _panel_expectations(panel, catalogue, config, config.categories[name]), ("region", "region_name", "year"), (), f"Region-year panel '{name}'", file),
        Target(f"{table}_rates", derived.rate_cells(panel, catalogue, config.min_denominator), _rate_expectations(panel, catalogue, config), ("rate", "region", "region_name", "year"), ("value", "denominator", "basis"), f"Rate cells of panel '{name}'", file),
        Target(f"{table}_ratios", derived.panel_ratios(panel, catalogue), (
            critical("column_values_to_be_between", "numerator_at_most_denominator", "a published count never exceeds its population", column="excess", max_value=0),
        ), ("rate", "region", "region_name", "year"), ("numerator", "denominator"), f"Published numerators against denominators in panel '{name}'", file),
        Target(f"{table}_pilots", derived.panel_pilots(panel, pilots, config.outcome), (
            critical("column_values_to_be_between", "pilot_present", "every pilot of the panel has rows", column="rows", min_value=1),
            critical("column_values_to_be_between", "pilot_pre_years", f"every pilot has at least {config.min_pre_years} years with {config.outcome} before adoption", column="pre_years", min_value=config.min_pre_years),
        ), ("pilot", "region"), ("adoption_year",), f"Pilots of panel '{name}'", file),
    )


def _panel_expectations(panel: pd.DataFrame, catalogue: Catalogue, config: ValidationConfig, code: str) -> tuple[Any, ...]:
    counts = [i.key for i in catalogue.indicators if i.key in panel and is_count(i)]
    return (
        critical("compound_columns_to_be_unique", "unique_region_year", "one row per region and year", column_list=["region", "year"]),
        critical("column_values_to_be_between", "year_in_range", f"years within data.years {config.years.start}-{config.years.stop - 1}", column="year", min_value=config.years.start, max_value=config.years.stop - 1),
        critical("column_values_to_be_in_set", "category", f"every region is of category {code}", column="category", value_set=[code]),
        warning("column_values_to_not_be_null", "region_name", "every region has a name", column="region_name"),
        *(critical("column_values_to_be_between", f"{key}_non_negative", "counts are non-negative", column=key, min_value=0) for key in counts),
    )


def _rate_expectations(panel: pd.DataFrame, catalogue: Catalogue, config: ValidationConfig) -> tuple[Any, ...]:
    expectations = []
    for rate in catalogue.rates:
        if rate.column not in panel or panel[rate.column].isna().all():
            continue
        low, high = rate.bounds
        unit = "%" if is_percent_rate(rate, catalogue) else f"per {rate.per:g}"
        why = f"{rate.name} within the catalogue bounds {low:g}-{high:g} ({unit})"
        expectations.append(critical("column_values_to_be_between", f"{rate.column}_within_bounds", why, column="value", min_value=low, max_value=high, row_condition=(equals("rate", rate.column) & equals("basis", "observed"))))
        expectations.append(warning("column_values_to_be_between", f"{rate.column}_within_bounds_small_or_imputed", why + f"; cells from an imputed count or fewer than {config.min_denominator:g} persons", column="value", min_value=low, max_value=high, row_condition=(equals("rate", rate.column) & Column("basis").is_in(["imputed", "small"]))))
    return tuple(expectations)
