"""A local stand-in for the Sotkanet REST API (``../shared/SOTKANET_API.md``), for tests.

Serves ``/regions``, ``/indicators/{id}`` and ``/json?indicator=..&years=..&genders=..`` with
small made-up values on 127.0.0.1, and fails on demand: each resource has a queue of scripted
actions consumed one per request (then normal answers), or a failure repeated forever.

Actions: an int status (e.g. ``503``); ``"timeout"`` (sleep ``delay_s`` before answering);
``"truncated"`` (half the JSON body, honest Content-Length); ``"cut"`` (full Content-Length,
half the body, connection closed); ``("raw", status, text)`` (that exact body, as JSON) or
``("raw", status, text, content_type)`` (that exact body and Content-Type).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

REGIONS = [
    {"id": 1001, "code": "901", "category": "KUNTA", "title": {"fi": "Esimerkkilä", "sv": "Exempelby", "en": "Exampleton"}},
    {"id": 1002, "code": None, "category": "KUNTA", "title": {"fi": "Testikylä", "sv": "Testby", "en": "Testville"}},
    {"id": 2001, "code": "91", "category": "HYVINVOINTIALUE", "title": {"fi": "Koealueen hyvinvointialue", "sv": "Provområdet", "en": "Trial county"}},
    {"id": 3001, "category": "MAA", "title": {"fi": "Koko testimaa", "sv": "Hela testlandet", "en": "Whole test country"}},
]


def indicator_meta(ident: int, start: int = 2015, end: int = 2022, updated: str = "2024-03-15") -> dict:
    """Metadata document of the documented shape, with made-up titles."""
    return {
        "id": ident,
        "title": {"fi": f"Testi-indikaattori {ident}", "en": f"Test indicator {ident}", "sv": f"Testindikator {ident}"},
        "description": {"fi": "<p>Keksitty.</p>", "en": "<p>Made up.</p>", "sv": "<p>Påhittad.</p>"},
        "range": {"start": start, "end": end},
        "data-updated": updated,
        "primaryValueType": {"code": "PER100000", "title": {"fi": "per 100 000", "en": "per 100,000", "sv": "per 100 000"}},
        "decimals": 1,
        "organization": {"id": 2, "title": {"fi": "Testilaitos", "en": "Test institute", "sv": "Testinstitut"}},
        "classifications": {"region": {"values": ["KUNTA", "HYVINVOINTIALUE", "MAA"]}, "sex": {"values": ["male", "female", "total"]}},
    }


def synthetic_value(ident: int, region: int, year: int, gender: str) -> tuple[float, int]:
    """A made-up (value, absValue) pair, deterministic in its arguments."""
    count = (ident % 7 + 1) * 3 + region % 5 + (year - 2000) + {"total": 4, "female": 1, "male": 2}[gender]
    return round(count * 0.25, 2), count


def is_missing(ident: int, region: int, year: int, gender: str) -> bool:
    """Cells absent from the array, like Sotkanet's suppressed cells."""
    return region == 1002 and year % 2 == 1 and gender != "total"


class StubSotkanet:
    """State of the stub: served indicators, scripted failures and the requests seen.

    Parameters
    ----------
    indicators : dict of int to dict
        Indicator id to its metadata document; the data are :func:`synthetic_value`.
    delay_s : float
        How long a ``"timeout"`` action sleeps before answering.
    """

    def __init__(self, indicators: dict[int, dict], delay_s: float = 1.0) -> None:
        self.indicators = indicators
        self.delay_s = delay_s
        self.hits: list[str] = []
        self._scripts: dict[str, deque] = {}
        self._always: dict[str, object] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- control ---------------------------------------------------------------------------
    def script(self, resource: str, *actions: object) -> None:
        """Answer the next requests of ``resource`` (e.g. ``"/json?indicator=191"``) with ``actions``."""
        self._scripts.setdefault(resource, deque()).extend(actions)

    def always(self, resource: str, action: object) -> None:
        """Answer every request of ``resource`` with ``action``."""
        self._always[resource] = action

    def count(self, resource: str) -> int:
        """Number of requests seen for ``resource``."""
        with self._lock:
            return sum(1 for hit in self.hits if hit == resource)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the stub first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/rest/1.1"

    def start(self) -> "StubSotkanet":
        stub = self

        class Handler(_Handler):
            state = stub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    # --- answers ---------------------------------------------------------------------------
    def next_action(self, resource: str) -> object | None:
        with self._lock:
            self.hits.append(resource)
            queue = self._scripts.get(resource)
            if queue:
                return queue.popleft()
            return self._always.get(resource)

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, object]:
        """Status and JSON document of a normal answer."""
        if path == "/regions":
            return 200, REGIONS
        if path.startswith("/indicators/"):
            ident = _int(path.rsplit("/", 1)[1])
            return (200, self.indicators[ident]) if ident in self.indicators else (404, {"message": "not found"})
        if path == "/json":
            ident = _int(query.get("indicator", [""])[0])
            if ident not in self.indicators:
                return 404, {"message": "not found"}
            return 200, self._records(ident, query)
        return 404, {"message": f"no such endpoint {path}"}

    def _records(self, ident: int, query: dict[str, list[str]]) -> list[dict]:
        years = [int(y) for y in query.get("years", [])]
        genders = query.get("genders", ["total"])
        span = self.indicators[ident]["range"]
        records = []
        for region in REGIONS:
            for year in years:
                for gender in genders:
                    if not span["start"] <= year <= span["end"] or is_missing(ident, region["id"], year, gender):
                        continue
                    value, count = synthetic_value(ident, region["id"], year, gender)
                    records.append({"indicator": ident, "region": region["id"], "year": year, "gender": gender, "value": value, "absValue": count})
        return records


def resource_of(path: str, query: dict[str, list[str]]) -> str:
    """Script key of a request: the path, plus ``?indicator=`` for the data endpoint."""
    return f"{path}?indicator={query.get('indicator', [''])[0]}" if path == "/json" else path


class _Handler(BaseHTTPRequestHandler):
    state: StubSotkanet

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        path = parts.path.removeprefix("/rest/1.1")
        query = parse_qs(parts.query)
        action = self.state.next_action(resource_of(path, query))
        try:
            self._act(action, path, query)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def _act(self, action: object, path: str, query: dict[str, list[str]]) -> None:
        if isinstance(action, int):
            return self._send(action, json.dumps({"message": "scripted failure"}).encode())
        if isinstance(action, tuple) and action[0] == "raw":
            return self._send(action[1], action[2].encode("utf-8"), content_type=action[3] if len(action) > 3 else None)
        if action == "timeout":
            time.sleep(self.state.delay_s)
        status, document = self.state.answer(path, query)
        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
        if action == "truncated":
            return self._send(status, body[: len(body) // 2])
        if action == "cut":
            return self._send(status, body[: len(body) // 2], length=len(body))
        return self._send(status, body)

    def _send(self, status: int, body: bytes, length: int | None = None, content_type: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type or "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (signature of the base class)
        pass


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
