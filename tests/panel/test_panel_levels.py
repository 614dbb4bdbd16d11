"""Indicators published only for some region categories (catalogue ``levels``; issue 16 item 2):
notices, not errors, from ingest to panels, validation and the factor models."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from aoresearch.catalogue import load_catalogue
from aoresearch.config import parse_factors_config
from aoresearch.factors.stage import select_columns
from aoresearch.panel import build_panel
from aoresearch.panel.stage import make_panel, panel_summary
from aoresearch.sources.file import read_sotkanet_extract
from aoresearch.sources.levels import level_notices
from aoresearch.sources.raw import RawData
from aoresearch.validation import derived

PERIODS = ("psych_inpatient_periods_0_6", "psych_inpatient_periods_7_12", "psych_inpatient_periods_13_17")

# A small world: two municipalities, one wellbeing services county, the country; indicator 1 of
# every category, indicator 2 (like 2557) published only for the county level and above.
CATALOGUE = """
indicators:
  - {key: everywhere, sotkanet_id: 1, name: E, value: primary, unit: percent, role: outcome, rates: [{column: everywhere_pct, per: 1, bounds: [0, 100]}]}
  - key: above_municipalities
    sotkanet_id: 2
    name: A
    value: primary
    unit: per 1,000
    role: outcome
    levels: [HYVINVOINTIALUE, MAA]
    rates: [{column: above_per_1000, per: 1, bounds: [0, 100]}]
