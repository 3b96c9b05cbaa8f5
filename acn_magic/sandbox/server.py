"""The sandbox's HTTP side: routing under /<account>/api/3, auth, rate limit, latency and faults."""
from __future__ import annotations

import hashlib
import json
import math
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from acn_magic.sandbox import render
from acn_magic.sandbox.resources import BY_NAME, BY_POST_PATH, CONTACT_SUBCOLLECTIONS
from acn_magic.sandbox.store import AccountStore, ApiError, not_found

FAULT_KINDS = ("500", "502", "503", "drop", "slow", "429")


class TokenBucket:
    """The account's rate limit: `rate` requests per second with a burst of the same size."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.stamp = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> tuple[bool, int, int]:
        """(allowed, retry-after seconds, remaining) for one request now."""
        if self.rate <= 0:
            return True, 0, 0
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return True, 0, int(self.tokens)
            wait = (1.0 - self.tokens) / self.rate
            return False, max(1, math.ceil(wait)), 0


@dataclass
class FaultPlan:
    """Seeded fault injection: the n-th identical request always meets the same fate."""

    seed: int
    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    slow_seconds: float = 3.0
    seen: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def decide(self, account: str, method: str, target: str, body: bytes) -> str | None:
        if self.rate <= 0 or not self.kinds:
            return None
        key = f"{account}|{method}|{target}|{hashlib.sha256(body).hexdigest()}"
        with self.lock:
            occurrence = self.seen.get(key, 0)
            self.seen[key] = occurrence + 1
        digest = hashlib.sha256(f"{self.seed}|{key}|{occurrence}".encode()).digest()
        if int.from_bytes(digest[:8], "big") / 2**64 >= self.rate:
            return None
        return self.kinds[int.from_bytes(digest[8:12], "big") % len(self.kinds)]


@dataclass
class ServedRequest:
    """One request as the sandbox saw it (what tests compare the client's own log with)."""

    account: str
    method: str
    path: str  # below /api/3, e.g. /contacts
    query: dict[str, list[str]]
    status: int
    fault: str | None
    started: float
    ended: float
    bytes_sent: int
    body: Any = None


@dataclass
class AccountState:
    name: str
    api_key: str
    store: AccountStore
    bucket: TokenBucket
    api_url: str = ""


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], accounts: dict[str, AccountState], faults: FaultPlan,
                 latency: float, jitter: float) -> None:
        super().__init__(address, Handler)
        self.accounts = accounts
        self.faults = faults
        self.latency = latency
        self.jitter = jitter
        self.log: list[ServedRequest] = []
        self.log_lock = threading.Lock()
        self.jitter_rng = random.Random(faults.seed)

    def record(self, entry: ServedRequest) -> None:
        with self.log_lock:
            self.log.append(entry)

    def delay(self) -> float:
        if self.latency <= 0 and self.jitter <= 0:
            return 0.0
        with self.log_lock:
            offset = self.jitter_rng.uniform(-self.jitter, self.jitter)
        return max(0.0, self.latency + offset)


