"""One request budget for the whole run: the client's rate limiter, counted and logged.

The renderer's scheduler decides *which* request goes next (a poll that is due, or a
submit), reserves a slot of the shared :class:`~seedance_dsl.client.RateLimiter` for it
(:meth:`RateLimiter.reserve`) and passes that slot to the call explicitly
(``client.submit(..., slot=s)``): the call's first request uses it, the client's own
retries take slots of their own, so every request is counted exactly once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from ..api.spec import CONTRACT
from ..client.ratelimit import RateLimiter, Slot

__all__ = ["SharedBudget", "parse_rate_limit"]


class SharedBudget(RateLimiter):
    """A :class:`RateLimiter` that counts every slot it hands out (``taken``) and tells
    ``on_take`` (the renderer logs each request in the state database)."""

    def __init__(
        self,
        requests: int = CONTRACT.rate_limit_requests,
        window_s: float = CONTRACT.rate_limit_window_s,
        *,
        clock: Callable[[], float] = time.monotonic,
        margin_s: float | None = None,
    ) -> None:
        super().__init__(requests, window_s, clock=clock, margin_s=margin_s)
        self.taken = 0
        #: called (with no argument) for every request counted: the renderer logs it in
        #: the state database so that the next process knows the window's usage
        self.on_take: Callable[[], None] | None = None

    def _count(self) -> None:
        self.taken += 1
        if self.on_take is not None:
            self.on_take()

    @property
    def arrival_slack_s(self) -> float:
        """How much later than its send a logged request may have reached the server.

        The log records a request when it is sent; the server counts it when it arrives,
        and a process killed in flight never learns when that was.  So requests of an
        earlier process count from their send time plus this slack (5 % of the window,
        at most 2 s): a resumed run waits a little longer rather than earn a 429."""
        return min(2.0, 0.05 * self.window_s)

    def seed(self, ages_s: Iterable[float], *, slack_s: float | None = None) -> int:
        """Count requests an earlier process sent ``ages_s`` seconds ago (returns how
        many were counted).  Each counts as ``arrival_slack_s`` younger than its send."""
        slack = self.arrival_slack_s if slack_s is None else slack_s
        return super().seed(ages_s, slack_s=slack)

    async def acquire_slot(self) -> Slot:
        self._count()
        return await super().acquire_slot()

    def acquire_slot_sync(self) -> Slot:
        self._count()
        return super().acquire_slot_sync()

    async def acquire(self) -> None:
        self._count()
        await super().acquire()

    def acquire_sync(self) -> None:
        self._count()
        super().acquire_sync()


def parse_rate_limit(text: str) -> tuple[int, float]:
    """``"30/60"`` → (30 requests, 60.0 seconds)."""
    try:
        n, _, w = text.partition("/")
        requests, window = int(n), float(w)
    except ValueError:
        raise ValueError(
            f"rate limit must look like REQUESTS/SECONDS (e.g. 30/60); got {text!r}"
        ) from None
    if requests < 1 or window <= 0:
        raise ValueError(f"rate limit needs at least 1 request per positive window; got {text!r}")
    return requests, window
