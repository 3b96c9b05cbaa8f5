"""Reading a table from the API: pages of at most 100 rows until `meta.total` is reached."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from acn_magic.catalog import TableSpec
from acn_magic.errors import TransportError
from acn_magic.iolog import RequestContext
from acn_magic.transport import Transport

PAGE_SIZE = 100


@dataclass
class FetchResult:
    rows: list[dict[str, Any]]
    total: int | None  # meta.total as first reported
    requests: int
    warnings: list[str] = field(default_factory=list)


def fetch_all(transport: Transport, spec: TableSpec, context: RequestContext, params: dict[str, Any] | None = None,
              cancel: threading.Event | None = None) -> FetchResult:
    """Every row of a collection, deduplicated by primary key, page after page."""
    base = {**spec.list_params, **(params or {})}
    rows: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    offset = 0
    total: int | None = None
    requests_made = 0
    warnings: list[str] = []
    while True:
        response = transport.get(f"/{spec.path}", {**base, "limit": PAGE_SIZE, "offset": offset}, context,
                                 envelope=spec.envelope, cancel=cancel)
        requests_made += 1
        body = response.body if isinstance(response.body, dict) else {}
        if spec.envelope not in body:
            raise TransportError(f"GET /{spec.path} answered without a \"{spec.envelope}\" list; the API may have "
                                 f"changed. Keys received: {', '.join(sorted(body)) or 'none'}.")
        page = body[spec.envelope] or []
        page_total = _total(body)
        if total is None:
            total = page_total
        elif page_total is not None and page_total != total:
            warnings.append(f"{spec.name}: the number of rows changed from {total} to {page_total} while reading; "
                            f"rows added or removed meanwhile may be missing. Run the query again for a stable view.")
            total = page_total
        for row in page:
            key = tuple(row.get(k) for k in spec.primary_key)
            if key in seen:
                continue  # offsets shift when rows are added during the scan
            seen.add(key)
            rows.append(row)
        offset += PAGE_SIZE
        if not page or (total is not None and offset >= total) or (total is None and len(page) < PAGE_SIZE):
            return FetchResult(rows, total, requests_made, warnings)


def _total(body: dict[str, Any]) -> int | None:
    meta = body.get("meta")
    if not isinstance(meta, dict) or meta.get("total") is None:
        return None
    try:
        return int(meta["total"])
    except (TypeError, ValueError):
        return None
