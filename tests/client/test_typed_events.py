"""Client events are typed (``ClientEventKind``), and the limiter's reserve/seed API is
public: what the renderer uses instead of string kinds and private slot lists."""

from __future__ import annotations

import asyncio

import pytest

from seedance_dsl.client.policy import RETRY_KINDS, ClientEvent, ClientEventKind
from seedance_dsl.client.ratelimit import RateLimiter


def test_kinds_are_an_enum_and_strings_still_compare() -> None:
    ev = ClientEvent("rate_limited", "GET", "/t", 429)
    assert ev.kind is ClientEventKind.RATE_LIMITED
    assert ev.kind == "rate_limited" and f"{ev.kind}" == "rate_limited"
    assert ev.kind in RETRY_KINDS
    assert ClientEvent(ClientEventKind.REQUEST, "POST", "/p").kind not in RETRY_KINDS
    with pytest.raises(ValueError):
        ClientEvent("rate", "GET", "/t")  # no more "rate" in kind


def test_sent_tells_an_attempt_that_never_left_the_machine() -> None:
    assert ClientEvent("request", "POST", "/p", None, code="connect_error").sent
    assert not ClientEvent("request", "POST", "/p", None, detail="not sent").sent
    assert ClientEvent("poll", "GET", "/t", 200, detail="not sent").sent  # only requests


def test_seed_counts_earlier_requests_inside_the_window() -> None:
    clock = [100.0]
    lim = RateLimiter(3, 10.0, clock=lambda: clock[0], margin_s=0.0)
    assert lim.seed([1.0, 9.0, 10.0, 50.0]) == 2  # 10 s and 50 s ago: outside
    assert lim.available() == 1
    clock[0] += 1.5  # the 9 s old one expires
    assert lim.available() == 2
    assert lim.seed([10.2], slack_s=0.5) == 1  # counted as 9.7 s old


def test_a_reserved_slot_is_in_flight_until_done() -> None:
    clock = [0.0]
    lim = RateLimiter(1, 10.0, clock=lambda: clock[0], margin_s=0.0)
    slot = asyncio.run(lim.reserve())
    clock[0] = 100.0
    assert lim.available() == 0  # in flight: occupies its slot however long it takes
    slot.done()
    assert lim.available() == 0  # counts from its answer
    clock[0] = 110.0
    assert lim.available() == 1
    assert isinstance(lim.reserve_sync(), type(slot))
