"""The client-side rate limiter: at most N requests in any window of W seconds.

The API allows 30 requests per 60 seconds per *account*, counting every request
(submits and polls).  One :class:`RateLimiter` per account is shared by every request
of the process — every client, thread and asyncio task — so that a well-behaved run
never receives a 429.  If one comes anyway (another process uses the same key),
:meth:`RateLimiter.hold_until` makes *everyone* wait the server's ``Retry-After``.
A scheduler that picks the next request itself reserves its slot first
(:meth:`RateLimiter.reserve`) and passes it to the call (``slot=``); requests that an
earlier process sent are counted with :meth:`RateLimiter.seed`.

It is a sliding-window log (exact, not a token bucket: a token bucket of 30/60 s would
allow 30 at once and then one every 2 s, i.e. up to 59 in some 60 s window).

Each request is counted from the moment its *answer* arrived (see
:meth:`RateLimiter.acquire_slot`), which is never earlier than the server saw it, so
the client's windows always start no earlier than the server's.

The lock is a :class:`threading.Lock` held only for a few arithmetic operations, never
while waiting, so the same limiter is safe from threads and from any number of event
loops at once.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterable

from ..api.spec import CONTRACT

__all__ = ["RateLimiter", "Slot", "shared_limiter"]


class Slot:
    """One counted request.  Until :meth:`done` it occupies its slot indefinitely; then it
    counts from the moment it finished (see :meth:`RateLimiter.acquire_slot`)."""

    __slots__ = ("_limiter", "at")

    def __init__(self, limiter: RateLimiter, at: float) -> None:
        self._limiter = limiter
        self.at = at  # clock time the slot counts from; +inf while the request is in flight

    def done(self) -> None:
        """The request got its answer (or failed): count it from now."""
        lim = self._limiter
        with lim._lock:
            if self.at == _INFLIGHT:
                self.at = lim._clock()


_INFLIGHT = float("inf")
#: how often a waiter re-checks when every slot is held by a request still in flight
_INFLIGHT_POLL_S = 0.05


class RateLimiter:
    """At most ``requests`` requests in any ``window_s`` (+ ``margin_s``) seconds.

    ``margin_s`` defaults to 1 % of the window, at most 1 s (so 30 per 60.6 s by
    default).  ``clock`` is a monotonic clock in seconds (injectable for tests).

    :meth:`acquire` / :meth:`acquire_sync` count a request from the moment they return.
    The client uses :meth:`acquire_slot` / :meth:`acquire_slot_sync` instead, which
    count a request from the moment its answer arrived: the server saw the request no
    later than that, so the next window starts no earlier than the server's, however
    long the request travelled — no 429 even on a slow or congested link.
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
        self.margin_s = min(1.0, 0.01 * window_s) if margin_s is None else float(margin_s)
        self._clock = clock
        self._lock = threading.Lock()
        self._slots: list[Slot] = []
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
        # the same float expression (at + span vs now) as in _wait_locked, so a slot is
        # pruned exactly when its wait has run out
        span = self._span
        if any(s.at + span <= now for s in self._slots):
            self._slots = [s for s in self._slots if s.at + span > now]

    def _wait_locked(self, now: float) -> float:
        self._prune(now)
        wait = max(0.0, self._hold_until - now)
        excess = len(self._slots) - self.requests
        if excess >= 0:
            # the slot whose expiry brings the count below the limit
            at = sorted(s.at for s in self._slots)[excess]
            free_in = at + self._span - now if at != _INFLIGHT else _INFLIGHT_POLL_S
            wait = max(wait, free_in)
        return wait

    def _try_take(self, inflight: bool) -> Slot | float:
        """Take a slot now, or say how long to wait before trying again."""
        with self._lock:
            now = self._clock()
            wait = self._wait_locked(now)
            if wait > 0:
                return wait
            slot = Slot(self, _INFLIGHT if inflight else now)
            self._slots.append(slot)
            return slot

    def acquire_slot_sync(self) -> Slot:
        """Block until a request may be sent; call ``done()`` on the result when it ends."""
        while not isinstance(got := self._try_take(True), Slot):
            time.sleep(got)
        return got

    async def acquire_slot(self) -> Slot:
        """Wait (without blocking the loop) until a request may be sent; ``done()`` it."""
        while not isinstance(got := self._try_take(True), Slot):
            await asyncio.sleep(got)
        return got

    def acquire_sync(self) -> None:
        """Block the calling thread until a request may be sent, and count it from now."""
        while not isinstance(got := self._try_take(False), Slot):
            time.sleep(got)

    async def acquire(self) -> None:
        """Wait (without blocking the event loop) until a request may be sent; count it."""
        while not isinstance(got := self._try_take(False), Slot):
            await asyncio.sleep(got)

    async def reserve(self) -> Slot:
        """Take a slot now for a request sent later, and hand it to that call explicitly
        (``client.submit(..., slot=s)``, ``client.get_task(..., slot=s)``): its first
        request uses it instead of waiting.  A scheduler that decides which request goes
        next reserves before it starts the call.  The slot is in flight until ``done()``
        (the client calls it when the answer arrives, or at the end of a call that
        never sent)."""
        return await self.acquire_slot()

    def reserve_sync(self) -> Slot:
        """:meth:`reserve` for a thread."""
        return self.acquire_slot_sync()

    def seed(self, ages_s: Iterable[float], *, slack_s: float = 0.0) -> int:
        """Count requests already sent ``ages_s`` seconds ago (by an earlier process of
        the same account); each counts as ``slack_s`` younger than its age (it may have
        reached the server that much later).  Ages outside the window are ignored;
        returns how many were counted."""
        with self._lock:
            now = self._clock()
            span = self._span
            fresh = [now - max(0.0, a - slack_s) for a in ages_s if 0 <= a < span + slack_s]
            self._slots.extend(Slot(self, at) for at in fresh)
        return len(fresh)

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
            return max(0, self.requests - len(self._slots))

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
