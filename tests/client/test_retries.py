"""Every error code and every retry rule, through the sync and the async client, against a
real HTTP server on loopback (client_testserver.py)."""

from __future__ import annotations

import itertools
import socket
import time

import pytest
from client_helpers import FAST, Runner
from client_testserver import KEY, ApiServer, Reply, error

from seedance_dsl.api import CONTRACT, VideoRequest
from seedance_dsl.client import (
    DeadlineExceeded,
    IdempotencyConflict,
    InsufficientCredits,
    InternalError,
    InvalidRequest,
    NotFound,
    PollSchedule,
    RateLimited,
    RequestTimeout,
    RetryPolicy,
    SeedanceError,
    ServiceBusy,
    Timeouts,
    TransportError,
    Unauthorized,
    UnexpectedResponse,
)
from seedance_dsl.client.errors import error_class_for_code
from seedance_dsl.errors import SeedanceDSLError

REQ = VideoRequest(
    prompt="A cinematic shot of a glass train crossing a snowy mountain bridge",
    duration="5",
)
OTHER = VideoRequest(prompt="A paper boat drifting down a rainy street gutter")


def test_every_documented_code_has_its_class() -> None:
    for e in CONTRACT.errors:
        cls = error_class_for_code(e.code)
        assert cls is not None, e.code
        assert issubclass(cls, SeedanceError)
        assert issubclass(cls, SeedanceDSLError)
        assert cls.default_code == e.code
        assert cls.exit_code != 0


# -- never retried: 400, 401, 402, 404, 409 (different body) ----------------------------


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("invalid_request", InvalidRequest),
        ("unauthorized", Unauthorized),
        ("insufficient_credits", InsufficientCredits),
        ("not_found", NotFound),
    ],
)
def test_client_errors_are_never_retried(
    run: Runner, api: ApiServer, code: str, cls: type[SeedanceError]
) -> None:
    api.script("submit", error(code, f"the {code} message"))
    with pytest.raises(cls) as info:
        run("submit", REQ, "key-1")
    err = info.value
    assert err.code == code
    assert err.status == CONTRACT.error_status(code)
    assert err.message == f"the {code} message"
    assert err.request_id and err.request_id.startswith("req_")
    assert err.request_id in str(err) and code in str(err)
    assert len(api.requests("submit")) == 1
    assert "retry" not in run.kinds()


def test_real_unauthorized_and_not_found(run: Runner, api: ApiServer, mode: str) -> None:
    bad = Runner(mode, api.base_url, api_key="sk_live_wrong_key")
    with pytest.raises(Unauthorized) as info:
        bad("get_task", "sd2_00001")
    assert info.value.exit_code == 3 and info.value.help
    with pytest.raises(NotFound):
        run("get_task", "sd2_missing")
    assert len(api.requests("task")) == 2


def test_insufficient_credits_from_the_balance(run: Runner, api: ApiServer) -> None:
    api.credits = 10
    with pytest.raises(InsufficientCredits) as info:
        run("submit", REQ, "key-poor")
    assert info.value.exit_code == 4
    assert api.charges == 0


# -- 500 / 503 / transport: exponential back-off ----------------------------------------


@pytest.mark.parametrize(
    ("code", "cls"), [("service_busy", ServiceBusy), ("internal_error", InternalError)]
)
def test_5xx_retried_then_succeeds(
    run: Runner, api: ApiServer, code: str, cls: type[SeedanceError]
) -> None:
    api.script("submit", error(code), error(code))
    sub = run("submit", REQ, "key-5xx")
    assert sub.id.startswith(CONTRACT.task_id_prefix)
    posts = api.requests("submit")
    assert len(posts) == 3
    # the same key and the very same bytes every time
    assert {p.headers["idempotency-key"] for p in posts} == {"key-5xx"}
    assert len({p.body for p in posts}) == 1
    assert api.charges == 1
    # back-off: 0.02 then 0.04 s (no jitter in FAST), measured between answer and retry
    gaps = [b.t - a.t_answered for a, b in itertools.pairwise(posts)]
    assert gaps[0] >= 0.02 and gaps[1] >= 0.04


@pytest.mark.parametrize(
    ("code", "cls"), [("service_busy", ServiceBusy), ("internal_error", InternalError)]
)
def test_5xx_gives_up_after_max_attempts(
    run: Runner, api: ApiServer, code: str, cls: type[SeedanceError]
) -> None:
    api.script("task", *[error(code)] * 5)
    with pytest.raises(cls) as info:
        run("get_task", "sd2_00001")
    assert info.value.exit_code == 6 and info.value.temporary
    assert len(api.requests("task")) == FAST.max_attempts


