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

from ..api.spec import CONTRACT
from ..client.ratelimit import RateLimiter

__all__ = ["SharedBudget", "parse_rate_limit"]

_PREPAID: contextvars.ContextVar[list[bool] | None] = contextvars.ContextVar(
    "seedance_render_prepaid", default=None
)


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

    def try_take(self) -> bool:
        """Take one slot now if there is one (never waits)."""
        if self.time_until_available() > 0:
            return False
        if self._try_take() == 0.0:
            self.taken += 1
            return True
        return False

    @staticmethod
    def mark_prepaid() -> None:
        """Within the current asyncio task: the next ``acquire`` is already paid for."""
        _PREPAID.set([True])

    def _use_prepaid(self) -> bool:
        box = _PREPAID.get()
        if box and box[0]:
            box[0] = False
            return True
        return False

    async def acquire(self) -> None:
        if self._use_prepaid():
            return
        await super().acquire()
        self.taken += 1

    def acquire_sync(self) -> None:
        if self._use_prepaid():
            return
        super().acquire_sync()
        self.taken += 1


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
