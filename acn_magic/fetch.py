"""Reading a planned table from the API as fast as the rate limit allows.

The first page reveals `meta.total`; the remaining offset pages then go out concurrently (the
transport spaces them under the rate limit), are put back in order and deduplicated by key.
"""
from __future__ import annotations

import threading
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from acn_magic.errors import QueryCancelled, TransportError
from acn_magic.hints import CacheHint
from acn_magic.iolog import RequestContext
from acn_magic.planner import PAGE_SIZE, Params, TablePlan
from acn_magic.progress import Progress
from acn_magic.transport import Response, Transport


@dataclass
class FetchResult:
    rows: list[dict[str, Any]]
    total: int | None  # meta.total (summed over batches)
    warnings: list[str] = field(default_factory=list)


def fetch_table(transport: Transport, plan: TablePlan, context: RequestContext, cancel: threading.Event,
                workers: int, progress: Progress | None = None, cache: CacheHint | None = None) -> FetchResult:
    rows: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    warnings: list[str] = []
    grand_total = 0
    for batch in plan.batches:
        if plan.count_only:
            first = _page(transport, plan, batch, 0, 1, context, cancel, cache)
            grand_total += _total(first.body, plan) or 0
            continue
        total, pages = _fetch_batch(transport, plan, batch, context, cancel, workers, warnings, progress, cache)
        grand_total += total or 0
        for page in pages:
            for row in page:
                key = tuple(row.get(k) for k in plan.spec.primary_key)
                if key not in seen:  # offsets shift when rows come and go during a scan
                    seen.add(key)
                    rows.append(row)
    if plan.limit is not None:
        rows = rows[:plan.limit]
    return FetchResult(rows, grand_total, warnings)


def _fetch_batch(transport: Transport, plan: TablePlan, batch: Params, context: RequestContext,
                 cancel: threading.Event, workers: int, warnings: list[str], progress: Progress | None,
                 cache: CacheHint | None) -> tuple[int | None, list[list[dict[str, Any]]]]:
    wanted = plan.limit
    first = _page(transport, plan, batch, 0, min(PAGE_SIZE, wanted or PAGE_SIZE), context, cancel, cache)
    first_rows = _rows(first.body, plan)
    total = _total(first.body, plan)
    if total is None:  # no meta: page on until a short page
        return None, [first_rows, *_sequential(transport, plan, batch, context, cancel, len(first_rows), cache)]
    needed = total if wanted is None else min(total, wanted)
    offsets = list(range(PAGE_SIZE, needed, PAGE_SIZE))
    if progress is not None:
        progress.add(plan.spec.name, 1 + len(offsets))
        progress.advance(len(first_rows))
    pages: dict[int, list[dict[str, Any]]] = {0: first_rows}
    totals: dict[int, int | None] = {}
    if offsets:
        pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(offsets))), thread_name_prefix="acn-fetch")
        futures: dict[Future[Response], int] = {
            pool.submit(_page, transport, plan, batch, offset, min(PAGE_SIZE, needed - offset), context, cancel,
                        cache): offset
            for offset in offsets}
        try:
            pending = set(futures)
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
                for future in done:
                    response = future.result()  # re-raises the page's error
                    offset = futures[future]
                    pages[offset] = _rows(response.body, plan)
                    totals[offset] = _total(response.body, plan)
                    if progress is not None:
                        progress.advance(len(pages[offset]))
        except BaseException:
            cancel.set()  # the other pages stop at their next wait
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    changed = {t for t in totals.values() if t is not None and t != total}
    if changed:
        warnings.append(f"{plan.spec.name}: the number of rows changed from {total} to {max(changed)} while reading; "
                        f"rows added or removed meanwhile may be missing. Run the query again for a stable view.")
    return total, [pages[o] for o in sorted(pages)]


def _sequential(transport: Transport, plan: TablePlan, batch: Params, context: RequestContext,
                cancel: threading.Event, got: int, cache: CacheHint | None) -> list[list[dict[str, Any]]]:
    pages = []
    offset = got
    while got == PAGE_SIZE and (plan.limit is None or offset < plan.limit):
        response = _page(transport, plan, batch, offset, PAGE_SIZE, context, cancel, cache)
        page = _rows(response.body, plan)
        pages.append(page)
        got = len(page)
        offset += got
    return pages


def _page(transport: Transport, plan: TablePlan, batch: Params, offset: int, limit: int, context: RequestContext,
          cancel: threading.Event, cache: CacheHint | None) -> Response:
    if cancel.is_set():
        raise QueryCancelled("The statement was cancelled.")
    hint = cache or CacheHint()
    params = [*batch, *plan.orders, ("limit", str(limit)), ("offset", str(offset))]
    return transport.get(f"/{plan.spec.path}", params, context, envelope=plan.spec.envelope, cancel=cancel,
                         use_cache=hint.use, store=hint.store, max_age=hint.max_age)


def _rows(body: Any, plan: TablePlan) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or plan.spec.envelope not in body:
        keys = ", ".join(sorted(body)) if isinstance(body, dict) else type(body).__name__
        raise TransportError(f'GET /{plan.spec.path} answered without a "{plan.spec.envelope}" list (got: {keys}); '
                             f"the API may have changed.")
    return list(body[plan.spec.envelope] or [])


def _total(body: Any, plan: TablePlan) -> int | None:
    meta = body.get("meta") if isinstance(body, dict) else None
    if not isinstance(meta, dict) or meta.get("total") is None:
        return None
    try:
        return int(meta["total"])
    except (TypeError, ValueError):
        raise TransportError(f"GET /{plan.spec.path} answered meta.total={meta['total']!r}, which is not a "
                             f"number.") from None
