"""``python -m aoresearch.sources.search_indicators`` against a recorded ``/indicators`` response.

The fixture ``fixtures/sotkanet_indicators_2015.json`` holds ten entries copied verbatim from
Sotkanet's ``/rest/1.1/indicators`` response as recorded in 2015 by oskariorg/oskari-server
(``SotkaIndicators.json``, MIT OR EUPL-1.1; public metadata, no data values; see
``../shared/SOTKANET_IDS.md`` [OSK]). It is served on 127.0.0.1 by a local http.server.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aoresearch.errors import DataSourceError
from aoresearch.sources.search_indicators import Listing, fold, format_levels, main, parse_indicator_list, search

FIXTURE = Path(__file__).parent / "fixtures" / "sotkanet_indicators_2015.json"


class _Handler(BaseHTTPRequestHandler):
    body: bytes = b""
    content_type = "application/json;charset=UTF-8"

    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path.rstrip("/") != "/rest/1.1/indicators":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def _serve(body: bytes, content_type: str = "application/json;charset=UTF-8"):
    handler = type("Handler", (_Handler,), {"body": body, "content_type": content_type})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/rest/1.1"


@pytest.fixture()
def api_url():
    server, url = _serve(FIXTURE.read_bytes())
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def listings():
    return parse_indicator_list(json.loads(FIXTURE.read_text(encoding="utf-8")), "fixture")


def test_finnish_stems_find_the_child_psychiatric_care_periods(api_url, capsys):
    assert main(["psykiatr laitoshoidon", "vuotiailla", "--api-url", api_url]) == 0
    out = capsys.readouterr().out
    ids = [int(line.split()[0]) for line in out.splitlines()[2:] if line[:6].strip().isdigit()]
    assert set(ids) == {2557, 2558, 2559, 2560}
    line_2557 = next(line for line in out.splitlines() if line.strip().startswith("2557"))
    assert "MK,SHP,AVI,SA,NUTS1,MAA" in line_2557 and "psych_inpatient_periods_0_6" in line_2557
    assert "Psychiatric inpatient care, periods of care for those aged 0-6" in out


def test_english_words_and_levels_with_the_municipality(api_url, capsys):
    assert main(["single parent", "--api-url", api_url]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.strip().startswith("74"))
    assert "K+ (no HVA)" in line and "single_parent_families" in line and "Yksinhuoltajaperheet" in line


def test_matching_ignores_case_and_the_dots_of_a_and_o(listings):
    assert [m.listing.id for m in search(listings, ["TYOTTOMAT"])] == [181]
    assert [m.listing.id for m in search(listings, ["häiriöihin"])] == [4]
    assert fold("Häiriöihin Å") == "hairioihin a"


def test_every_language_is_searched(listings):
    # 3075's Finnish and English titles lack the stem; its Swedish one has "psykiatrisk".
    assert {m.listing.id for m in search(listings, ["psykiatr"])} == {2557, 2558, 2559, 2560, 3058, 3075}


def test_a_word_at_the_start_of_a_word_ranks_first():
    listings = (Listing(1, {"fi": "Lastenpsykiatria"}, ()), Listing(2, {"fi": "Psykiatria, lapset ja nuoret"}, ()),
                Listing(3, {"fi": "Psykiatria"}, ()))
    assert [m.listing.id for m in search(listings, ["psykiatr"])] == [3, 2, 1]


def test_every_word_must_match_in_some_language(listings):
    assert [m.listing.id for m in search(listings, ["laitoshoidon", "13-17"])] == [2559]
    assert search(listings, ["laitoshoidon", "divorce"]) == []


def test_no_match_says_so_and_exits_1(api_url, capsys):
    assert main(["avioero", "--api-url", api_url]) == 1
    err = capsys.readouterr().err
    assert "no indicator of the 10" in err and "avioero" in err


def test_unreachable_server_is_a_clear_error(capsys):
    server, url = _serve(b"[]")
    server.shutdown()
    server.server_close()
    assert main(["x", "--api-url", url, "--timeout", "2", "--retries", "0"]) == 2
    err = capsys.readouterr().err
    assert "could not read the indicator list" in err and "--api-url" in err


def test_broken_json_is_a_clear_error(capsys):
    server, url = _serve(FIXTURE.read_bytes()[:500])
    try:
        assert main(["x", "--api-url", url, "--timeout", "2", "--retries", "0"]) == 2
    finally:
        server.shutdown()
        server.server_close()
    assert "invalid JSON" in capsys.readouterr().err


def test_a_document_of_the_wrong_shape_is_rejected():
    with pytest.raises(DataSourceError, match="expected a JSON array of indicators, got a JSON object"):
        parse_indicator_list({"id": 1}, "u")
    with pytest.raises(DataSourceError, match="indicator 0 .*whole-number 'id'"):
        parse_indicator_list([{"title": {"fi": "x"}}], "u")
    with pytest.raises(DataSourceError, match=r"id 7\) has no title"):
        parse_indicator_list([{"id": 7, "title": {}}], "u")


def test_level_summary():
    assert format_levels(["KUNTA", "MAA"]) == "K,MAA"
    assert format_levels(["MAAKUNTA", "MAA"]) == "MK,MAA"
