"""A submit cut off by a stop says whether it may have been sent.

The renderer counts a submit the run stopped in the middle of only if it may have
reached the server ("nothing is counted that was never sent").  An attempt cancelled
while it resolves the name or connects has sent nothing: the async client reports it as
a ``request`` event that was not sent; once httpcore starts sending the request's
headers (its trace), a cancelled attempt reports nothing (it may have been sent, and the
renderer keeps counting it).  Fails on a client that reports nothing either way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from seedance_dsl.api import RequestBody
from seedance_dsl.client import AsyncSeedanceClient, RetryPolicy
from seedance_dsl.client.policy import ClientEvent, ClientEventKind

REQ = RequestBody.check({"prompt": "A lighthouse keeper climbing a spiral staircase"})


class Hanging(httpx.AsyncBaseTransport):
    """Never answers; ``headers_started`` says whether it first tells the trace that
    the request's headers are leaving (a connection made, bytes on their way)."""

    def __init__(self, headers_started: bool) -> None:
        self.headers_started = headers_started
        self.entered = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        trace: Callable[[str, dict[str, Any]], Awaitable[None]] | None = request.extensions.get(
            "trace"
        )
        assert trace is not None, "the client passes httpcore's trace callback"
        await trace("connection.connect_tcp.started", {})
        if self.headers_started:
            await trace("connection.connect_tcp.complete", {})
            await trace("http11.send_request_headers.started", {"request": request})
        self.entered.set()
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")  # pragma: no cover


async def _cut_off(headers_started: bool) -> list[ClientEvent]:
    events: list[ClientEvent] = []
    transport = Hanging(headers_started)
    async with AsyncSeedanceClient(
        "sk_test_cutoff",
        base_url="http://127.0.0.1:9",
        transport=transport,
        retry=RetryPolicy(max_attempts=1),
        on_event=events.append,
    ) as client:
        task = asyncio.ensure_future(client.submit(REQ, "cut-off-1"))
        await asyncio.wait_for(transport.entered.wait(), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    return [e for e in events if e.kind is ClientEventKind.REQUEST]


def test_cut_off_while_connecting_is_reported_as_not_sent() -> None:
    (event,) = asyncio.run(_cut_off(headers_started=False))
    assert event.method == "POST" and not event.sent
    assert event.code == "cancelled"


def test_cut_off_once_the_headers_left_may_have_been_sent() -> None:
    assert asyncio.run(_cut_off(headers_started=True)) == []
