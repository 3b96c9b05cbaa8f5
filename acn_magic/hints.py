"""Execution hints in a statement, Invantive style: `/*+ http_memory_cache(use, store, interval '30 minutes') */`."""
from __future__ import annotations

import re
from dataclasses import dataclass

from acn_magic.errors import SqlError

_HINT = re.compile(r"/\*\+(.*?)\*/", re.S)
_CACHE = re.compile(r"http_memory_cache\s*\((.*?)\)", re.I | re.S)
_INTERVAL = re.compile(r"interval\s*'\s*(\d+(?:\.\d+)?)\s*(second|minute|hour|day)s?\s*'", re.I)
_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class CacheHint:
    use: bool = True  # answer from the cache when fresh
    store: bool = True  # keep what was fetched
    max_age: float | None = None  # seconds; None: the container's http-memory-cache-seconds


def http_memory_cache(text: str) -> CacheHint:
    for hint in _HINT.findall(text):
        match = _CACHE.search(hint)
        if match is None:
            continue
        parts = [p.strip() for p in re.split(r",(?![^']*'\s*\))", match.group(1)) if p.strip()]
        flags = [p.lower() for p in parts if not p.lower().startswith("interval")]
        for flag in flags:
            if flag not in ("true", "false"):
                raise SqlError(f"http_memory_cache hint: expected true or false, got {flag!r}. "
                               f"Write /*+ http_memory_cache(true, true, interval '30 minutes') */.")
        interval = _INTERVAL.search(match.group(1))
        if any(p.lower().startswith("interval") for p in parts) and interval is None:
            raise SqlError("http_memory_cache hint: write the interval as interval 'N seconds|minutes|hours|days'.")
        return CacheHint(use=flags[0] == "true" if flags else True,
                         store=flags[1] == "true" if len(flags) > 1 else True,
                         max_age=float(interval.group(1)) * _UNIT_SECONDS[interval.group(2).lower()] if interval else None)
    return CacheHint()
