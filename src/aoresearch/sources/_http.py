"""Retrying GET of JSON documents: the transport of the Sotkanet API source.

``timeout_s`` is a deadline for one whole attempt (connect, headers and every read of the
body), not a per-read timeout: a server that sends one byte every second would otherwise hold
a request for as long as it likes. The attempt runs in a helper thread; at the deadline the
caller stops waiting and the socket is shut down, which wakes the blocked read. Retries are
counted separately: each attempt has its own deadline.

Timeouts, connection errors, HTTP 429/5xx and bodies that are not valid JSON (truncated
transfers) are transient: they are retried with exponential backoff. Anything else fails at
once, among them a body that is not JSON at all (an HTML error or login page, even with status
200): its error names the URL, the status, the content type and the start of the body. Every
attempt is recorded so that the provenance shows what was asked and answered.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

import requests

from aoresearch.errors import DataSourceError, SourceUnavailableError

__all__ = ["JsonClient", "JsonResponse", "OFFLINE_HINT", "iso_utc", "utc_now", "json_kind", "is_whole", "is_number"]

logger = logging.getLogger(__name__)

OFFLINE_HINT = (
    "Check the internet connection and data.sotkanet.base_url in params.yaml, or retry later "
    "(no internet? use data.source: demo or file)."
)
_HEADERS = {"Accept": "application/json", "User-Agent": "aoresearch (research pipeline; requests)"}
_BAD_URL = (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)
_BROKEN_BODY = (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)
_JSON_TYPES = ("application/json", "text/json")
_SNIPPET_CHARS = 200


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime (the default clock)."""
    return datetime.now(timezone.utc)


