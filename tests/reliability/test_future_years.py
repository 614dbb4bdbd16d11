"""Rows of years after data.years.end are dropped, logged and kept in the provenance; a row of a
year after the current calendar year is an error naming where it came from."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

import pandas as pd
import pytest

from aoresearch.config import ApiConfig, parse_params
from aoresearch.errors import RawDataError
from aoresearch.sources.file import read_sotkanet_extract
from aoresearch.sources.ingest import ingest_to_folder
from aoresearch.sources.raw import read_raw, write_raw
from aoresearch.sources.sotkanet_api import fetch_sotkanet
from conftest import analysis_sections, small_raw, snapshot
from sotkanet_stub_server import REGIONS

pytestmark = pytest.mark.timeout(60)

THIS_YEAR = datetime.now(timezone.utc).year


def _extract(folder, years_by_row):
    """A Sotkanet-format extract with one row of indicator 191, region 1001, total, per year."""
    folder.mkdir()
    pd.DataFrame({"id": [1001], "title_fi": ["Esimerkkilä"], "category": ["KUNTA"], "code": ["901"]}).to_csv(folder / "regions.csv", index=False)
    rows = [{"indicator": 191, "region": 1001, "year": y, "gender": "total", "value": 1.5, "abs_value": 12} for y in years_by_row]
    rows.append({"indicator": 493, "region": 1001, "year": 2020, "gender": "total", "value": 9.5, "abs_value": None})
    pd.DataFrame(rows).to_csv(folder / "observations.csv", index=False)
    return folder


def _params(extract, start, end):
    return parse_params({
        **analysis_sections(),
        "seed": 1,
        "data": {
            "source": "file", "years": {"start": start, "end": end}, "file": {"path": str(extract)},
            "sotkanet": {"base_url": "http://127.0.0.1:9/rest/1.1"}, "demo": {},
        },
        "panel": {"categories": {"municipality": "KUNTA"}, "suppression": "midpoint"},
        "pilots": {},
    })


def test_years_after_the_end_are_dropped_logged_and_in_the_provenance(tmp_path, catalogue, caplog):
    extract = _extract(tmp_path / "extract", [2019, 2020, 2021, 2035, 2035, 2036])
    with caplog.at_level(logging.WARNING, logger="aoresearch.sources.file"):
        ingest_to_folder(_params(extract, 2019, 2021), catalogue, tmp_path / "raw")
    raw = read_raw(tmp_path / "raw")
    assert sorted(raw.observations["year"].unique()) == [2019, 2020, 2021]
    dropped = raw.provenance["dropped_years"]
    assert dropped["end"] == 2021
    assert dropped["after_end"] == {"rows": 3, "years": [2035, 2036], "by_indicator": {"191": 3}}
    assert dropped["before_start"] == {"rows": 0, "years": [], "by_indicator": {}}
    notice = "observations.csv: dropped 3 rows with years after data.years.end 2021: years [2035, 2036], rows by indicator {'191': 3}"
    assert notice in raw.provenance["notices"]
    assert notice in caplog.text
    assert json.loads((tmp_path / "raw" / "provenance.json").read_text())["dropped_years"]["after_end"]["rows"] == 3


def test_no_drop_no_notice(tmp_path, catalogue):
    raw = read_sotkanet_extract(_extract(tmp_path / "extract", [2019, 2020]), catalogue, range(2019, 2022))
    assert raw.provenance["dropped_years"]["after_end"]["rows"] == 0
    assert not [n for n in raw.provenance["notices"] if "dropped" in n and "years after" in n]


def test_a_year_after_the_current_calendar_year_is_an_error(tmp_path, catalogue):
    future = THIS_YEAR + 1
    extract = _extract(tmp_path / "extract", [2019, future, future + 1])
    out = tmp_path / "raw"
    write_raw(small_raw("previous good"), out)
    before = snapshot(out)
    with pytest.raises(RawDataError) as info:
        ingest_to_folder(_params(extract, 2019, THIS_YEAR + 5), catalogue, out)
    message = str(info.value)
    assert message.startswith(f"{extract / 'observations.csv'}: 2 rows have a year after the current calendar year {THIS_YEAR}")
    assert f"indicator 191, region 1001, year {future} (years found: [{future}, {future + 1}])" in message
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["extract", "indicators.yaml", "raw"], "nothing partial left"


def test_the_api_source_drops_and_records_years_after_the_end(stub, session, catalogue):
    record = {"indicator": 191, "region": 1001, "gender": "total", "value": 1.0, "absValue": 8}
    body = [dict(record, year=2020), dict(record, year=2035), dict(record, region=1002, year=2035)]
    stub.always("/json?indicator=191", ("raw", 200, json.dumps(body)))
    config = ApiConfig(base_url=stub.base_url, timeout_s=5, max_retries=0, genders=("total",))
    now = datetime(2036, 1, 2, tzinfo=timezone.utc)
    raw = fetch_sotkanet(catalogue, config, range(2019, 2021), session=session, clock=lambda: now)
    assert set(raw.observations.loc[raw.observations["indicator"] == 191, "year"]) == {2020}
    assert raw.provenance["dropped_years"]["after_end"] == {"rows": 2, "years": [2035], "by_indicator": {"191": 2}}
    assert raw.provenance["indicators"]["191"]["rows"] == 1
    assert "indicator 191 (placements_0_17): dropped 2 rows with years after data.years.end 2020: years [2035], rows by indicator {'191': 2}" in raw.provenance["notices"]


def test_the_api_source_rejects_a_future_year(stub, session, catalogue):
    body = [{"indicator": 191, "region": REGIONS[0]["id"], "year": 2027, "gender": "total", "value": 1.0, "absValue": 8}]
    stub.always("/json?indicator=191", ("raw", 200, json.dumps(body)))
    config = ApiConfig(base_url=stub.base_url, timeout_s=5, max_retries=0, genders=("total",))
    now = datetime(2026, 6, 1, tzinfo=timezone.utc)
    with pytest.raises(RawDataError, match=r"GET http://127\.0\.0\.1:\d+/rest/1\.1/json\?indicator=191.*: 1 rows have a year after the "
                       r"current calendar year 2026, which cannot have been observed: indicator 191, region 1001, year 2027"):
        fetch_sotkanet(catalogue, config, range(2025, 2029), session=session, clock=lambda: now)
