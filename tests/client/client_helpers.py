"""Helpers of the client tests: fast retry settings, and a runner that performs one
operation through a fresh synchronous or asynchronous client."""

from __future__ import annotations

import asyncio
from typing import Any

from client_testserver import KEY

from seedance_dsl.client import (
    AsyncSeedanceClient,
    ClientEvent,
    RateLimiter,
    RetryPolicy,
    SeedanceClient,
)

#: Fast, deterministic retries (no jitter) for tests.
FAST = RetryPolicy(
    max_attempts=3,
    backoff_base_s=0.02,
    backoff_multiplier=2.0,
    backoff_cap_s=0.1,
    jitter=0.0,
    retry_after_cap_s=5.0,
    conflict_wait_s=0.02,
    max_conflict_waits=3,
)


class Runner:
    """Runs one client operation with a fresh sync or async client."""

    def __init__(self, mode: str, base_url: str, **kw: Any) -> None:
        self.mode = mode
        self.events: list[ClientEvent] = []
        self.kw: dict[str, Any] = {
            "api_key": KEY,
            "base_url": base_url,
            "retry": FAST,
            "limiter": RateLimiter(1000, 1.0),
            "on_event": self.events.append,
            **kw,
        }

    def __call__(self, op: str, *args: Any, **kw: Any) -> Any:
        if self.mode == "sync":
            with SeedanceClient(**self.kw) as c:
                return getattr(c, op)(*args, **kw)

        async def go() -> Any:
            async with AsyncSeedanceClient(**self.kw) as c:
                return await getattr(c, op)(*args, **kw)

        return asyncio.run(go())

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]