def iso_utc(moment: datetime) -> str:
    """Return ``moment`` as an ISO 8601 string in UTC, to the second."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class JsonResponse:
    """One successful GET: the URL asked, the status, the body as received, its parsed JSON and content type."""

    url: str
    status: int
    text: str
    document: Any
    retrieved_at: str
    content_type: str = ""


class _TransientError(Exception):
    """A failure worth retrying; ``invalid_json`` marks a body that arrived but did not parse."""

    def __init__(self, description: str, invalid_json: bool = False) -> None:
        super().__init__(description)
        self.invalid_json = invalid_json


@dataclass
class JsonClient:
    """GET JSON documents with retries; ``request_log`` lists every attempt made.

    Parameters
    ----------
    session : requests.Session
        The HTTP session (injected so that tests and callers control it).
    timeout_s : float
        Deadline of one attempt in seconds: connect, headers and the whole body together.
    max_retries : int
        Retries after the first attempt (``max_retries + 1`` attempts in all).
    backoff_s : float
        Wait before retry ``k`` (0-based) is ``backoff_s * 2**k`` seconds.
    sleep, clock : callable
        Injected ``time.sleep`` and a clock returning an aware datetime.
    """

    session: requests.Session
    timeout_s: float
    max_retries: int
    backoff_s: float
    sleep: Callable[[float], None]
    clock: Callable[[], datetime]
    request_log: list[dict[str, Any]] = field(default_factory=list)

    def get(
        self,
        url: str,
        params: dict[str, Any] | None = None,
        *,
        not_found: Callable[[str], Exception] | None = None,
    ) -> JsonResponse:
        """GET ``url`` with ``params`` (list values repeat the parameter) and parse the JSON body.

        Parameters
        ----------
        url : str
            Endpoint URL without query string.
        params : dict, optional
            Query parameters; a list value gives ``key=v1&key=v2``.
        not_found : callable, optional
            Called with the full URL on HTTP 404; the exception it returns is raised (no retry).

        Returns
        -------
        JsonResponse

        Raises
        ------
        SourceUnavailableError
            If every attempt timed out, could not connect or got HTTP 429/5xx.
        DataSourceError
            If the last attempt's body was not valid JSON ("invalid JSON"), the body is not
            JSON at all (e.g. an HTML page, whatever the status), the URL is malformed, or the
            server answered another HTTP error status.
        Exception
            Whatever ``not_found`` returns, on HTTP 404.
        """
        full_url = _full_url(url, params)
        attempts = max(int(self.max_retries), 0) + 1
        last: _TransientError | None = None
        for attempt in range(attempts):
            if last is not None:
                delay = self.backoff_s * 2 ** (attempt - 1)
                logger.warning("GET %s: %s; retry %d/%d in %.1f s", full_url, last, attempt, attempts - 1, delay)
                self.sleep(delay)
            try:
                return self._attempt(full_url, not_found)
            except _TransientError as exc:
                last = exc
        raise _exhausted(full_url, attempts, last)

    def _attempt(self, url: str, not_found: Callable[[str], Exception] | None) -> JsonResponse:
        stamp = iso_utc(self.clock())
        try:
            response, body = _transfer(self.session, url, self.timeout_s)
        except _BAD_URL as exc:
            raise DataSourceError(f"GET {url}: not a valid URL ({exc}); fix data.sotkanet.base_url.") from exc
        except (requests.Timeout, _DeadlineExceeded) as exc:
            description = f"timed out after {self.timeout_s:g} s (deadline of the whole request: connect, headers and body)"
            raise self._failed(url, stamp, description) from exc
        except requests.ConnectionError as exc:
            raise self._failed(url, stamp, _describe_connection_error(exc)) from exc
        except _BROKEN_BODY as exc:
            raise self._failed(url, stamp, f"incomplete response body ({type(exc).__name__})") from exc
        status = response.status_code
        content_type = response.headers.get("Content-Type", "")
        self.request_log.append({"url": url, "status": status, "retrieved_at": stamp, "content_type": content_type})
        if status == 404 and not_found is not None:
            raise not_found(url)
        if status == 429 or status >= 500:
            raise _TransientError(f"HTTP {status} ({_describe_body(content_type, body, 80)})")
        if not 200 <= status < 300:
            raise DataSourceError(
                f"GET {url} returned HTTP {status} ({_describe_body(content_type, body)}). "
                f"This is not a transient failure; check data.sotkanet.base_url and the request."
            )
        try:
            return _parse(url, status, content_type, body, stamp)
        except _TransientError as exc:
            self.request_log[-1]["error"] = str(exc)
            raise
        except DataSourceError:
            self.request_log[-1]["error"] = "not JSON"
            raise

    def _failed(self, url: str, stamp: str, description: str) -> _TransientError:
        self.request_log.append({"url": url, "status": None, "retrieved_at": stamp, "error": description})
        return _TransientError(description)


class _DeadlineExceeded(Exception):
    """The attempt's deadline passed before the whole response arrived."""


class _Transfer:
    """One GET, run in a helper thread so that the caller can stop waiting at the deadline."""

    def __init__(self, session: requests.Session, url: str, timeout_s: float) -> None:
        self.session, self.url, self.timeout_s = session, url, timeout_s
        self.done = threading.Event()
        self.response: requests.Response | None = None
        self.body = b""
        self.error: BaseException | None = None
        self._cancelled = False
        self._lock = threading.Lock()

    def run(self) -> None:
        try:
            response = self.session.get(self.url, timeout=(self.timeout_s, self.timeout_s), headers=_HEADERS, stream=True)
            with self._lock:
                self.response = response
                cancelled = self._cancelled
            if cancelled:
                response.close()
                return
            chunks = []
            for chunk in response.iter_content(1 << 16):
                chunks.append(chunk)
                if self._cancelled:
                    break
            self.body = b"".join(chunks)
        except BaseException as exc:  # handed to the waiting thread, which re-raises it
            self.error = exc
        finally:
            self.done.set()

    def cancel(self) -> None:
        """Give up: shut the socket down so that a read blocked in the helper thread returns."""
        with self._lock:
            self._cancelled = True
            response = self.response
        if response is not None:
            _shutdown(response)
            response.close()