"""
REGIONS = pd.DataFrame({"id": [11, 12, 21, 31], "title_fi": ["K1", "K2", "H1", "Maa"],
                        "category": ["KUNTA", "KUNTA", "HYVINVOINTIALUE", "MAA"], "code": ["1", "2", "", ""]})


@pytest.fixture()
def small(tmp_path):
    path = tmp_path / "catalogue.yaml"
    path.write_text(CATALOGUE, encoding="utf-8")
    rows = [(1, r, y, "total", 5.0 + r / 10, None) for r in (11, 12, 21, 31) for y in (2019, 2020)]
    rows += [(2, r, y, "total", 1.5, None) for r in (21, 31) for y in (2019, 2020)]
    obs = pd.DataFrame(rows, columns=["indicator", "region", "year", "gender", "value", "abs_value"])
    return load_catalogue(path), RawData(obs, REGIONS, {"synthetic": False})


def test_municipality_panel_lacks_the_column_and_a_notice_names_indicator_and_level(small, caplog):
    catalogue, raw = small
    with caplog.at_level(logging.WARNING):
        municipal = build_panel(raw, catalogue, "KUNTA", "midpoint")
    assert "above_per_1000" not in municipal and "above_municipalities" not in municipal
    assert municipal["everywhere_pct"].notna().all()
    assert "indicator 2 (above_municipalities) is not published for KUNTA" in caplog.text
    assert "no column above_municipalities nor rate above_per_1000 in the KUNTA panel" in caplog.text
    county = build_panel(raw, catalogue, "HYVINVOINTIALUE", "midpoint")
    assert county["above_per_1000"].tolist() == [1.5, 1.5]


def test_rows_the_levels_do_not_list_are_kept_with_a_notice(small, caplog):
    catalogue, raw = small
    extra = pd.DataFrame([(2, 11, 2020, "total", 9.0, None)], columns=raw.observations.columns)
    raw = RawData(pd.concat([raw.observations, extra], ignore_index=True), REGIONS, {"synthetic": False})
    with caplog.at_level(logging.WARNING):
        municipal = build_panel(raw, catalogue, "KUNTA", "midpoint")
    assert municipal.loc[(municipal["region"] == 11) & (municipal["year"] == 2020), "above_per_1000"].item() == 9.0
    assert "has KUNTA rows although its catalogue levels" in caplog.text


def test_ingest_notices_compare_rows_with_the_levels(small):
    catalogue, raw = small
    notices = level_notices(raw.observations, REGIONS, catalogue)
    assert notices == [
        "indicator 2 (above_municipalities) is published only for HYVINVOINTIALUE, MAA (catalogue levels): no rows "
        "for KUNTA, as expected; panels of those categories have no column for it"
    ]
    no_country = raw.observations[~((raw.observations["indicator"] == 1) & (raw.observations["region"] == 31))]
    assert any("indicator 1 (everywhere) has no rows for MAA, although its catalogue levels list them" in n
               for n in level_notices(no_country, REGIONS, catalogue))


def test_a_region_without_category_is_not_named_as_an_empty_category(small):
    """The real extract's regions.csv has a region with an empty category and population rows;
    the notices once read "no rows for , as expected" and "has rows for , which ..."."""
    catalogue, raw = small
    regions = pd.concat([REGIONS, pd.DataFrame({"id": [730], "title_fi": [""], "category": [""], "code": [""]})], ignore_index=True)
    extra = raw.observations[raw.observations["region"] == 11].assign(region=730)
    notices = level_notices(pd.concat([raw.observations, extra], ignore_index=True), regions, catalogue)
    assert notices == level_notices(raw.observations, REGIONS, catalogue)
    assert not any("for , " in n or "for ," in n for n in notices)


def test_file_source_reads_such_an_indicator_with_notices_only(small, tmp_path):
    catalogue, raw = small
    folder = tmp_path / "extract"
    folder.mkdir()
    raw.observations.to_csv(folder / "observations.csv", index=False)
    REGIONS.to_csv(folder / "regions.csv", index=False)
    read = read_sotkanet_extract(folder, catalogue, range(2019, 2021), current_year=2024)
    assert len(read.observations) == len(raw.observations)
    assert any("published only for HYVINVOINTIALUE, MAA" in n for n in read.provenance["notices"])


def test_coverage_expects_rows_only_in_the_categories_of_the_levels(small):
    catalogue, raw = small
    coverage = derived.indicator_coverage(raw.observations, catalogue, {1, 2}, REGIONS, ["KUNTA", "HYVINVOINTIALUE", "MAA"])
    assert coverage[["indicator", "category", "rows"]].values.tolist() == [
        [1, "KUNTA", 4], [1, "HYVINVOINTIALUE", 2], [1, "MAA", 2], [2, "HYVINVOINTIALUE", 2], [2, "MAA", 2],
    ]
    gone = derived.indicator_coverage(raw.observations[raw.observations["indicator"] == 1], catalogue, {1, 2}, REGIONS, ["KUNTA", "MAA"])
    assert gone.loc[gone["indicator"] == 2, ["rows", "indicator_rows", "missing_share"]].values.tolist() == [[0, 0, 1.0]]


def test_coverage_does_not_expect_an_indicator_published_for_none_of_the_categories(small):
    """A world of municipalities only (as benchmarks/impact_quality.py generates, with counties)
    cannot hold indicator 2 (HYVINVOINTIALUE, MAA): no row, so no critical failure; delivered
    anyway, it is still checked, over all its rows."""
    catalogue, raw = small
    municipal = raw.observations[raw.observations["indicator"] == 1]
    coverage = derived.indicator_coverage(municipal, catalogue, {1, 2}, REGIONS, ["KUNTA"])
    assert coverage[["indicator", "category"]].values.tolist() == [[1, "KUNTA"]]
    delivered = derived.indicator_coverage(raw.observations, catalogue, {1, 2}, REGIONS, ["KUNTA"])
    row = delivered[delivered["indicator"] == 2]
    assert row[["category", "rows"]].values.tolist() == [["", int((raw.observations["indicator"] == 2).sum())]]


def test_demo_panels_and_factor_selection_handle_the_inpatient_periods(demo_raw, catalogue, params):
    municipal = make_panel(demo_raw, catalogue, params, "municipality")
    country = make_panel(demo_raw, catalogue, params, "country")
    for key in PERIODS:
        column = catalogue.by_key(key).rates[0].column
        assert column not in municipal and country[column].notna().all()
    assert set(PERIODS) <= set(panel_summary(municipal, demo_raw, catalogue)["unpublished_indicators"])
    settings = {"outcomes": ["oohc_per_1000", "psych_inpatient_periods_13_17_per_1000"], "lags": [0], "min_children": 1000,
                "test_years": {"start": 2015, "end": 2016}, "model": {"max_iter": 10}}
    config = parse_factors_config(settings, seed=1)
    outcomes, _, skipped, _ = select_columns(municipal, config, catalogue)
    assert outcomes == ("oohc_per_1000",) and skipped == {"psych_inpatient_periods_13_17_per_1000": "column absent from the panel"}


def test_two_observations_of_one_region_year_are_named(small):
    """The panel has one value per indicator, region and year: a second row for one is an error
    naming them (the validation of the raw data reports it first in the pipeline)."""
    from aoresearch.errors import PanelStructureError

    catalogue, raw = small
    again = raw.observations[(raw.observations["indicator"] == 1) & (raw.observations["region"] == 12)].tail(1)
    raw = RawData(pd.concat([raw.observations, again.assign(value=7.0)], ignore_index=True), REGIONS, {"synthetic": False})
    with pytest.raises(PanelStructureError, match="indicator 1 has more than one observation for region 12 in 2020"):
        build_panel(raw, catalogue, "KUNTA", "midpoint")
    assert len(build_panel(raw, catalogue, "HYVINVOINTIALUE", "midpoint")) == 2
