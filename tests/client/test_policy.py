"""Unit tests of the sans-IO policy pieces (no network)."""

from __future__ import annotations

import itertools

import pytest

from seedance_dsl.client import PollSchedule, RetryPolicy
from seedance_dsl.client.policy import (
    body_start,
    conflict_is_still_running,
    expected_total,
)


@pytest.mark.parametrize(
    ("message", "headers", "extra", "running"),
    [
        # the sandbox's wordings
        (
            "the first request with this Idempotency-Key is still being processed; retry "
            "the same request shortly (it will then be replayed)",
            {"retry-after": "1"},
            {},
            True,
        ),
        (
            "this Idempotency-Key was already used with a different request body (task "
            "sd2_1); send a new key for a new request",
            {},
            {"task_id": "sd2_1"},
            False,
        ),
        # api.md's wording of the code, and variants
        ("Same Idempotency-Key reused with a different body", {}, {}, False),
        ("request in progress", {}, {}, True),
        ("conflict", {"retry-after-ms": "10"}, {}, True),
        ("conflict", {}, {"still_running": True}, True),
        ("still running", {}, {"still_running": False}, False),
        ("conflict", {}, {"reason": "in_progress"}, True),
        ("conflict", {}, {"reason": "body_mismatch"}, False),
        # says neither: the safe side is a hard error
        ("conflict", {}, {}, False),
        ("", {}, {}, False),
    ],
)
def test_409_classification(
    message: str, headers: dict[str, str], extra: dict[str, object], running: bool
) -> None:
    assert conflict_is_still_running(message, headers, extra) is running


def test_no_retries_and_scaling() -> None:
    p = RetryPolicy.no_retries()
    assert p.max_attempts == 1 and p.max_rate_limited == 0 and p.max_conflict_waits == 0
    assert not (p.retry_service_busy or p.retry_internal_error or p.retry_transport)
    s = RetryPolicy().scaled(0.01)
    assert s.backoff_base_s == pytest.approx(0.01) and s.backoff_cap_s == pytest.approx(0.3)
    assert s.retry_after_cap_s == pytest.approx(1.2) and s.max_attempts == 5
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(jitter=1.5)


def test_exact_backoff_without_jitter() -> None:
    p = RetryPolicy(jitter=0)
    assert [p.backoff(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert [p.conflict_backoff(n) for n in range(1, 4)] == [2, 4, 8]


def test_poll_schedule() -> None:
    first = list(itertools.islice(PollSchedule().intervals(), 7))
    assert first == pytest.approx([5, 5, 7.5, 11.25, 15, 15, 15])
    # 4 polls a minute at the cap: six tasks stay under 30 requests per minute
    assert 60 / PollSchedule().max_interval_s * 6 <= 24
    assert list(itertools.islice(PollSchedule().scaled(0.1).intervals(), 2)) == pytest.approx(
        [0.5, 0.5]
    )


def test_range_bookkeeping() -> None:
    assert body_start(200, {}, 500) == 0
    assert body_start(206, {"content-range": "bytes 500-999/1000"}, 500) == 500
    assert body_start(206, {"content-range": "bytes 400-999/1000"}, 500) is None
    assert body_start(404, {}, 0) is None
    assert expected_total(200, {"content-length": "1000"}) == 1000
    assert expected_total(206, {"content-range": "bytes 500-999/1000"}) == 1000
    assert expected_total(206, {"content-range": "bytes 500-999/*"}) is None
    assert expected_total(200, {}) is None
