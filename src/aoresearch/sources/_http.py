"""Retrying GET of JSON documents: the transport of the Sotkanet API source.

Timeouts, connection errors, HTTP 429/5xx and bodies that are not valid JSON (truncated
transfers) are transient: they are retried with exponential backoff. Anything else fails at
once. Every attempt is recorded so that the provenance shows what was asked and answered.
"""

from __future__ import annotations

import json
import logging
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


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime (the default clock)."""
    return datetime.now(timezone.utc)


def iso_utc(moment: datetime) -> str:
    """Return ``moment`` as an ISO 8601 string in UTC, to the second."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class JsonResponse:
    """One successful GET: the URL asked, the status, the body as received and its parsed JSON."""

    url: str
    status: int
    text: str
    document: Any
    retrieved_at: str


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
        Connect and read timeout of one attempt, in seconds.
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
            If the last attempt's body was not valid JSON ("invalid JSON"), the URL is malformed,
            or the server answered another HTTP error status.
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
            response = self.session.get(url, timeout=self.timeout_s, headers=_HEADERS)
        except _BAD_URL as exc:
            raise DataSourceError(f"GET {url}: not a valid URL ({exc}); fix data.sotkanet.base_url.") from exc
        except requests.Timeout as exc:
            raise self._failed(url, stamp, f"timed out after {self.timeout_s:g} s") from exc
        except requests.ConnectionError as exc:
            raise self._failed(url, stamp, _describe_connection_error(exc)) from exc
        except _BROKEN_BODY as exc:
            raise self._failed(url, stamp, f"incomplete response body ({type(exc).__name__})") from exc
        status = response.status_code
        self.request_log.append({"url": url, "status": status, "retrieved_at": stamp})
        if status == 404 and not_found is not None:
            raise not_found(url)
        if status == 429 or status >= 500:
            raise _TransientError(f"HTTP {status}")
        if not 200 <= status < 300:
            raise DataSourceError(
                f"GET {url} returned HTTP {status}: {_snippet(response.content)}. "
                f"This is not a transient failure; check data.sotkanet.base_url and the request."
            )
        try:
            return _parse(url, status, response.content, stamp)
        except _TransientError as exc:
            self.request_log[-1]["error"] = str(exc)
            raise

    def _failed(self, url: str, stamp: str, description: str) -> _TransientError:
        self.request_log.append({"url": url, "status": None, "retrieved_at": stamp, "error": description})
        return _TransientError(description)


def _parse(url: str, status: int, body: bytes, stamp: str) -> JsonResponse:
    try:
        text = body.decode("utf-8-sig")
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _TransientError(f"invalid JSON ({exc}; {len(body)} bytes received)", invalid_json=True) from exc
    return JsonResponse(url=url, status=status, text=text, document=document, retrieved_at=stamp)


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


def _snippet(body: bytes, limit: int = 200) -> str:
    text = body[:limit].decode("utf-8", errors="replace").strip()
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
