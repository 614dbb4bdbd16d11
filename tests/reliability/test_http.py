"""The Sotkanet client against misbehaving servers on 127.0.0.1: a total deadline per request,
pages that are not JSON, and renamed value fields."""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from aoresearch.config import ApiConfig
from aoresearch.errors import DataSourceError, SourceUnavailableError
from aoresearch.sources._http import JsonClient
from aoresearch.sources.sotkanet_api import fetch_sotkanet, fetch_to_folder
from aoresearch.sources.raw import write_raw
from conftest import small_raw, snapshot
from sotkanet_stub_server import REGIONS, synthetic_value

pytestmark = pytest.mark.timeout(60)

YEARS = range(2019, 2021)
NOW = datetime(2026, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
DRIP_EVERY_S = 0.4  # well under the timeout: a per-read timeout would never fire
TIMEOUT_S = 1.0


class _Drip:
    """A server on 127.0.0.1 that sends its answer one byte at a time (bounded: at most 100 bytes).

    ``headers_too``: drip the status line and headers as well, not only the body.
    """

    def __init__(self, headers_too: bool) -> None:
        self.headers_too = headers_too
        self.stop = threading.Event()
        self.requests = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, daemon=True)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/rest/1.1/regions"

    def __enter__(self) -> "_Drip":
        self._accept.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._accept.join(5)
        for thread in self._threads:
            thread.join(5)
        self._listener.close()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                continue
            self.requests += 1
            thread = threading.Thread(target=self._drip, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _drip(self, conn: socket.socket) -> None:
        body = json.dumps(REGIONS).encode()[:60]
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)
                if not self.headers_too:
                    conn.sendall(head)
                payload = (head + body) if self.headers_too else body
                for byte in payload[:100]:
                    if self.stop.wait(DRIP_EVERY_S):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return  # the client gave up and closed the connection


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers"])
def test_dripping_server_is_cut_at_the_total_deadline(session, headers_too):
    sleeps: list[float] = []
    client = JsonClient(session, TIMEOUT_S, 1, 0.1, sleeps.append, lambda: NOW)
    with _Drip(headers_too) as server:
        started = time.monotonic()
        with pytest.raises(SourceUnavailableError) as info:
            client.get(server.url)
        elapsed = time.monotonic() - started
        requests_seen = server.requests
    attempts = 2
    assert attempts * TIMEOUT_S <= elapsed < attempts * 3 * TIMEOUT_S, f"took {elapsed:.1f} s"
    assert requests_seen == attempts and sleeps == [0.1], "each retry has its own deadline"
    message = str(info.value)
    assert f"GET {server.url} failed after 2 attempts" in message
    assert "timed out after 1 s (deadline of the whole request: connect, headers and body)" in message
    assert [r["error"] for r in client.request_log] == [client.request_log[0]["error"]] * 2


def _html(status: int) -> tuple:
    page = "<!DOCTYPE html><html><head><title>Service temporarily unavailable</title></head>" + "<body>" + "x" * 500
    return ("raw", status, page, "text/html; charset=utf-8")


def test_html_page_with_status_200_names_url_status_type_and_body(stub, session, catalogue, tmp_path):
    out = tmp_path / "raw"
    write_raw(small_raw("previous good"), out)
    before = snapshot(out)
    stub.always("/json?indicator=191", _html(200))
    config = ApiConfig(base_url=stub.base_url, timeout_s=5, max_retries=2, backoff_s=0.0)
    with pytest.raises(DataSourceError) as info:
        fetch_to_folder(catalogue, config, YEARS, out, session=session, sleep=lambda s: None, clock=lambda: NOW)
    message = str(info.value)
    url = f"{stub.base_url}/json?indicator=191&years=2019&years=2020&genders=total&genders=female&genders=male"
    assert f"GET {url} returned HTTP 200 with content type 'text/html; charset=utf-8'" in message
    assert "body starts: '<!DOCTYPE html><html><head><title>Service temporarily unavailable</title>" in message
    assert "x" * 100 in message and "x" * 200 not in message, "about 200 characters of the body, not all of it"
    assert "not JSON" in message and "invalid JSON" not in message
    assert not isinstance(info.value, SourceUnavailableError)
    assert stub.count("/json?indicator=191") == 1, "a page is not a transient failure: not retried"
    assert snapshot(out) == before, "the earlier good data set is unchanged"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["indicators.yaml", "raw"], "nothing partial left"


