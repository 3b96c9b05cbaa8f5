"""The session's record of every API request attempt: the rows behind SessionIOs@DataDictionary."""
from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, fields
from datetime import datetime


@dataclass
class SessionIO:
    id: int
    statement_id: int | None
    sql_text: str
    provider_data_container_alias: str
    table_name: str
    http_method: str
    url: str  # with query string; the key travels in a header and never appears here
    http_status_code: int | None
    start_utc: datetime
    end_utc: datetime | None
    duration_ms: float | None
    bytes_sent: int
    bytes_received: int
    rows_retrieved: int
    from_cache: bool
    retry_count: int
    waited_for_rate_limit_ms: float
    error_message: str | None


IO_COLUMNS = [f.name for f in fields(SessionIO)]


@dataclass(frozen=True)
class RequestContext:
    """Why a request is made: the statement and table it serves."""

    statement_id: int | None = None
    sql_text: str = ""
    table_name: str = ""


class IoLog:
    """A thread-safe, append-only list of SessionIO rows with increasing ids."""

    def __init__(self) -> None:
        self._rows: list[SessionIO] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def append(self, row: SessionIO) -> None:
        with self._lock:
            self._rows.append(row)

    def rows(self, statement_id: int | None = None) -> list[SessionIO]:
        with self._lock:
            rows = list(self._rows)
        return rows if statement_id is None else [r for r in rows if r.statement_id == statement_id]

    def __len__(self) -> int:
        with self._lock:
            return len(self._rows)