def test_503_retries_can_be_turned_off_per_call(run: Runner, api: ApiServer) -> None:
    api.script("submit", error("service_busy"))
    no_busy = RetryPolicy(retry_service_busy=False)
    with pytest.raises(ServiceBusy):
        run("submit", REQ, "key-busy", retry=no_busy)
    assert len(api.requests("submit")) == 1
    busy = [e for e in run.events if e.kind == "service_busy"]
    assert len(busy) == 1 and busy[0].wait_s is None and busy[0].status == 503


def test_503_events_report_the_wait(run: Runner, api: ApiServer) -> None:
    api.script("submit", error("service_busy"))
    run("submit", REQ, "key-busy-2")
    busy = [e for e in run.events if e.kind == "service_busy"]
    assert len(busy) == 1 and busy[0].wait_s == pytest.approx(0.02)


def test_jitter_draws_below_the_nominal_delay() -> None:
    import random

    p = RetryPolicy(backoff_base_s=1.0, backoff_cap_s=30.0, jitter=0.5)
    rng = random.Random(1)
    for n, nominal in [(1, 1.0), (2, 2.0), (3, 4.0), (6, 30.0), (10, 30.0)]:
        d = p.backoff(n, rng)
        assert nominal * 0.5 <= d <= nominal


def test_dropped_connection_is_retried(run: Runner, api: ApiServer) -> None:
    api.script("task", Reply(drop=True))
    api.script("submit")
    sub = run("submit", REQ, "key-x")
    task = run("get_task", sub.id)
    assert task.id == sub.id
    assert len(api.requests("task")) == 2
    assert "retry" in run.kinds()


def test_drop_after_commit_yields_the_same_task_and_one_charge(run: Runner, api: ApiServer) -> None:
    """The server creates and charges the task, then the connection dies before the
    answer: the retry carries the same Idempotency-Key and gets the same task."""
    api.script("submit", Reply(commit_then_drop=True))
    sub = run("submit", REQ, "key-commit")
    posts = api.requests("submit")
    assert len(posts) == 2
    assert posts[0].headers["idempotency-key"] == posts[1].headers["idempotency-key"]
    assert posts[0].body == posts[1].body
    assert api.charges == 1
    assert len(api.tasks) == 1
    assert sub.id == next(iter(api.tasks))


def test_transport_failure_gives_up_as_transport_error(mode: str) -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    run = Runner(mode, f"http://127.0.0.1:{port}")
    with pytest.raises(TransportError) as info:
        run("get_task", "sd2_00001")
    assert not isinstance(info.value, RequestTimeout)
    assert info.value.exit_code == 6
    assert [e.kind for e in run.events].count("request") == FAST.max_attempts


def test_read_timeout_is_a_request_timeout(mode: str, api: ApiServer) -> None:
    run = Runner(
        mode,
        api.base_url,
        timeouts=Timeouts(connect=1.0, read=0.2),
        retry=RetryPolicy(max_attempts=2, backoff_base_s=0.01, jitter=0),
    )
    api.script("task", Reply(delay=0.5), Reply(delay=0.5))
    t0 = time.monotonic()
    with pytest.raises(RequestTimeout) as info:
        run("get_task", "sd2_00001")
    assert isinstance(info.value, TransportError)
    assert time.monotonic() - t0 < 1.0
    assert len(api.requests("task")) == 2


def test_read_timeout_on_submit_retries_with_same_key(run: Runner, api: ApiServer) -> None:
    run.kw["timeouts"] = Timeouts(connect=1.0, read=0.2)
    api.script("submit", Reply(delay=0.4, commit_then_drop=True))
    sub = run("submit", REQ, "key-slow")
    posts = api.requests("submit")
    assert len(posts) == 2 and {p.headers["idempotency-key"] for p in posts} == {"key-slow"}
    assert api.charges == 1 and sub.id in api.tasks


# -- 409 ----------------------------------------------------------------------------------


def test_409_still_running_is_waited_out_with_the_same_key(run: Runner, api: ApiServer) -> None:
    running = error("idempotency_conflict", "A request with this Idempotency-Key is still running")
    api.script("submit", running, running)
    sub = run("submit", REQ, "key-running")
    posts = api.requests("submit")
    assert len(posts) == 3
    assert {p.headers["idempotency-key"] for p in posts} == {"key-running"}
    assert run.kinds().count("conflict_wait") == 2
    assert sub.id in api.tasks and api.charges == 1


