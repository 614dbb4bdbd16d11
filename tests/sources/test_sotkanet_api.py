"""The ``sotkanet`` API source against a local stub server (no internet needed)."""

from __future__ import annotations

import json
import logging
import socket
from datetime import datetime, timezone

import pandas as pd
import pytest
import yaml

import aoresearch.sources.sotkanet_api as sotkanet_api
from aoresearch.catalogue import load_catalogue
from aoresearch.config import ApiConfig, parse_params
from aoresearch.errors import (
    CatalogueError,
    DataSourceError,
    ParameterError,
    SourceUnavailableError,
    UnknownIndicatorError,
)
from aoresearch.sources.ingest import ingest_to_folder
from aoresearch.sources.raw import OBSERVATION_COLUMNS, read_raw, write_raw
from aoresearch.sources.sotkanet_api import fetch_sotkanet, fetch_to_folder
from sotkanet_stub_server import REGIONS, StubSotkanet, indicator_meta, is_missing, synthetic_value

pytestmark = pytest.mark.timeout(60)

YEARS = range(2018, 2021)
NOW = datetime(2025, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
CATALOGUE_YAML = """
indicators:
  - {key: placements_0_17, sotkanet_id: 191, name: Children placed, value: absolute, unit: children, role: outcome, genders: [total, female, male]}
  - {key: children_0_17, sotkanet_id: 1065, name: Children aged 0-17, value: absolute, unit: children, role: denominator, genders: [total]}
  - {key: leisure_participation, sotkanet_id: null, demo_id: 900001, demo_only: no id found, name: Leisure, value: primary, unit: "%", role: protective}
"""
UNKNOWN_YAML = """
indicators:
  - {key: placements_0_17, sotkanet_id: 191, name: Children placed, value: absolute, unit: children, role: outcome}
  - {key: typo_entry, sotkanet_id: 424242, name: Mistyped id, value: primary, unit: "%", role: risk}
"""


def _catalogue(tmp_path, text=CATALOGUE_YAML):
    path = tmp_path / "indicators.yaml"
    path.write_text(text, encoding="utf-8")
    return load_catalogue(path)


def _expected_rows(ident, genders, start=2015, end=2022):
    return sum(
        1
        for r in REGIONS
        for y in YEARS
        for g in genders
        if start <= y <= end and not is_missing(ident, r["id"], y, g)
    )


@pytest.fixture()
def stub():
    server = StubSotkanet({191: indicator_meta(191), 1065: indicator_meta(1065, start=2019, updated="2024-11-30")}).start()
    yield server
    server.stop()




@pytest.fixture()
def catalogue(tmp_path):
    return _catalogue(tmp_path)


@pytest.fixture()
def sleeps():
    return []


@pytest.fixture()
def fetch(stub, session, catalogue, sleeps):
    """Call fetch_sotkanet against the stub with a fake sleep and a fixed clock."""

    def run(cat=None, **config):
        settings = {"base_url": stub.base_url, "timeout_s": 0.5, "max_retries": 2, "backoff_s": 0.1, **config}
        return fetch_sotkanet(cat or catalogue, ApiConfig(**settings), YEARS, session=session, sleep=sleeps.append, clock=lambda: NOW)

    return run


def test_happy_path_rows_dtypes_and_values(fetch):
    raw = fetch()
    obs = raw.observations
    assert list(obs.columns) == list(OBSERVATION_COLUMNS)
    assert obs[["indicator", "region", "year"]].dtypes.astype(str).tolist() == ["int64"] * 3
    assert pd.api.types.is_string_dtype(obs["gender"])
    assert obs[["value", "abs_value"]].dtypes.astype(str).tolist() == ["float64"] * 2
    assert (obs["indicator"] == 191).sum() == _expected_rows(191, ["total", "female", "male"])
    assert (obs["indicator"] == 1065).sum() == _expected_rows(1065, ["total"], start=2019)
    assert set(obs.loc[obs["indicator"] == 1065, "gender"]) == {"total"}
    row = obs[(obs["indicator"] == 191) & (obs["region"] == 1001) & (obs["year"] == 2019) & (obs["gender"] == "female")]
    value, count = synthetic_value(191, 1001, 2019, "female")
    assert row[["value", "abs_value"]].values.tolist() == [[value, float(count)]]
    missing = obs[(obs["region"] == 1002) & (obs["year"] == 2019) & (obs["gender"] == "male")]
    assert missing.empty, "suppressed cells stay absent"
    assert not raw.is_synthetic and raw.ground_truth is None


def test_regions_table(fetch):
    regions = fetch().regions
    assert regions["id"].tolist() == [1001, 1002, 2001, 3001]
    assert regions.loc[regions["id"] == 1001, ["title_fi", "category", "code"]].values.tolist() == [["Esimerkkilä", "KUNTA", "901"]]
    assert regions.loc[regions["id"].isin([1002, 3001]), "code"].tolist() == ["", ""]


def test_provenance_and_responses(fetch, stub):
    raw = fetch()
    prov = raw.provenance
    assert prov["source"] == "sotkanet" and prov["synthetic"] is False
    assert prov["base_url"] == stub.base_url and prov["retrieved_at"] == "2025-05-06T07:08:09+00:00"
    assert prov["indicators"]["191"] == {
        "key": "placements_0_17",
        "title": "Testi-indikaattori 191",
        "data_updated": "2024-03-15",
        "range": {"start": 2015, "end": 2022},
        "primary_value_type": "PER100000",
        "rows": int((raw.observations["indicator"] == 191).sum()),
    }
    assert prov["indicators"]["1065"]["data_updated"] == "2024-11-30"
    urls = [r["url"] for r in prov["requests"]]
    assert len(urls) == 5 and all(r["status"] == 200 and r["retrieved_at"] for r in prov["requests"])
    assert f"{stub.base_url}/json?indicator=191&years=2018&years=2019&years=2020&genders=total&genders=female&genders=male" in urls
    assert f"{stub.base_url}/json?indicator=1065&years=2018&years=2019&years=2020&genders=total" in urls
    assert sorted(raw.responses) == [
        "indicator_1065_data.json", "indicator_1065_meta.json", "indicator_191_data.json", "indicator_191_meta.json", "regions.json",
    ]
    assert json.loads(raw.responses["regions.json"]) == REGIONS
    assert len(json.loads(raw.responses["indicator_191_data.json"])) == prov["indicators"]["191"]["rows"]
    assert any("1065" in n and "outside" in n for n in prov["notices"]), "years outside the range are noticed"


def test_unfetchable_entries_are_noticed(fetch, caplog):
    with caplog.at_level(logging.WARNING, logger="aoresearch.sources.sotkanet_api"):
        raw = fetch()
    assert "leisure_participation" in caplog.text
    assert [n for n in raw.provenance["notices"] if "leisure_participation" in n and "no Sotkanet id" in n]
    assert 900001 not in set(raw.observations["indicator"])


def test_retries_5xx_then_succeeds(fetch, stub, sleeps):
    stub.script("/json?indicator=191", 503, 502)
    raw = fetch()
    assert stub.count("/json?indicator=191") == 3
    assert sleeps == [0.1, 0.2]
    statuses = [r["status"] for r in raw.provenance["requests"] if "indicator=191" in r["url"]]
    assert statuses == [503, 502, 200]
    assert (raw.observations["indicator"] == 191).any()


def test_retries_a_timeout_then_succeeds(fetch, stub, sleeps):
    stub.script("/indicators/191", "timeout")
    raw = fetch(timeout_s=0.3)
    assert stub.count("/indicators/191") == 2 and sleeps == [0.1]
    failed = [r for r in raw.provenance["requests"] if r["status"] is None]
    assert len(failed) == 1 and "timed out" in failed[0]["error"]


def test_retries_exhausted_raise_source_unavailable(fetch, stub, sleeps):
    stub.always("/json?indicator=1065", 503)
    with pytest.raises(SourceUnavailableError) as info:
        fetch()
    message = str(info.value)
    assert f"{stub.base_url}/json?indicator=1065" in message
    assert "3 attempts" in message and "HTTP 503" in message and "no internet? use data.source: demo or file" in message
    assert stub.count("/json?indicator=1065") == 3 and sleeps == [0.1, 0.2]


def test_timeouts_exhausted_raise_source_unavailable(fetch, stub):
    stub.always("/regions", "timeout")
    with pytest.raises(SourceUnavailableError, match=r"/regions failed after 2 attempts; last error: timed out"):
        fetch(timeout_s=0.3, max_retries=1)


def test_unknown_indicator_404_is_not_retried(fetch, stub, sleeps, tmp_path):
    with pytest.raises(UnknownIndicatorError, match=r"indicator id 424242 \(catalogue key 'typo_entry'\)") as info:
        fetch(_catalogue(tmp_path, UNKNOWN_YAML))
    assert "/indicators/424242" in str(info.value)
    assert stub.count("/indicators/424242") == 1 and sleeps == []


def test_truncated_json_is_retried_then_reported(fetch, stub, sleeps):
    stub.always("/json?indicator=191", "truncated")
    with pytest.raises(DataSourceError, match="invalid JSON") as info:
        fetch()
    assert not isinstance(info.value, SourceUnavailableError)
    assert f"{stub.base_url}/json?indicator=191" in str(info.value)
    assert stub.count("/json?indicator=191") == 3 and len(sleeps) == 2


@pytest.mark.parametrize("action", ["truncated", "cut"])
def test_one_broken_body_is_retried(fetch, stub, action):
    stub.script("/indicators/1065", action)
    raw = fetch()
    assert stub.count("/indicators/1065") == 2
    assert raw.provenance["indicators"]["1065"]["data_updated"] == "2024-11-30"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([{"indicator": 191, "year": 2019, "gender": "total", "value": 1.0}], "'region'"),
        ([{"indicator": 191, "region": 1001, "year": "2019", "gender": "total"}], "'year'"),
        ([{"indicator": 191, "region": 1001, "year": 2019, "gender": "both"}], "'gender'"),
        ([{"indicator": 191, "region": 1001, "year": 2019, "gender": "total", "absValue": "12"}], "'absValue'"),
        ([{"indicator": 7, "region": 1001, "year": 2019, "gender": "total"}], "'indicator'"),
        ({"records": []}, "JSON array"),
    ],
)
def test_unexpected_record_shape_names_the_field(fetch, stub, body, field):
    stub.always("/json?indicator=191", ("raw", 200, json.dumps(body)))
    with pytest.raises(DataSourceError, match=field) as info:
        fetch()
    assert "/json?indicator=191" in str(info.value)