class Handler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"
    server_version = "acn-sandbox"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet by design
        return

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    # ---- the request pipeline -------------------------------------------------------------------

    def _serve(self, method: str) -> None:
        started = time.time()
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        segments = [s for s in parts.path.split("/") if s]
        if segments == ["_sandbox", "health"]:
            self._send(200, {"ok": True})
            return
        account = self.server.accounts.get(segments[0]) if segments else None
        if account is None or segments[1:3] != ["api", "3"]:
            self._send(404, {"message": "Not Found"})
            return
        api_path = "/" + "/".join(segments[3:])
        query = parse_qs(parts.query, keep_blank_values=True)
        entry = ServedRequest(account.name, method, api_path, query, 0, None, started, 0.0, 0)
        self._entry: ServedRequest | None = entry
        self._pipeline(method, account, segments[3:], query, raw_body, entry, parts)

    def _pipeline(self, method: str, account: AccountState, route: list[str], query: dict[str, list[str]],
                  raw_body: bytes, entry: ServedRequest, parts: Any) -> None:
        delay = self.server.delay()
        if delay:
            time.sleep(delay)
        if self.headers.get("Api-Token") != account.api_key:
            self._send(403, {"message": "Forbidden"})
            return
        allowed, retry_after, remaining = account.bucket.take()
        if not allowed:
            self._send(429, {"message": "Rate limit exceeded"}, {
                "Retry-After": str(retry_after), "RateLimit-Limit": str(int(account.bucket.rate)),
                "RateLimit-Remaining": str(remaining)})
            return
        target = parts.path + ("?" + parts.query if parts.query else "")
        fault = self.server.faults.decide(account.name, method, target, raw_body)
        entry.fault = fault
        if fault in ("500", "502", "503"):
            self._send(int(fault), {"message": "Internal Server Error" if fault == "500" else "Bad Gateway"
                                                   if fault == "502" else "Service Unavailable"})
            return
        if fault == "429":
            self._send(429, {"message": "Rate limit exceeded"},
                                      {"Retry-After": "1", "RateLimit-Limit": str(int(account.bucket.rate)),
                                       "RateLimit-Remaining": "0"})
            return
        if fault == "slow":
            time.sleep(self.server.faults.slow_seconds)
        try:
            body_in = json.loads(raw_body) if raw_body else {}
        except ValueError:
            self._send(400, {"errors": [{"title": "The request body is not valid JSON", "detail": ""}]})
            return
        entry.body = body_in
        ctx = render.RenderContext(account.store, account.api_url + "/api/3",
                                   count_deals=query.get("count_deals", ["false"])[-1].lower() in ("true", "1"))
        try:
            status, payload, headers = self._dispatch(method, ctx, route, query, body_in)
        except ApiError as err:
            status, payload, headers = err.status, err.body, err.headers
        except Exception as exc:  # a sandbox bug must still answer, as a server would
            status, payload, headers = 500, {"message": f"sandbox error: {type(exc).__name__}: {exc}"}, {}
        self._send(status, payload, headers, drop=fault == "drop")

    def _dispatch(self, method: str, ctx: render.RenderContext, route: list[str], query: dict[str, list[str]],
                  body: Any) -> tuple[int, Any, dict[str, str]]:
        store = ctx.store
        if not route:
            raise ApiError(404, {"message": "Not Found"})
        name = route[0]
        if method == "POST" and len(route) == 1:
            res = BY_POST_PATH.get(name)
            if res is None or "create" not in res.ops:
                raise ApiError(404, {"message": "Not Found"})
            result = store.create(res.name, body)
            return result.status, render.write_body(ctx, res, result.row, result.echo), {}
        if method == "POST" and route == ["contact", "sync"]:
            result = store.sync_contact(body)
            return result.status, render.write_body(ctx, BY_NAME["contacts"], result.row, result.echo), {}
        res = BY_NAME.get(name)
        if res is None:
            raise ApiError(404, {"message": "Not Found"})
        if method == "GET" and len(route) == 1 and "list" in res.ops:
            with store.lock:
                rows, total, limit, offset = store.query(res.name, query)
                return 200, render.list_body(ctx, res, rows, total, limit, offset, query), {}
        if len(route) == 2:
            ident = route[1]
            if method == "GET" and "get" in res.ops:
                with store.lock:
                    row = store.get(res.name, ident)
                    if row is None:
                        raise not_found(res, ident)
                    return 200, render.single_body(ctx, res, row), {}
            if method == "PUT" and res.name == "lists":
                # Observed quirk: PUT /lists/{id} answers 200 with an empty body and an error header.
                return 200, None, {"X-Ac-Error": "Code 9001"}
            if method == "PUT" and "update" in res.ops:
                result = store.update(res.name, ident, body)
                return 200, render.write_body(ctx, res, result.row, {}), {}
            if method == "DELETE" and "delete" in res.ops:
                store.delete(res.name, ident)
                return 200, {}, {}
        if method == "GET" and len(route) == 3:
            return self._related(ctx, res.name, route[1], route[2])
        raise ApiError(404, {"message": "Not Found"})

    def _related(self, ctx: render.RenderContext, name: str, ident: str, relation: str) -> tuple[int, Any, dict[str, str]]:
        store = ctx.store
        with store.lock:
            owner = store.get(name, ident)
            if owner is None:
                raise not_found(BY_NAME[name], ident)
            if name == "contacts" and relation in CONTACT_SUBCOLLECTIONS:
                sub = CONTACT_SUBCOLLECTIONS[relation]
                if sub is None:
                    return 200, render.subcollection_body(ctx, relation, [], None), {}
                rows = [r for r in store.rows_where(sub.resource, sub.fk, ident)
                        if all(str(r.get(k)) == v for k, v in sub.extra.items())]
                return 200, render.subcollection_body(ctx, relation, rows, BY_NAME[sub.resource]), {}
            if name == "ecomOrders" and relation == "orderProducts":
                rows = store.rows_where("ecomOrderProducts", "orderid", ident)
                return 200, render.subcollection_body(ctx, "ecomOrderProducts", rows, BY_NAME["ecomOrderProducts"]), {}
            inc = BY_NAME[name].includes.get(relation)
            if inc is not None and inc.fk:
                target = BY_NAME[inc.target]
                related = store.get(target.name, str(owner.get(inc.fk)))
                if related is None:
                    raise not_found(target, str(owner.get(inc.fk)))
                return 200, {target.singular: render.render_row(ctx, target, related)}, {}
        raise ApiError(404, {"message": "Not Found"})

    # ---- output --------------------------------------------------------------------------------

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None, *, drop: bool = False) -> int:
        # The PHP backend escapes slashes; a client must parse JSON, not grep it.
        data = b"" if payload is None else json.dumps(payload).replace("/", "\\/").encode()
        entry, self._entry = getattr(self, "_entry", None), None
        if entry is not None:
            # Logged before the answer leaves, so a client never sees an answer the log does not hold yet.
            entry.status, entry.bytes_sent, entry.ended = status, len(data), time.time()
            self.server.record(entry)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Request-Id", str(uuid.uuid4()))
            self.send_header("Cache-Control", "no-store, no-cache, must-revalidate")
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if drop:
                # A connection closed mid-body: half the promised bytes, then nothing.
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            else:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True
        return status