def test_409_still_running_forever_raises(run: Runner, api: ApiServer) -> None:
    running = error("idempotency_conflict", "request still in progress")
    api.script("submit", *[running] * 6)
    with pytest.raises(IdempotencyConflict) as info:
        run("submit", REQ, "key-stuck")
    assert info.value.still_running
    assert len(api.requests("submit")) == FAST.max_conflict_waits + 1


def test_409_different_body_is_a_hard_error_naming_the_key(run: Runner, api: ApiServer) -> None:
    run("submit", REQ, "key-shared")
    with pytest.raises(IdempotencyConflict) as info:
        run("submit", OTHER, "key-shared")
    err = info.value
    assert not err.still_running
    assert err.key == "key-shared"
    assert "key-shared" in str(err) and "different" in str(err)
    assert err.exit_code == 5 and err.help and "new key" in err.help
    assert len(api.requests("submit")) == 2  # the conflicting one was sent once
    assert api.charges == 1


def test_same_key_same_body_replays_the_task(run: Runner, api: ApiServer) -> None:
    a = run("submit", REQ, "key-replay")
    b = run("submit", REQ, "key-replay")
    assert a.id == b.id and api.charges == 1


def test_409_retry_after_header_means_still_running(run: Runner, api: ApiServer) -> None:
    api.script("submit", error("idempotency_conflict", "conflict", Retry_After_Ms="50"))
    run("submit", REQ, "key-ra")
    waits = [e for e in run.events if e.kind == "conflict_wait"]
    assert len(waits) == 1 and waits[0].wait_s == pytest.approx(0.05)


# -- 429: Retry-After ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "headers", "expected"),
    [("sync", {"Retry_After_Ms": "1200"}, 1.2), ("async", {"Retry_After": "1"}, 1.0)],
)
def test_429_waits_exactly_retry_after(
    api: ApiServer, mode: str, headers: dict[str, str], expected: float
) -> None:
    """Retry-After honoured to within 10 % (and never less), one header form per driver."""
    run = Runner(mode, api.base_url)
    api.script("task", error("rate_limited", "slow down", **headers))
    api.script("submit")
    sub = run("submit", REQ, "key-429")
    run("get_task", sub.id)
    polls = api.requests("task")
    assert len(polls) == 2 and polls[0].status == 429
    gap = polls[1].t - polls[0].t_answered
    assert expected <= gap <= expected * 1.10, gap
    ev = [e for e in run.events if e.kind == "rate_limited"]
    assert len(ev) == 1 and ev[0].wait_s == pytest.approx(expected)


def test_429_prefers_retry_after_ms() -> None:
    from seedance_dsl.client.policy import parse_retry_after

    assert parse_retry_after({"retry-after": "2", "retry-after-ms": "1500"}) == 1.5
    assert parse_retry_after({"retry-after": "3"}) == 3.0
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None
    http_date = "Wed, 21 Oct 2015 07:28:10 GMT"
    assert parse_retry_after({"retry-after": http_date}, now=1445412480.0) == 10.0


def test_429_beyond_the_cap_raises_at_once(run: Runner, api: ApiServer) -> None:
    api.script("task", error("rate_limited", "slow down", Retry_After="3600"))
    t0 = time.monotonic()
    with pytest.raises(RateLimited) as info:
        run("get_task", "sd2_00001")
    assert time.monotonic() - t0 < 2
    assert info.value.retry_after_s == 3600
    assert len(api.requests("task")) == 1
    assert run.events[-1].kind == "rate_limited" and run.events[-1].wait_s is None


def test_429_holds_the_shared_limiter_for_everyone(mode: str, api: ApiServer) -> None:
    from seedance_dsl.client import RateLimiter

    limiter = RateLimiter(1000, 1.0)
    one = Runner(mode, api.base_url, limiter=limiter)
    two = Runner(mode, api.base_url, limiter=limiter)
    api.script("submit")
    sub = one("submit", REQ, "key-hold")
    api.script("task", error("rate_limited", "slow down", Retry_After_Ms="500"))
    one("get_task", sub.id)
    t0 = time.monotonic()
    limiter.hold_until(0.0)  # no-op: holds only extend
    assert limiter.time_until_available() <= 0.5
    two("get_task", sub.id)  # a different client: its request waited too
    assert time.monotonic() - t0 >= 0.0
    last = api.requests("task")
    assert last[-1].t - last[0].t_answered >= 0.5


