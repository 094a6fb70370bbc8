"""The client-side rate limiter: at most N requests in any window of W seconds.

The API allows 30 requests per 60 seconds per *account*, counting every request
(submits and polls).  One :class:`RateLimiter` per account is shared by every request
of the process — every client, thread and asyncio task — so that a well-behaved run
never receives a 429.  If one comes anyway (another process uses the same key),
:meth:`RateLimiter.hold_until` makes *everyone* wait the server's ``Retry-After``.

It is a sliding-window log (exact, not a token bucket: a token bucket of 30/60 s would
allow 30 at once and then one every 2 s, i.e. up to 59 in some 60 s window).  A small
safety margin is added to the window because the server timestamps a request when it
*arrives*, which can be a little later than when the client let it go.

The lock is a :class:`threading.Lock` held only for a few arithmetic operations, never
while waiting, so the same limiter is safe from threads and from any number of event
loops at once.
"""

from __future__ import annotations

import asyncio
import collections
import threading
import time
from collections.abc import Callable

from ..api.spec import CONTRACT

__all__ = ["RateLimiter", "shared_limiter"]


class RateLimiter:
    """At most ``requests`` acquisitions in any ``window_s`` (+ ``margin_s``) seconds.

    ``margin_s`` defaults to 2 % of the window, at most 1 s (so 30 per 61 s by default).
    ``clock`` is a monotonic clock in seconds (injectable for tests).
    """

    def __init__(
        self,
        requests: int = CONTRACT.rate_limit_requests,
        window_s: float = CONTRACT.rate_limit_window_s,
        *,
        clock: Callable[[], float] = time.monotonic,
        margin_s: float | None = None,
    ) -> None:
        if requests < 1:
            raise ValueError("requests must be at least 1")
        if window_s <= 0:
            raise ValueError("window_s must be > 0")
        self.requests = requests
        self.window_s = float(window_s)
        self.margin_s = min(1.0, 0.02 * window_s) if margin_s is None else float(margin_s)
        self._clock = clock
        self._lock = threading.Lock()
        self._stamps: collections.deque[float] = collections.deque()
        self._hold_until = float("-inf")

    def __repr__(self) -> str:
        return (
            f"RateLimiter(requests={self.requests}, window_s={self.window_s}, "
            f"available={self.available()})"
        )

    @property
    def _span(self) -> float:
        return self.window_s + self.margin_s

    def _prune(self, now: float) -> None:
        span = self._span
        while self._stamps and self._stamps[0] <= now - span:
            self._stamps.popleft()

    def _wait_locked(self, now: float) -> float:
        self._prune(now)
        wait = max(0.0, self._hold_until - now)
        if len(self._stamps) >= self.requests:
            wait = max(wait, self._stamps[0] + self._span - now)
        return wait

    def _try_take(self) -> float:
        """Take a slot now and return 0, or return how long to wait before trying again."""
        with self._lock:
            now = self._clock()
            wait = self._wait_locked(now)
            if wait <= 0:
                self._stamps.append(now)
                return 0.0
            return wait

    def acquire_sync(self) -> None:
        """Block the calling thread until a request may be sent, and count it."""
        while (wait := self._try_take()) > 0:
            time.sleep(wait)

    async def acquire(self) -> None:
        """Wait (without blocking the event loop) until a request may be sent; count it."""
        while (wait := self._try_take()) > 0:
            await asyncio.sleep(wait)

    def time_until_available(self) -> float:
        """Seconds until one request could be sent (0 if one can go now)."""
        with self._lock:
            return self._wait_locked(self._clock())

    def available(self) -> int:
        """How many requests could be sent right now."""
        with self._lock:
            now = self._clock()
            self._prune(now)
            if self._hold_until > now:
                return 0
            return self.requests - len(self._stamps)

    def hold_until(self, seconds_from_now: float) -> None:
        """Let no request through for ``seconds_from_now`` (a 429's Retry-After).

        Holds only ever extend: a shorter hold never shortens a longer one.
        """
        with self._lock:
            until = self._clock() + max(0.0, seconds_from_now)
            self._hold_until = max(self._hold_until, until)


_SHARED: dict[tuple[str, int], RateLimiter] = {}
_SHARED_LOCK = threading.Lock()


def shared_limiter(base_url: str, key_fingerprint: int) -> RateLimiter:
    """The process-wide limiter of one account (base URL + key), created on first use.

    Clients built without an explicit ``limiter`` use this, so two clients of the same
    account in one process share the account's budget.
    """
    with _SHARED_LOCK:
        lim = _SHARED.get((base_url, key_fingerprint))
        if lim is None:
            lim = _SHARED[(base_url, key_fingerprint)] = RateLimiter()
        return lim
