"""The broken-input corpus: each case runs the real entry scripts (ingest with the file source,
then validate raw) on a small extract made from the demo data and must stop at the right step,
with exit code 1 and a message naming the rule, table, column and offending rows."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from aoresearch.errors import ValidationFailedError
from aoresearch.sources.raw import RawData
from aoresearch.validation import load_site_config, validate_raw, validation_config
from validation_corpus import write_extract

PLACEMENTS, CHILDREN, UNEMPLOYMENT = 191, 1065, 181


def _cell(obs: pd.DataFrame, indicator: int, region: int, year: int, gender: str = "total") -> pd.Series:
    return (obs["indicator"] == indicator) & (obs["region"] == region) & (obs["year"] == year) & (obs["gender"] == gender)


def test_good_extract_passes(small_extract, stages, tmp_path):
    run = stages(write_extract(tmp_path / "extract", *small_extract))
    assert (run.step, run.returncode) == ("done", 0), run.stderr
    assert "0 critical" in run.stderr


def test_negative_count(small_extract, stages, tmp_path):
    obs, regions = small_extract
    obs = obs.copy()
    obs.loc[_cell(obs, PLACEMENTS, 378, 2015), "abs_value"] = -7
    run = stages(write_extract(tmp_path / "extract", obs, regions))
    assert (run.step, run.returncode) == ("validate", 1)
    assert "error: validation of raw" in run.stderr
    line = next(l for l in run.stderr.splitlines() if "[count_non_negative]" in l)
    assert "column 'count' of raw_counts" in line and "region 378" in line and "year 2015" in line and "count -7" in line


def test_percentage_of_140(small_extract, stages, tmp_path):
    obs, regions = small_extract
    obs = obs.copy()
    obs.loc[_cell(obs, UNEMPLOYMENT, 261, 2016), "value"] = 140
    run = stages(write_extract(tmp_path / "extract", obs, regions))
    assert (run.step, run.returncode) == ("validate", 1)
    line = next(l for l in run.stderr.splitlines() if "[percent_within_0_100]" in l)
    assert "column 'value' of raw_observations" in line
    assert "indicator 181" in line and "region 261" in line and "year 2016" in line and "value 140" in line


def test_duplicated_rows(small_extract, stages, tmp_path):
    obs, regions = small_extract
    obs = pd.concat([obs, obs[_cell(obs, CHILDREN, 972, 2014)]], ignore_index=True)
    run = stages(write_extract(tmp_path / "extract", obs, regions))
    assert (run.step, run.returncode) == ("validate", 1)
    line = next(l for l in run.stderr.splitlines() if "[unique_key]" in l)
    assert "expect_compound_columns_to_be_unique" in line and "'indicator', 'region', 'year', 'gender'" in line
    assert "2 of" in line and "region 972" in line and "year 2014" in line


def test_missing_year_in_pilot_region(small_extract, stages, tmp_path):
    obs, regions = small_extract
    obs = obs[~((obs["region"] == 378) & (obs["year"] == 2016))]
    run = stages(write_extract(tmp_path / "extract", obs, regions))
    assert (run.step, run.returncode) == ("validate", 1)
    line = next(l for l in run.stderr.splitlines() if "[pilot_every_year]" in l)
    assert "column 'missing_years' of raw_pilots" in line and "pilot tampere" in line and "missing_years 1" in line


def test_text_in_numeric_column(small_extract, stages, tmp_path):
    obs, regions = small_extract
    obs = obs.astype({"abs_value": object})
    obs.loc[_cell(obs, CHILDREN, 261, 2013), "abs_value"] = "n/a"
    run = stages(write_extract(tmp_path / "extract", obs, regions))
    assert (run.step, run.returncode) == ("ingest", 1)
    assert "column 'abs_value' must be numeric; found text" in run.stderr and "'n/a'" in run.stderr


def test_empty_file(small_extract, stages, tmp_path):
    extract = write_extract(tmp_path / "extract", *small_extract)
    (extract / "observations.csv.gz").write_bytes(b"")
    run = stages(extract)
    assert (run.step, run.returncode) == ("ingest", 1)
    assert "observations.csv.gz is empty (0 bytes)" in run.stderr


def test_truncated_gzip(small_extract, stages, tmp_path):
    extract = write_extract(tmp_path / "extract", *small_extract)
    data = (extract / "observations.csv.gz").read_bytes()
    (extract / "observations.csv.gz").write_bytes(data[: len(data) // 2])
    run = stages(extract)
    assert (run.step, run.returncode) == ("ingest", 1)
    assert "truncated or corrupt gzip" in run.stderr


def test_region_unknown_to_region_table(small_extract, stages, tmp_path):
    obs, regions = small_extract
    obs = obs.copy()
    obs.loc[obs["region"] == 261, "region"] = 99999
    run = stages(write_extract(tmp_path / "extract", obs, regions))
    assert (run.step, run.returncode) == ("validate", 1)
    line = next(l for l in run.stderr.splitlines() if "[region_in_region_table]" in l)
    assert "column 'in_region_table' of raw_region_links" in line and "region 99999" in line


def test_placements_exceed_children(small_extract, stages, tmp_path):
    obs, regions = small_extract
    obs = obs.copy()
    children = obs.loc[_cell(obs, CHILDREN, 261, 2018), "abs_value"].item()
    for gender, share in (("total", 1.0), ("female", 0.5), ("male", 0.5)):
        obs.loc[_cell(obs, PLACEMENTS, 261, 2018, gender), "abs_value"] = (children + 100) * share
    run = stages(write_extract(tmp_path / "extract", obs, regions))
    assert (run.step, run.returncode) == ("validate", 1)
    line = next(l for l in run.stderr.splitlines() if "[numerator_at_most_denominator]" in l)
    assert "column 'excess' of raw_ratios" in line and "rate oohc_per_1000" in line and "region 261" in line
    assert "year 2018" in line and "excess 100" in line
    assert "[total_equals_female_plus_male]" not in run.stderr


# --- what real data can get wrong (issue 13) ------------------------------------------------
FAMILIES, FAMILIES_ON_ASSISTANCE, OULU = 179, 423, 261


def test_duplicated_key_with_different_values_is_reported_not_a_crash(small_extract, stages, tmp_path):
    obs, regions = small_extract
    twin = obs[_cell(obs, CHILDREN, 972, 2014)].assign(abs_value=lambda f: f["abs_value"] + 50)
    run = stages(write_extract(tmp_path / "extract", pd.concat([obs, twin], ignore_index=True), regions))
    assert (run.step, run.returncode) == ("validate", 1)
    assert "non-unique multi-index" not in run.stderr and "Traceback" not in run.stderr
    line = next(l for l in run.stderr.splitlines() if "[unique_key]" in l)
    assert "observations.parquet" in line and "indicator 1065" in line and "region 972" in line and "year 2014" in line
    assert json.loads((tmp_path / "metrics.json").read_text())["failed_critical"] >= 1
    assert (tmp_path / "docs" / "index.html").is_file()


def test_a_trillion_families_in_oulu(small_extract, stages, tmp_path):
    obs, regions = small_extract
    obs = obs.copy()
    obs.loc[_cell(obs, FAMILIES, OULU, 2015), "abs_value"] = 1e12
    run = stages(write_extract(tmp_path / "extract", obs, regions))
    assert (run.step, run.returncode) == ("validate", 1)
    bound = next(l for l in run.stderr.splitlines() if "[count_at_most_max]" in l)
    assert "column 'count' of raw_counts in" in bound and "observations.parquet" in bound
    assert f"indicator {FAMILIES}" in bound and f"region {OULU}" in bound and "year 2015" in bound and "count 1e+12" in bound
    change = next(l for l in run.stderr.splitlines() if "[count_change_plausible]" in l)
    assert "at most a factor 3" in change and f"indicator {FAMILIES}" in change and f"region {OULU}" in change
    assert "year 2015" in change or "year 2016" in change


def test_a_population_ten_times_too_large_for_one_year(small_extract, stages, tmp_path):
    obs, regions = small_extract
    obs = obs.copy()
    obs.loc[_cell(obs, FAMILIES, OULU, 2018), "abs_value"] *= 10
    run = stages(write_extract(tmp_path / "extract", obs, regions))
    assert (run.step, run.returncode) == ("validate", 1)
    change = next(l for l in run.stderr.splitlines() if "[count_change_plausible]" in l)
    assert f"indicator {FAMILIES}" in change and f"region {OULU}" in change and ("year 2018" in change or "year 2019" in change)
    assert "[count_at_most_max]" not in run.stderr


def test_value_field_renamed_by_the_source_empties_an_indicator(small_extract, stages, tmp_path):
    obs, regions = small_extract
    obs = obs.copy()
    obs.loc[obs["indicator"] == FAMILIES_ON_ASSISTANCE, "abs_value"] = None  # the API sent `abs_value`, not `absValue`
    run = stages(write_extract(tmp_path / "extract", obs, regions))
    assert (run.step, run.returncode) == ("validate", 1)
    line = next(l for l in run.stderr.splitlines() if "[value_field_filled]" in l)
    assert "column 'missing_share' of raw_indicator_coverage" in line and "observations.parquet" in line
    assert f"indicator {FAMILIES_ON_ASSISTANCE}" in line and "key families_social_assistance" in line
    assert "value_column abs_value" in line and "missing_share 1" in line


def test_indicator_missing_from_the_source(small_extract, stages, tmp_path):
    obs, regions = small_extract
    obs = obs[obs["indicator"] != FAMILIES_ON_ASSISTANCE]
    run = stages(write_extract(tmp_path / "extract", obs, regions))
    assert (run.step, run.returncode) == ("validate", 1)
    line = next(l for l in run.stderr.splitlines() if "[indicator_present]" in l)
    assert f"indicator {FAMILIES_ON_ASSISTANCE}" in line and "rows 0" in line


def test_percentage_jumping_30_points_in_a_year(small_extract, stages, tmp_path):
    obs, regions = small_extract
    obs = obs.copy()
    obs.loc[_cell(obs, UNEMPLOYMENT, OULU, 2016), "value"] += 30
    run = stages(write_extract(tmp_path / "extract", obs, regions))
    assert (run.step, run.returncode) == ("validate", 1)
    line = next(l for l in run.stderr.splitlines() if "[percent_change_plausible]" in l)
    assert f"indicator {UNEMPLOYMENT}" in line and f"region {OULU}" in line and ("year 2016" in line or "year 2017" in line)


def test_year_after_the_current_one(small_extract, catalogue, params, repo_root, tmp_path):
    # ingest refuses such rows (tests/reliability/test_future_years.py); validation checks again,
    # here for a data/raw written by other means, with the clock set back to 2020.
    obs, regions = small_extract
    config = validation_config(params, current_year=2020)
    report = validate_raw(RawData(obs, regions, {"synthetic": False}), catalogue, config,
                          load_site_config(repo_root / "gx", "raw", tmp_path), source="data/raw")
    with pytest.raises(ValidationFailedError) as info:
        report.raise_for_critical()
    line = next(l for l in str(info.value).splitlines() if "[no_future_year]" in l)
    assert "column 'years_after_current' of raw_years in data/raw/observations.parquet" in line
    assert "indicator " in line and "region " in line and "year 2021" in line and "years_after_current 1" in line
