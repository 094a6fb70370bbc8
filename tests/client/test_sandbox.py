"""The client against the project's own sandbox (seedance_dsl.sandbox), which keeps the
contract independently of the client: the whole flow, drop-after-commit, the rate
limit, and the 409 rules as the sandbox words them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from seedance_dsl.api import CONTRACT, VideoRequest
from seedance_dsl.client import (
    AsyncSeedanceClient,
    ClientEvent,
    IdempotencyConflict,
    InsufficientCredits,
    NotFound,
    PollSchedule,
    RateLimiter,
    RetryPolicy,
    SeedanceClient,
    Unauthorized,
)

SCALE = 0.01  # SandboxSettings.for_tests: time x 0.01
RETRY = RetryPolicy().scaled(SCALE)
POLL = PollSchedule().scaled(SCALE)
REQ = VideoRequest(prompt="A glass train crossing a snowy mountain bridge", duration="4")


def _limiter() -> RateLimiter:
    return RateLimiter(CONTRACT.rate_limit_requests, CONTRACT.rate_limit_window_s * SCALE)


def test_submit_wait_download_sync(sandbox: Any, tmp_path: Path) -> None:
    with SeedanceClient(
        sandbox.api_key, base_url=sandbox.base_url, retry=RETRY, poll=POLL, limiter=_limiter()
    ) as c:
        sub = c.submit(REQ, "sbx-flow-1")
        assert sub.id.startswith(CONTRACT.task_id_prefix) and sub.status == "processing"
        task = c.wait(sub.id, deadline_s=30)
        assert task.status == "completed" and task.output and task.output.video_url
        video = c.download(task.output.video_url, tmp_path / "clip.mp4")
        assert task.output.last_frame_url
        frame = c.download(task.output.last_frame_url, tmp_path / "last.png")
    assert video.stat().st_size > 1000 and frame.stat().st_size > 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4", "last.png"]


def test_submit_wait_async(sandbox: Any, tmp_path: Path) -> None:
    async def main() -> Any:
        async with AsyncSeedanceClient(
            sandbox.api_key, base_url=sandbox.base_url, retry=RETRY, poll=POLL, limiter=_limiter()
        ) as c:
            subs = await asyncio.gather(*(c.submit(REQ, f"sbx-async-{i}") for i in range(3)))
            tasks = await asyncio.gather(*(c.wait(s.id, deadline_s=30) for s in subs))
            await c.download(tasks[0].output.video_url, tmp_path / "a.mp4")  # type: ignore[union-attr]
            return tasks

    tasks = asyncio.run(main())
    assert [t.status for t in tasks] == ["completed"] * 3
    assert len({t.id for t in tasks}) == 3
    assert (tmp_path / "a.mp4").stat().st_size > 1000


def test_async_requests_do_not_look_for_sniffio_each_time(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """httpcore imports sniffio on every async request; absent, each import scanned
    sys.path again (issue 12: ~12 % of a render's loop once clips complete).  The
    client looks once; an installed sniffio is imported once and cached anyway."""
    import sys

    class Counting:
        looked = 0

        def find_spec(self, name: str, path: Any, target: Any = None) -> None:
            if name == "sniffio":
                Counting.looked += 1

    had = "sniffio" in sys.modules and sys.modules["sniffio"] is not None
    if not had:
        monkeypatch.delitem(sys.modules, "sniffio", raising=False)
    monkeypatch.setattr(sys, "meta_path", [Counting(), *sys.meta_path])

    async def main() -> None:
        async with AsyncSeedanceClient(
            sandbox.api_key, base_url=sandbox.base_url, retry=RETRY, poll=POLL, limiter=_limiter()
        ) as c:
            sub = await c.submit(REQ, "sbx-sniffio")
            for _ in range(5):
                await c.get_task(sub.id)

    asyncio.run(main())
    assert Counting.looked <= 1


def test_drop_after_commit_against_the_sandbox(sandbox_factory: Any) -> None:
    sb = sandbox_factory(drop_after_commit_fraction=1.0)
    before = sb.balance()
    with SeedanceClient(sb.api_key, base_url=sb.base_url, retry=RETRY, limiter=_limiter()) as c:
        sub = c.submit(REQ, "sbx-drop")
    info = sb.inspect()
    assert info["tasks_created"] == 1
    assert info["tasks_per_idempotency_key"]["sbx-drop"] == 1
    assert info["requests_per_idempotency_key"]["sbx-drop"] >= 2
    assert sub.id in info["tasks"]
    assert before - sb.balance() == info["tasks"][sub.id]["credits_used"]


def test_rate_limit_is_never_hit(sandbox: Any) -> None:
    """45 requests against a 30-per-0.6 s sandbox through one client limiter: no 429."""
    events: list[ClientEvent] = []
    with SeedanceClient(
        sandbox.api_key,
        base_url=sandbox.base_url,
        retry=RETRY,
        limiter=_limiter(),
        on_event=events.append,
    ) as c:
        sub = c.submit(REQ, "sbx-rate")
        for _ in range(44):
            c.get_task(sub.id)
    assert sandbox.inspect()["rate_limited"] == 0
    assert not [e for e in events if e.kind == "rate_limited"]


def test_a_429_from_the_sandbox_is_obeyed(sandbox: Any) -> None:
    """Without a client-side limiter matching the server, the sandbox answers 429; the
    client waits Retry-After-Ms and every call still succeeds."""
    events: list[ClientEvent] = []
    with SeedanceClient(
        sandbox.api_key,
        base_url=sandbox.base_url,
        retry=RETRY,
        limiter=RateLimiter(1000, 1.0),
        on_event=events.append,
    ) as c:
        sub = c.submit(REQ, "sbx-429")
        for _ in range(40):
            c.get_task(sub.id)
    limited = [e for e in events if e.kind == "rate_limited"]
    assert limited and all(e.wait_s is not None and e.wait_s <= 0.61 for e in limited)
    assert sandbox.inspect()["rate_limited"] == len(limited)


def test_409_rules_against_the_sandbox(sandbox: Any) -> None:
    with SeedanceClient(
        sandbox.api_key, base_url=sandbox.base_url, retry=RETRY, limiter=_limiter()
    ) as c:
        first = c.submit(REQ, "sbx-409")
        again = c.submit(REQ, "sbx-409")  # same key, same body: the same task
        assert again.id == first.id
        with pytest.raises(IdempotencyConflict) as info:
            c.submit(VideoRequest(prompt="Something else entirely"), "sbx-409")
    err = info.value
    assert not err.still_running and err.key == "sbx-409" and "sbx-409" in str(err)
    assert err.task_id == first.id
    assert sandbox.inspect()["tasks_created"] == 1


def test_error_codes_from_the_sandbox(sandbox_factory: Any) -> None:
    sb = sandbox_factory(keys={"sk_test_poor": 10})
    with SeedanceClient("sk_test_poor", base_url=sb.base_url, retry=RETRY, limiter=_limiter()) as c:
        with pytest.raises(InsufficientCredits):
            c.submit(REQ, "sbx-poor")
        with pytest.raises(NotFound):
            c.get_task("sd2_does_not_exist")
    with (
        SeedanceClient("sk_test_wrong", base_url=sb.base_url, limiter=_limiter()) as c,
        pytest.raises(Unauthorized),
    ):
        c.get_task("sd2_x")
