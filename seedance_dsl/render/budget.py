"""One request budget for the whole run: the client's rate limiter, with prepaid slots.

The renderer's scheduler decides *which* request goes next (a poll that is due, or a
submit) and takes a slot of the shared :class:`~seedance_dsl.client.RateLimiter` for it
before it starts the request.  The client then asks the same limiter for a slot as it
always does; :class:`SharedBudget` hands it the slot already taken (once per action), so
every request — including the client's own retries — is counted exactly once.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from typing import Any

from ..api.spec import CONTRACT
from ..client.ratelimit import RateLimiter

__all__ = ["SharedBudget", "parse_rate_limit"]

_PREPAID: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar(
    "seedance_render_prepaid", default=None
)
_NONE = object()


class SharedBudget(RateLimiter):
    """A :class:`RateLimiter` whose slots the scheduler can take ahead for an action."""

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

    def seed(self, ages_s: list[float]) -> int:
        """Count requests an earlier process sent ``ages_s`` seconds ago (best effort:
        needs the limiter's slot list; returns how many were counted).  Each counts as
        ``arrival_slack_s`` younger than its send (see there)."""
        slots = getattr(self, "_slots", None)
        lock = getattr(self, "_lock", None)
        if not isinstance(slots, list) or lock is None:
            return 0
        from ..client.ratelimit import Slot

        now = self._clock()
        slack = self.arrival_slack_s
        span = self.window_s + self.margin_s
        fresh = [now - max(0.0, a - slack) for a in ages_s if 0 <= a < span + slack]
        with lock:
            for at in fresh:
                self._slots.append(Slot(self, at))
        return len(fresh)

    async def take(self) -> Any:
        """Take one slot for the scheduler's next action (call when one is available)."""
        self._count()
        if hasattr(RateLimiter, "acquire_slot"):
            return await RateLimiter.acquire_slot(self)
        await RateLimiter.acquire(self)
        return None

    @staticmethod
    def use_prepaid(slot: Any) -> None:
        """Within the current asyncio task: the next request uses ``slot``."""
        _PREPAID.set([slot])

    @staticmethod
    def release_unused() -> None:
        """End of an action: a slot its request never used counts from now."""
        box = _PREPAID.get()
        if box and box[0] is not _NONE:
            slot, box[0] = box[0], _NONE
            done = getattr(slot, "done", None)
            if done is not None:
                done()

    def _prepaid(self) -> Any:
        box = _PREPAID.get()
        if box and box[0] is not _NONE:
            slot, box[0] = box[0], _NONE
            return slot
        return _NONE

    async def acquire_slot(self) -> Any:
        slot = self._prepaid()
        if slot is not _NONE:
            return slot
        self._count()
        return await super().acquire_slot()

    def acquire_slot_sync(self) -> Any:
        slot = self._prepaid()
        if slot is not _NONE:
            return slot
        self._count()
        return super().acquire_slot_sync()

    async def acquire(self) -> None:
        slot = self._prepaid()
        if slot is not _NONE:
            if slot is not None and hasattr(slot, "done"):
                slot.done()
            return
        self._count()
        await super().acquire()

    def acquire_sync(self) -> None:
        slot = self._prepaid()
        if slot is not _NONE:
            if slot is not None and hasattr(slot, "done"):
                slot.done()
            return
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
