"""The only code that speaks HTTP: one requests.Session per data container.

It sends the Api-Token header, spaces requests under the rate limit, retries reads after 429,
5xx, timeouts and dropped connections (honouring Retry-After), never blindly repeats a write whose
outcome is unknown, and records every attempt in the session's IoLog. The key never leaves the header.
"""
from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import requests

from acn_magic import nativelog, ratelimit
from acn_magic.errors import ApiError, AuthenticationError, QueryCancelled, TransportError
from acn_magic.iolog import IoLog, RequestContext, SessionIO
from acn_magic.ratelimit import sleep_cancellable

RETRYABLE_STATUS = {429, 500, 502, 503, 504}
MAX_BACKOFF_SECONDS = 8.0


@dataclass
class Response:
    status: int
    body: Any
    headers: dict[str, str]
    size: int = 0  # bytes received
    rows: int = 0  # rows in the list envelope


class Transport:
    """HTTP for one data container (one ActiveCampaign account)."""

    def __init__(self, alias: str, api_url: str, api_key: str, iolog: IoLog, attributes: dict[str, Any]) -> None:
        self.alias = alias
        self.api_base = api_url.rstrip("/") + "/api/3"
        self.host = urlsplit(api_url).netloc
        self.iolog = iolog
        self.attributes = attributes
        self.limiter = ratelimit.for_account(api_url, float(attributes["max-requests-per-second"]))
        self._http = requests.Session()
        self._http.headers.update({"Api-Token": api_key, "Accept": "application/json",
                                   "User-Agent": "acn_magic (SQL over the ActiveCampaign API)"})
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=32, max_retries=0)
        self._http.mount("http://", adapter)
        self._http.mount("https://", adapter)
        self._jitter = random.Random()
        self._slots = threading.BoundedSemaphore(int(attributes["max-concurrent-requests"]))
        self._cache: dict[str, tuple[float, Response]] = {}
        self._inflight: dict[str, threading.Event] = {}
        self._cache_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Transport(alias={self.alias!r}, api_base={self.api_base!r})"

    def close(self) -> None:
        self._http.close()

    def apply_attributes(self) -> None:
        """Make changed driver attributes (set NAME VALUE) effective at once."""
        self.limiter.set_rate(float(self.attributes["max-requests-per-second"]))
        self._slots = threading.BoundedSemaphore(int(self.attributes["max-concurrent-requests"]))
        if not self.attributes["use-http-memory-cache"]:
            self.clear_cache()

    # ---- public calls --------------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, Any] | list[tuple[str, Any]], context: RequestContext,
            envelope: str | None = None, cancel: threading.Event | None = None, use_cache: bool = True,
            store: bool = True, max_age: float | None = None) -> Response:
        """A read, served from the cache when fresh, else retried until it succeeds or retries run out.

        Identical reads in flight at once are made once: the others wait for the first.
        """
        url = _full_url(self.api_base + path, params)
        caching = bool(self.attributes["use-http-memory-cache"])
        if not caching or not (use_cache or store):
            return self._request("GET", path, params, None, context, envelope, cancel, idempotent=True)
        age_limit = float(self.attributes["http-memory-cache-seconds"]) if max_age is None else max_age
        while True:
            with self._cache_lock:
                cached = self._cache.get(url)
                if use_cache and cached is not None and time.monotonic() - cached[0] <= age_limit:
                    self._record_hit(url, context, cached[1])
                    return cached[1]
                leader_event = self._inflight.get(url)
                if leader_event is None:
                    self._inflight[url] = threading.Event()
                    break
            while not leader_event.wait(0.1):  # another thread is fetching this very URL
                if cancel is not None and cancel.is_set():
                    raise QueryCancelled("The statement was cancelled.")
        try:
            response = self._request("GET", path, params, None, context, envelope, cancel, idempotent=True)
            if store:
                with self._cache_lock:
                    self._cache[url] = (time.monotonic(), response)
            return response
        finally:
            with self._cache_lock:
                self._inflight.pop(url).set()

    def send(self, method: str, path: str, body: Any, context: RequestContext,
             cancel: threading.Event | None = None) -> Response:
        """A write: retried only when it certainly did not reach the server. Invalidates the resource's cache."""
        try:
            return self._request(method, path, None, body, context, None, cancel, idempotent=False)
        finally:
            self.invalidate(path)

    def invalidate(self, path: str) -> None:
        """Drop cached reads of the resource a path belongs to (/contacts/5 → every /contacts read)."""
        resource = path.strip("/").split("/")[0].split("?")[0]
        prefix = f"{self.api_base}/{resource}"
        with self._cache_lock:
            for url in [u for u in self._cache if u == prefix or u.startswith((prefix + "?", prefix + "/"))]:
                del self._cache[url]

    def clear_cache(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    def _record_hit(self, url: str, context: RequestContext, response: Response) -> None:
        io = self._start_io("GET", url, context, 0, 0.0, 0)
        io.from_cache = True
        self._finish_io(io, response.status, response.size, response.rows, None)

    # ---- the attempt loop --------------------------------------------------------------------------------

    def _request(self, method: str, path: str, params: Any, body: Any, context: RequestContext,
                 envelope: str | None, cancel: threading.Event | None, *, idempotent: bool) -> Response:
        url = self.api_base + path
        data = json.dumps(body).encode() if body is not None else None
        prepared_url = _full_url(url, params)
        max_retries = int(self.attributes["max-retries"])
        attempt = 0
        while True:
            if cancel is not None and cancel.is_set():
                raise QueryCancelled("The statement was cancelled.")
            waited = self.limiter.acquire(cancel)
            io = self._start_io(method, prepared_url, context, attempt, waited, len(data or b""))
            retry_after: float | None = None
            try:
                with self._slots:
                    raw = self._http.request(method, url, params=params, data=data,
                                             headers={"Content-Type": "application/json"} if data else None,
                                             timeout=self.attributes["request-timeout-seconds"])
                    content = raw.content  # reading the body can fail too (a connection closed mid-body)
            except requests.exceptions.RequestException as exc:
                reached_server = not isinstance(exc, requests.exceptions.ConnectTimeout) and not _refused(exc)
                self._finish_io(io, None, 0, 0, _describe(exc))
                self._native_log(io, data, None, None)
                if attempt < max_retries and (idempotent or not reached_server):
                    attempt += 1
                    self._backoff(attempt, None, cancel)
                    continue
                if not idempotent and reached_server:
                    raise TransportError(f"{method} {prepared_url} on data container \"{self.alias}\" may or may not "
                                         f"have been applied: {_describe(exc)}. Check the record before repeating "
                                         f"the change.") from None
                raise TransportError(f"{method} {prepared_url} on data container \"{self.alias}\" failed after "
                                     f"{attempt + 1} attempts: {_describe(exc)}. Check that {self.host} is "
                                     f"reachable, or raise max-retries.") from None
            status = raw.status_code
            parsed, parse_error = _parse(content)
            rows = len(parsed.get(envelope, [])) if envelope and isinstance(parsed, dict) else 0
            error_text = None if status < 400 and parse_error is None else (_api_message(parsed) or parse_error or "")
            self._finish_io(io, status, len(content), rows, error_text if status >= 400 or parse_error else None)
            self._native_log(io, data, dict(raw.headers), content)
            if status in RETRYABLE_STATUS and (idempotent or status == 429):
                if status == 429:
                    retry_after = _retry_after(raw.headers.get("Retry-After"))
                if attempt < max_retries:
                    attempt += 1
                    self._backoff(attempt, retry_after, cancel)
                    continue
                raise TransportError(f"{method} {prepared_url} on data container \"{self.alias}\" kept failing with "
                                     f"HTTP {status} after {attempt + 1} attempts. Try again later, or raise "
                                     f"max-retries.")
            if status >= 400:
                raise self._api_error(status, prepared_url, parsed, method)
            if parse_error is not None:
                if idempotent and attempt < max_retries:
                    attempt += 1
                    self._backoff(attempt, None, cancel)
                    continue
                raise TransportError(f"{method} {prepared_url} answered HTTP {status} with a body that is not "
                                     f"JSON ({parse_error}).")
            return Response(status, parsed, dict(raw.headers), len(content), rows)

    def _backoff(self, attempt: int, retry_after: float | None, cancel: threading.Event | None) -> None:
        if retry_after is not None:
            delay = retry_after
        else:
            delay = min(MAX_BACKOFF_SECONDS, 0.25 * 2 ** (attempt - 1)) * self._jitter.uniform(0.5, 1.0)
        sleep_cancellable(delay, cancel)

    def _api_error(self, status: int, url: str, body: Any, method: str) -> ApiError:
        message = _api_message(body)
        if status == 403:
            return AuthenticationError(
                f"The API key was refused for {self.api_base} (HTTP 403) on data container \"{self.alias}\". "
                f"Check api-key in settings.xml: it is under Settings > Developer in ActiveCampaign.",
                status=status, url=url, api_message=message)
        if status == 402:
            return ApiError(f"ActiveCampaign refused {method} {url} because of a payment issue on the account "
                            f"(HTTP 402).", status=status, url=url, api_message=message)
        detail = f": {message}" if message else ""
        return ApiError(f"ActiveCampaign answered HTTP {status} to {method} {url} on data container "
                        f"\"{self.alias}\"{detail}", status=status, url=url, api_message=message)

    # ---- the request log ----------------------------------------------------------------------------------

    def _native_log(self, io: SessionIO, body: bytes | None, headers: dict[str, str] | None,
                    content: bytes | None) -> None:
        if not self.attributes.get("log-native-calls-to-disk"):
            return
        key = str(self._http.headers.get("Api-Token", ""))
        request_headers = {k: str(v) for k, v in self._http.headers.items()}
        nativelog.append(str(self.attributes.get("native-log-folder") or ""), key, io, request_headers, body,
                         headers, content)

    def _start_io(self, method: str, url: str, context: RequestContext, attempt: int, waited: float,
                  bytes_sent: int) -> SessionIO:
        return SessionIO(
            id=self.iolog.next_id(), statement_id=context.statement_id, sql_text=context.sql_text,
            provider_data_container_alias=self.alias, table_name=context.table_name, http_method=method, url=url,
            http_status_code=None, start_utc=datetime.now(timezone.utc), end_utc=None, duration_ms=None,
            bytes_sent=bytes_sent, bytes_received=0, rows_retrieved=0, from_cache=False, retry_count=attempt,
            waited_for_rate_limit_ms=round(waited * 1000, 1), error_message=None)

    def _finish_io(self, io: SessionIO, status: int | None, received: int, rows: int, error: str | None) -> None:
        io.end_utc = datetime.now(timezone.utc)
        io.duration_ms = round((io.end_utc - io.start_utc).total_seconds() * 1000, 1)
        io.http_status_code = status
        io.bytes_received = received
        io.rows_retrieved = rows
        io.error_message = error
        self.iolog.append(io)


def _full_url(url: str, params: Any) -> str:
    """The URL with its query string, as requests sends it (the key is a header, never in here)."""
    return requests.Request("GET", url, params=params).prepare().url or url


def _parse(content: bytes) -> tuple[Any, str | None]:
    if not content:
        return None, None
    try:
        return json.loads(content, object_hook=_without_links), None
    except ValueError as exc:
        return None, f"invalid JSON: {exc}"


def _without_links(obj: dict[str, Any]) -> dict[str, Any]:
    """Every row carries `links` (absolute URLs of its relations), which no table uses: dropping them at
    parse time roughly halves what a scan and the cache hold in memory."""
    obj.pop("links", None)
    return obj


def _api_message(body: Any) -> str:
    """The API's own words: `message`, or the first of `errors[]` (title and detail)."""
    if not isinstance(body, dict):
        return ""
    if isinstance(body.get("message"), str):
        return body["message"]
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        parts = [str(first.get(k)) for k in ("title", "detail") if first.get(k)]
        return ": ".join(parts)
    return ""


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _refused(exc: Exception) -> bool:
    """True when the connection was never made, so nothing reached the server."""
    text = repr(exc)
    return isinstance(exc, requests.exceptions.ConnectionError) and (
        "NewConnectionError" in text or "Connection refused" in text or "Name or service not known" in text)


def _describe(exc: Exception) -> str:
    if isinstance(exc, requests.exceptions.Timeout):
        return "no answer within the request timeout"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the connection closed in the middle of the answer"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "the connection was refused" if _refused(exc) else "the connection failed or was dropped"
    return type(exc).__name__