def test_html_page_sent_as_json_is_not_mistaken_for_a_truncated_body(stub, session, catalogue):
    stub.always("/regions", ("raw", 200, "<html><body>Login required</body></html>"))
    config = ApiConfig(base_url=stub.base_url, timeout_s=5, max_retries=2, backoff_s=0.0)
    with pytest.raises(DataSourceError, match=r"/regions returned HTTP 200 with content type 'application/json;charset=UTF-8', "
                       r"40 bytes, body starts: '<html><body>Login required</body></html>'"):
        fetch_sotkanet(catalogue, config, YEARS, session=session, sleep=lambda s: None, clock=lambda: NOW)
    assert stub.count("/regions") == 1


def test_html_error_status_is_described(stub, session, catalogue):
    stub.always("/regions", _html(503))
    config = ApiConfig(base_url=stub.base_url, timeout_s=5, max_retries=1, backoff_s=0.0)
    with pytest.raises(SourceUnavailableError, match=r"last error: HTTP 503 \(content type 'text/html; charset=utf-8', \d+ bytes, "
                       r"body starts: '<!DOCTYPE html>"):
        fetch_sotkanet(catalogue, config, YEARS, session=session, sleep=lambda s: None, clock=lambda: NOW)


def _records(ident: int, rename: dict[str, str | None]) -> str:
    """The stub's records of ``ident`` for YEARS (total only), with fields renamed (None: dropped)."""
    records = []
    for region in REGIONS:
        for year in YEARS:
            value, count = synthetic_value(ident, region["id"], year, "total")
            record = {"indicator": ident, "region": region["id"], "year": year, "gender": "total", "value": value, "absValue": count}
            for old, new in rename.items():
                moved = record.pop(old)
                if new is not None:
                    record[new] = moved
            records.append(record)
    return json.dumps(records)


@pytest.mark.parametrize(
    ("ident", "rename", "expected", "found"),
    [
        (191, {"absValue": "abs_value"}, "absValue", "['abs_value', 'gender', 'indicator', 'region', 'value', 'year']"),
        (493, {"value": None}, "value", "['absValue', 'gender', 'indicator', 'region', 'year']"),
    ],
    ids=["absValue-renamed", "value-missing"],
)
def test_renamed_value_field_fails_for_the_indicator_that_needs_it(stub, session, catalogue, tmp_path, ident, rename, expected, found):
    out = tmp_path / "raw"
    write_raw(small_raw("previous good"), out)
    before = snapshot(out)
    stub.always(f"/json?indicator={ident}", ("raw", 200, _records(ident, rename)))
    config = ApiConfig(base_url=stub.base_url, timeout_s=5, max_retries=0, genders=("total",))
    with pytest.raises(DataSourceError) as info:
        fetch_to_folder(catalogue, config, YEARS, out, session=session, clock=lambda: NOW)
    message = str(info.value)
    key = catalogue.by_raw_id(ident).key
    assert message.startswith(f"indicator {ident} ({key}): the catalogue uses its {catalogue.by_raw_id(ident).value} value, field '{expected}'")
    assert f"absent from every record of the {len(REGIONS) * len(YEARS)} records" in message
    assert f"fields found: {found}" in message and f"/json?indicator={ident}" in message
    assert snapshot(out) == before and sorted(p.name for p in tmp_path.iterdir()) == ["indicators.yaml", "raw"]


def test_field_the_indicator_does_not_use_may_be_missing(stub, session, catalogue):
    """absValue is optional for an indicator that uses the primary value (Sotkanet gives it 'where one exists')."""
    stub.always("/json?indicator=493", ("raw", 200, _records(493, {"absValue": None})))
    config = ApiConfig(base_url=stub.base_url, timeout_s=5, max_retries=0, genders=("total",))
    raw = fetch_sotkanet(catalogue, config, YEARS, session=session, clock=lambda: NOW)
    rows = raw.observations[raw.observations["indicator"] == 493]
    assert len(rows) == len(REGIONS) * len(YEARS) and rows["value"].notna().all() and rows["abs_value"].isna().all()


def test_some_records_without_the_value_are_noticed(stub, session, catalogue):
    records = json.loads(_records(191, {}))
    del records[0]["absValue"]
    records[1]["absValue"] = None
    stub.always("/json?indicator=191", ("raw", 200, json.dumps(records)))
    config = ApiConfig(base_url=stub.base_url, timeout_s=5, max_retries=0, genders=("total",))
    raw = fetch_sotkanet(catalogue, config, YEARS, session=session, clock=lambda: NOW)
    assert f"indicator 191 (placements_0_17): 2 of {len(records)} records have no 'absValue' (absent or null); those cells stay empty" in raw.provenance["notices"]