def _transfer(session: requests.Session, url: str, timeout_s: float) -> tuple[requests.Response, bytes]:
    """GET ``url`` and read the whole body within ``timeout_s`` seconds, or raise ``_DeadlineExceeded``."""
    transfer = _Transfer(session, url, timeout_s)
    thread = threading.Thread(target=transfer.run, name="aoresearch-http-get", daemon=True)
    thread.start()
    if not transfer.done.wait(max(timeout_s, 0.0)):
        transfer.cancel()
        thread.join(0.2)  # usually ends at once; a server stalling in the headers is left behind (daemon)
        raise _DeadlineExceeded(url)
    if transfer.error is not None or transfer.response is None:
        raise transfer.error or requests.ConnectionError(f"GET {url}: no response")
    return transfer.response, transfer.body


def _shutdown(response: requests.Response) -> None:
    raw = response.raw
    try:
        raw.shutdown()  # urllib3 >= 2.3
        return
    except Exception:  # noqa: BLE001 (older urllib3, or the connection is already gone)
        pass
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _is_json_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in _JSON_TYPES or media.endswith("+json")


def _describe_body(content_type: str, body: bytes, limit: int = _SNIPPET_CHARS) -> str:
    kind = f"content type {content_type!r}" if content_type else "no content type"
    return f"{kind}, {len(body)} bytes, body starts: {_snippet(body, limit)}"


def _parse(url: str, status: int, content_type: str, body: bytes, stamp: str) -> JsonResponse:
    """Parse a 2xx body; a page that is not JSON at all fails at once, a broken JSON body is retried."""
    looks_like_markup = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"
    if (content_type and not _is_json_type(content_type)) or looks_like_markup:
        raise DataSourceError(
            f"GET {url} returned HTTP {status} with {_describe_body(content_type, body)}: not JSON, "
            f"although a JSON document was expected. The server sent a page instead of data (an error, "
            f"maintenance or login page?); check data.sotkanet.base_url (or a proxy in between) and retry later."
        )
    try:
        text = body.decode("utf-8-sig")
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _TransientError(
            f"invalid JSON ({exc}; HTTP {status}, {_describe_body(content_type, body)})", invalid_json=True
        ) from exc
    return JsonResponse(url=url, status=status, text=text, document=document, retrieved_at=stamp, content_type=content_type)


def _exhausted(url: str, attempts: int, last: _TransientError | None) -> DataSourceError:
    tried = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    if last is not None and last.invalid_json:
        return DataSourceError(
            f"GET {url}: the server sent invalid JSON on all {tried} (truncated or malformed body); "
            f"last error: {last}. Retry later; {OFFLINE_HINT}"
        )
    return SourceUnavailableError(f"GET {url} failed after {tried}; last error: {last}. {OFFLINE_HINT}")


def _full_url(url: str, params: dict[str, Any] | None) -> str:
    prepared = requests.models.PreparedRequest()
    try:
        prepared.prepare_url(url, params)
    except _BAD_URL as exc:
        raise DataSourceError(f"'{url}' is not a valid URL ({exc}); fix data.sotkanet.base_url.") from exc
    return prepared.url


def _describe_connection_error(exc: Exception) -> str:
    text = str(exc)
    if any(s in text for s in ("NameResolutionError", "Name or service not known", "getaddrinfo", "nodename nor servname")):
        return "DNS lookup failed (offline?)"
    if "Connection refused" in text or "ConnectionRefusedError" in text:
        return "connection refused (offline, or nothing listens at data.sotkanet.base_url)"
    if "timed out" in text:
        return "timed out while reading the response"
    return f"connection error: {text[:300]}"


def _snippet(body: bytes, limit: int = _SNIPPET_CHARS) -> str:
    text = body[: 4 * limit].decode("utf-8", errors="replace").strip()[:limit]
    return repr(text) if text else "(empty body)"


def json_kind(value: Any) -> str:
    """Name the JSON type of a parsed value, for error messages ("a JSON array", ...)."""
    names = {dict: "a JSON object", list: "a JSON array", str: "a JSON string", type(None): "null", bool: "a boolean"}
    return names.get(type(value), "a JSON number")


def is_whole(value: Any) -> bool:
    """True for a JSON integer (or a float with no fraction), false for booleans and text."""
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())


def is_number(value: Any) -> bool:
    """True for a JSON number, false for booleans and text."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)