def test_region_without_finnish_title_names_the_field(fetch, stub):
    stub.always("/regions", ("raw", 200, json.dumps([{"id": 5, "category": "KUNTA", "title": {"en": "X"}}])))
    with pytest.raises(DataSourceError, match=r"title\.fi"):
        fetch()


def test_offline_connection_refused(catalogue, session, sleeps):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed when the block ends: nothing listens there
    config = ApiConfig(base_url=f"http://127.0.0.1:{port}/rest/1.1", timeout_s=0.5, max_retries=1, backoff_s=0.1)
    with pytest.raises(SourceUnavailableError) as info:
        fetch_sotkanet(catalogue, config, YEARS, session=session, sleep=sleeps.append)
    message = str(info.value)
    assert f"127.0.0.1:{port}/rest/1.1/regions" in message and "connection refused" in message
    assert "no internet? use data.source: demo or file" in message and sleeps == [0.1]


def test_invalid_arguments(fetch, tmp_path, catalogue, stub):
    with pytest.raises(ParameterError, match="years"):
        fetch_sotkanet(catalogue, ApiConfig(base_url=stub.base_url), range(2020, 2020))
    only_demo = "indicators:\n  - {key: x, sotkanet_id: null, demo_id: 900002, demo_only: no id found, name: X, value: primary, role: risk}\n"
    with pytest.raises(CatalogueError, match="nothing to fetch"):
        fetch(_catalogue(tmp_path, only_demo))


