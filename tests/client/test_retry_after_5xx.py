"""docs/client.md: a 503 ``service_busy`` or 500 ``internal_error`` that carries
``Retry-After`` (or ``Retry-After-Ms``) waits exactly that long before the next attempt —
not the policy's back-off.  Once through the sans-IO policy core (no clock, no network),
once through both drivers against a loopback server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from client_helpers import FAST, Runner
from client_testserver import ApiServer, error

from seedance_dsl.api import VideoRequest
from seedance_dsl.client.policy import (
    Context,
    HttpRequest,
    HttpResponse,
    Redactor,
    Send,
    Sleep,
    call_flow,
)

REQ = VideoRequest(prompt="A cinematic shot of a glass train crossing a snowy mountain bridge")
CODES = [("service_busy", 503), ("internal_error", 500)]


def _answer(status: int, code: str, headers: dict[str, str]) -> HttpResponse:
    body = json.dumps({"error": {"code": code, "message": "try later"}}).encode()
    return HttpResponse(status, {"content-type": "application/json", **headers}, body)


def _drive(first: HttpResponse) -> list[Any]:
    """Run call_flow: the first Send gets ``first``, the next a 200; the actions seen."""
    ctx = Context(policy=FAST, emit=lambda ev: None, redact=Redactor(None))
    flow = call_flow(ctx, HttpRequest("GET", "/v1/tasks/t1"))
    actions: list[Any] = []
    answers = iter([first, HttpResponse(200, {}, b"{}")])
    action = next(flow)
    try:
        while True:
            actions.append(action)
            action = flow.send(next(answers) if isinstance(action, Send) else None)
    except StopIteration as done:
        assert isinstance(done.value, HttpResponse) and done.value.status == 200
    return actions


@pytest.mark.parametrize(("code", "status"), CODES)
@pytest.mark.parametrize(
    ("headers", "wait"),
    [({"retry-after": "3"}, 3.0), ({"retry-after-ms": "1250"}, 1.25)],
)
def test_the_policy_waits_what_a_5xx_asks(
    code: str, status: int, headers: dict[str, str], wait: float
) -> None:
    sleeps = [a.seconds for a in _drive(_answer(status, code, headers)) if isinstance(a, Sleep)]
    # FAST's own back-off would be 0.02 s: the header wins
    assert sleeps == [pytest.approx(wait)]


@pytest.mark.parametrize(("code", "status"), CODES)
def test_without_the_header_the_policy_backs_off(code: str, status: int) -> None:
    sleeps = [a.seconds for a in _drive(_answer(status, code, {})) if isinstance(a, Sleep)]
    assert sleeps == [pytest.approx(FAST.backoff(1))]


@pytest.mark.parametrize(
    ("mode", "code", "headers", "expected"),
    [
        ("sync", "service_busy", {"Retry_After_Ms": "900"}, 0.9),
        ("async", "service_busy", {"Retry_After": "1"}, 1.0),
        ("sync", "internal_error", {"Retry_After": "1"}, 1.0),
        ("async", "internal_error", {"Retry_After_Ms": "900"}, 0.9),
    ],
)
def test_the_client_waits_a_5xx_retry_after_on_the_wire(
    api: ApiServer, mode: str, code: str, headers: dict[str, str], expected: float
) -> None:
    run = Runner(mode, api.base_url)
    api.script("submit")
    sub = run("submit", REQ, "key-5xx")
    api.script("task", error(code, "try later", **headers))
    run("get_task", sub.id)
    polls = api.requests("task")
    assert len(polls) == 2 and polls[0].status in (500, 503)
    gap = polls[1].t - polls[0].t_answered
    # FAST's back-off is 0.02 s, so the lower bound is what proves the header won; the
    # upper one only rules out waiting twice (a loaded 2-core machine adds 0.1-0.2 s)
    assert expected <= gap <= expected + 0.5, gap
