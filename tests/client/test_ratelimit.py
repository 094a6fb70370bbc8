"""The client-side rate limiter: never more than N requests in any window, shared by
threads and asyncio tasks, obeying a 429 for everyone."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from client_helpers import FAST
from client_testserver import KEY, ApiServer
from hypothesis import given, settings
from hypothesis import strategies as st

from seedance_dsl.api import CONTRACT, VideoRequest
from seedance_dsl.client import (
    AsyncSeedanceClient,
    ClientEvent,
    RateLimiter,
    SeedanceClient,
    shared_limiter,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_defaults_come_from_the_contract() -> None:
    lim = RateLimiter()
    assert lim.requests == CONTRACT.rate_limit_requests == 30
    assert lim.window_s == CONTRACT.rate_limit_window_s == 60.0
    assert 0 < lim.margin_s <= 1.0


def test_window_arithmetic_with_a_fake_clock() -> None:
    clock = FakeClock()
    lim = RateLimiter(3, 10.0, clock=clock, margin_s=0.0)
    for _ in range(3):
        assert lim.time_until_available() == 0
        lim.acquire_sync()
        clock.now += 1
    assert lim.available() == 0
    assert lim.time_until_available() == pytest.approx(7.0)  # first one at 100, now 103
    clock.now = 110.0
    assert lim.available() == 1
    lim.hold_until(5.0)
    assert lim.available() == 0 and lim.time_until_available() == pytest.approx(5.0)
    lim.hold_until(1.0)  # a shorter hold never shortens a longer one
    assert lim.time_until_available() == pytest.approx(5.0)


def test_inflight_slots_count_from_their_answer() -> None:
    clock = FakeClock()
    lim = RateLimiter(1, 10.0, clock=clock, margin_s=0.0)
    slot = lim.acquire_slot_sync()
    clock.now += 30  # the request is still in flight: its slot stays taken
    assert lim.available() == 0 and lim.time_until_available() > 0
    slot.done()
    clock.now += 9.9
    assert lim.available() == 0
    clock.now += 0.2
    assert lim.available() == 1


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(1, 6),
    window=st.floats(0.001, 100.0),
    gaps=st.lists(st.floats(0.0, 5.0), min_size=1, max_size=40),
)
def test_no_more_than_n_in_any_window(n: int, window: float, gaps: list[float]) -> None:
    clock = FakeClock()
    lim = RateLimiter(n, window, clock=clock, margin_s=0.0)
    stamps: list[float] = []
    for gap in gaps:
        clock.now += gap
        while (wait := lim.time_until_available()) > 0:  # what acquire would sleep
            clock.now += wait
        lim.acquire_sync()  # must not need to sleep now
        stamps.append(clock.now)
    for i in range(len(stamps) - n):
        assert stamps[i + n] - stamps[i] >= window - 1e-9


def test_shared_limiter_is_one_per_account() -> None:
    a = shared_limiter("https://x.example", 1)
    assert shared_limiter("https://x.example", 1) is a
    assert shared_limiter("https://x.example", 2) is not a


def test_clients_built_without_a_limiter_share_the_accounts_one() -> None:
    with (
        SeedanceClient(KEY, base_url="http://127.0.0.1:9") as a,
        SeedanceClient(KEY, base_url="http://127.0.0.1:9") as b,
    ):
        assert a.limiter is b.limiter
        assert a.limiter.requests == 30


REQ = VideoRequest(prompt="A lighthouse keeper climbing a spiral staircase at dawn")


def _assert_at_most(arrivals: list[float], n: int, window: float) -> None:
    arrivals = sorted(arrivals)
    for i in range(len(arrivals) - n):
        assert arrivals[i + n] - arrivals[i] >= window, (i, arrivals)


def test_one_limiter_shared_by_threads_and_async_tasks(api: ApiServer) -> None:
    """Two threads of sync clients and an event loop with three tasks share one limiter
    of 4 requests per 0.4 s: the server never sees more than 4 in any 0.4 s."""
    n, window = 4, 0.4
    api.rate_limit = (n, window)  # the server enforces the same limit
    limiter = RateLimiter(n, window, margin_s=0.0)
    events: list[ClientEvent] = []
    sub = SeedanceClient(KEY, base_url=api.base_url, limiter=limiter, retry=FAST).submit(
        REQ, "key-lim"
    )
    api.polls_until_done = 10**6
    errors: list[BaseException] = []

    def sync_worker() -> None:
        try:
            with SeedanceClient(
                KEY, base_url=api.base_url, limiter=limiter, retry=FAST, on_event=events.append
            ) as c:
                for _ in range(4):
                    c.get_task(sub.id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    async def async_main() -> None:
        async with AsyncSeedanceClient(
            KEY, base_url=api.base_url, limiter=limiter, retry=FAST, on_event=events.append
        ) as c:

            async def worker() -> None:
                for _ in range(3):
                    await c.get_task(sub.id)

            await asyncio.gather(worker(), worker(), worker())

    def async_thread() -> None:
        try:
            asyncio.run(async_main())
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=sync_worker) for _ in range(2)]
    threads.append(threading.Thread(target=async_thread))
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    polls = api.requests("task")
    assert len(polls) == 17  # 2*4 + 3*3
    # the server's own limit was never hit: a well-behaved run never sees a 429
    assert all(p.status == 200 for p in polls), [p.status for p in polls]
    assert not [e for e in events if e.kind == "rate_limited"]
    _assert_at_most([p.t for p in api.requests()], n, window)
    # and it was paced, not serialised to death: 18 requests at 4/0.4 s ≈ 1.6 s
    assert time.monotonic() - t0 < 6


def test_a_429_from_elsewhere_is_obeyed_and_then_no_more(api: ApiServer) -> None:
    """Another process used the same key: the server says 429 once; the client waits
    Retry-After, then carries on without another 429."""
    api.rate_limit = (3, 1.0)
    # someone else's requests, straight to the server
    import httpx

    with httpx.Client(base_url=api.base_url) as other:
        for _ in range(3):
            other.get("/api/v1/tasks/sd2_x", headers={"Authorization": f"Bearer {KEY}"})
    # a margin of 0.25 s in a 1 s window: the client counts a request when it is sent,
    # the server when it arrives; on a loaded 2-core machine the two clocks drift apart
    # by tens (once 100+) of ms, and with a smaller margin a second 429 came from that
    # drift, not from the client's pacing
    limiter = RateLimiter(3, 1.0, margin_s=0.25)
    events: list[ClientEvent] = []
    with SeedanceClient(
        KEY, base_url=api.base_url, limiter=limiter, retry=FAST, on_event=events.append
    ) as c:
        sub = c.submit(REQ, "key-other")
        for _ in range(4):
            c.get_task(sub.id)
    limited = [e for e in events if e.kind == "rate_limited"]
    assert len(limited) == 1
    assert [p.status for p in api.requests()].count(429) == 1