# -- wait and its deadline ----------------------------------------------------------------

POLL = PollSchedule(first_s=0.02, interval_s=0.02, growth=2.0, max_interval_s=0.08)


def test_wait_polls_until_completed(run: Runner, api: ApiServer) -> None:
    api.polls_until_done = 4
    sub = run("submit", REQ, "key-wait")
    seen: list[str] = []
    task = run("wait", sub.id, poll=POLL, on_update=lambda t: seen.append(t.status))
    assert task.status == "completed" and task.output and task.output.video_url
    assert seen == ["processing"] * 3 + ["completed"]
    assert run.kinds().count("poll") == 4


def test_wait_returns_a_failed_task(run: Runner, api: ApiServer) -> None:
    failed = {
        "id": "sd2_00009",
        "status": "failed",
        "credits_used": 30,
        "credits_refunded": 30,
        "output": None,
        "error": {"code": "content_policy", "message": "refused"},
    }
    api.script("task", Reply(200, failed))
    task = run("wait", "sd2_00009", poll=POLL)
    assert task.status == "failed" and task.credits_refunded == 30


def test_wait_deadline_expires(run: Runner, api: ApiServer) -> None:
    api.polls_until_done = 10**6
    sub = run("submit", REQ, "key-deadline")
    t0 = time.monotonic()
    with pytest.raises(DeadlineExceeded) as info:
        run("wait", sub.id, deadline_s=0.4, poll=POLL)
    elapsed = time.monotonic() - t0
    assert 0.4 <= elapsed < 1.5
    err = info.value
    assert err.task_id == sub.id and err.exit_code == 7
    assert err.task is not None and err.task.status == "processing"
    assert "processing" in str(err)


def test_deadline_cuts_a_retry_wait_short(run: Runner, api: ApiServer) -> None:
    api.script("task", error("rate_limited", "slow down", Retry_After="4"))
    t0 = time.monotonic()
    with pytest.raises(DeadlineExceeded) as info:
        run("wait", "sd2_00001", deadline_s=0.3, poll=PollSchedule(first_s=0, interval_s=0.05))
    assert time.monotonic() - t0 < 1.5
    assert isinstance(info.value.__cause__, RateLimited)


def test_wait_not_found_raises_at_once(run: Runner, api: ApiServer) -> None:
    with pytest.raises(NotFound):
        run("wait", "sd2_nope", poll=POLL, deadline_s=5)
    assert len(api.requests("task")) == 1


# -- malformed answers ---------------------------------------------------------------------


def test_non_json_answer_is_an_unexpected_response(run: Runner, api: ApiServer) -> None:
    api.script("task", Reply(200, raw=b"<html>gateway</html>"))
    with pytest.raises(UnexpectedResponse) as info:
        run("get_task", "sd2_00001")
    assert "gateway" in str(info.value) and info.value.status == 200


def test_error_without_envelope_maps_by_status(run: Runner, api: ApiServer) -> None:
    api.script("task", Reply(402, raw=b"Payment Required"))
    with pytest.raises(InsufficientCredits) as info:
        run("get_task", "sd2_00001")
    assert "Payment Required" in str(info.value)


def test_unknown_5xx_is_retried_as_internal(run: Runner, api: ApiServer) -> None:
    api.script("task", Reply(502, raw=b"bad gateway"))
    api.script("submit")
    sub = run("submit", REQ, "k")
    assert run("get_task", sub.id).id == sub.id


def test_bad_arguments_are_rejected_before_sending(run: Runner, api: ApiServer) -> None:
    with pytest.raises(ValueError, match="idempotency_key"):
        run("submit", REQ, "")
    with pytest.raises(ValueError, match="idempotency_key"):
        run("submit", REQ, "has space")
    with pytest.raises(ValueError, match="task_id"):
        run("get_task", "")
    assert api.requests() == []


def test_the_key_is_sent_only_as_bearer(run: Runner, api: ApiServer) -> None:
    run("submit", REQ, "key-auth")
    (post,) = api.requests("submit")
    assert post.headers["authorization"] == f"Bearer {KEY}"
    assert post.headers["content-type"] == "application/json"
    assert post.path == CONTRACT.submit_path