def test_default_session_and_clock(stub, catalogue):
    raw = fetch_sotkanet(catalogue, ApiConfig(base_url=stub.base_url + "/", timeout_s=2), YEARS)
    assert raw.provenance["base_url"] == stub.base_url
    assert datetime.fromisoformat(raw.provenance["retrieved_at"]).tzinfo is not None


def test_fetch_to_folder_writes_what_was_received(stub, session, catalogue, tmp_path):
    out = tmp_path / "raw" / "sotkanet"
    raw = fetch_to_folder(catalogue, ApiConfig(base_url=stub.base_url), YEARS, out, session=session, clock=lambda: NOW)
    back = read_raw(out)
    pd.testing.assert_frame_equal(back.observations, raw.observations.sort_values(["indicator", "region", "year", "gender"]).reset_index(drop=True))
    assert back.provenance == json.loads(json.dumps(raw.provenance))
    assert sorted(p.name for p in (out / "responses").iterdir()) == sorted(raw.responses)
    assert (out / "responses" / "indicator_191_data.json").read_text(encoding="utf-8") == raw.responses["indicator_191_data.json"]


def test_failure_mid_way_writes_nothing(stub, session, catalogue, tmp_path, monkeypatch, sleeps):
    calls = []
    monkeypatch.setattr(sotkanet_api, "write_raw", lambda *a, **k: calls.append(a) or write_raw(*a, **k))
    config = ApiConfig(base_url=stub.base_url, timeout_s=0.5, max_retries=1, backoff_s=0.1)
    previous = tmp_path / "previous"
    fetch_to_folder(catalogue, config, YEARS, previous, session=session, sleep=sleeps.append)
    before = {p.relative_to(previous): p.read_bytes() for p in previous.rglob("*") if p.is_file()}
    calls.clear()
    stub.always("/json?indicator=1065", 500)  # the second (last) indicator fails
    for target in (previous, tmp_path / "fresh"):
        with pytest.raises(SourceUnavailableError, match="indicator=1065"):
            fetch_to_folder(catalogue, config, YEARS, target, session=session, sleep=sleeps.append)
    assert stub.count("/json?indicator=191") == 3, "the first indicator was fetched each time"
    assert calls == [], "write_raw is never reached after a failure"
    assert not (tmp_path / "fresh").exists()
    assert {p.relative_to(previous): p.read_bytes() for p in previous.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["indicators.yaml", "previous"], "no partial folder remains"


def test_offline_dns_failure(catalogue, session, sleeps):
    config = ApiConfig(base_url="https://sotkanet.invalid/rest/1.1", timeout_s=2, max_retries=0)
    with pytest.raises(SourceUnavailableError, match=r"sotkanet\.invalid/rest/1\.1/regions failed after 1 attempt") as info:
        fetch_sotkanet(catalogue, config, YEARS, session=session, sleep=sleeps.append)
    assert "no internet? use data.source: demo or file" in str(info.value) and sleeps == []


def test_ingest_stage_uses_the_api_source(stub, catalogue, repo_root, tmp_path):
    document = yaml.safe_load((repo_root / "params.yaml").read_text(encoding="utf-8"))
    document["data"]["source"] = "sotkanet"
    document["data"]["years"] = {"start": YEARS[0], "end": YEARS[-1]}
    document["data"]["sotkanet"].update(base_url=stub.base_url, timeout_s=5)
    raw = ingest_to_folder(parse_params(document), catalogue, tmp_path / "raw")
    assert raw.provenance["source"] == "sotkanet"
    assert read_raw(tmp_path / "raw").provenance["indicators"].keys() == {"191", "1065"}


def test_indicator_without_rows_is_noticed(fetch, stub):
    stub.indicators[1065] = indicator_meta(1065, start=2030, end=2031)
    raw = fetch()
    assert raw.provenance["indicators"]["1065"]["rows"] == 0
    assert any("1065" in n and "no rows" in n for n in raw.provenance["notices"])
    assert set(raw.observations["indicator"]) == {191}
