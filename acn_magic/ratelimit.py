"""Client-side rate limiting: requests leave at evenly spaced moments, never faster than the rate."""
from __future__ import annotations

import threading
import time

from acn_magic.errors import QueryCancelled


class RateLimiter:
    """Hands out send slots `1/rate` seconds apart; callers sleep until theirs (cancellable).

    Spacing instead of bursting keeps arrivals at the server under its own token bucket even
    when network latency bunches requests together.
    """

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._next = 0.0
        self._lock = threading.Lock()

    def set_rate(self, rate: float) -> None:
        with self._lock:
            self.rate = rate

    def acquire(self, cancel: threading.Event | None = None) -> float:
        """Wait for the next slot; returns the seconds waited."""
        if self.rate <= 0:
            return 0.0
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + 1.0 / self.rate
        wait = slot - now
        if wait > 0:
            sleep_cancellable(wait, cancel)
        return wait


def sleep_cancellable(seconds: float, cancel: threading.Event | None) -> None:
    """Sleep, waking at once when `cancel` is set."""
    if cancel is None:
        time.sleep(seconds)
        return
    if cancel.wait(seconds):
        raise QueryCancelled("The statement was cancelled.")


_SHARED: dict[str, RateLimiter] = {}
_SHARED_LOCK = threading.Lock()


def for_account(api_url: str, rate: float) -> RateLimiter:
    """The one limiter of an account in this process: ActiveCampaign counts requests per account, so every
    session and thread talking to it shares the budget. The latest rate set for the account applies."""
    key = api_url.rstrip("/").lower()
    with _SHARED_LOCK:
        limiter = _SHARED.get(key)
        if limiter is None:
            limiter = _SHARED[key] = RateLimiter(rate)
        else:
            limiter.set_rate(rate)
        return limiter
