"""Reliability: kill -9 at random moments, and a faulty server.

Both run against ONE sandbox started by the test; the kill test drives the real
``seedance render`` command (a subprocess pointed at the sandbox with
SEEDANCE_BASE_URL / SEEDANCE_API_KEY), exactly as a user would.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path

import av
import pytest
from render_helpers import cli_env, seedance_cmd, ten_clips

from seedance_dsl.render.identity import server_namespace
from seedance_dsl.render.state import StateDB

pytestmark = pytest.mark.slow


def _whole(video: Path, seconds: int, fps: int) -> bool:
    with av.open(str(video)) as f:
        frames = sum(1 for _ in f.decode(video=0))
    return frames == seconds * fps


def _wait_for_a_submit(sb: object, timeout: float) -> None:
    """Return as soon as the sandbox has received a new POST (it is still answering)."""

    def posts() -> int:
        return sum(sb.inspect()["requests_per_idempotency_key"].values())  # type: ignore[attr-defined]

    start = posts()
    deadline = time.monotonic() + timeout
    while posts() == start and time.monotonic() < deadline:
        time.sleep(0.002)


def test_kill_9_at_20_random_moments(sandbox_factory, shot) -> None:
    # a render takes ~4 s and 4 may run at once (a chain of 3 inside): the storyboard
    # needs many runs' worth of time, so the kills land in every phase (start-up,
    # submits, polls, downloads, manifest writes)
    sb = sandbox_factory(time_scale=0.2, seed=7, added_latency_s=0.5)  # 0.1 s per request
    path = shot(ten_clips())
    env = cli_env(sb)
    rng = random.Random(20261124)
    kills = 0
    for i in range(20):
        proc = subprocess.Popen(
            [*seedance_cmd(), "render", str(path)],
            env=env,
            cwd=path.parent,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if i % 4 == 3:
            # every fourth kill lands while a submit is on the wire (its intent is
            # recorded, its answer is not): the re-run must not create a second task
            _wait_for_a_submit(sb, timeout=3.0)
        else:
            time.sleep(rng.uniform(0.2, 1.6))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=30)
    assert kills >= 12  # most runs really were killed mid-way
    final = subprocess.run(
        [*seedance_cmd(), "render", str(path), "--format", "json"],
        env=env,
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert final.returncode == 0, final.stdout[-2000:] + final.stderr[-2000:]
    ins = sb.inspect()
    # every clip rendered, every clip charged exactly once
    assert ins["tasks_created"] == 10, ins["tasks_per_idempotency_key"]
    assert set(ins["tasks_per_idempotency_key"].values()) == {1}
    assert ins["credits_refunded"] == 0
    # each run counts the requests its killed predecessors sent (the state database's
    # request log), so the account's rate limit is never exceeded
    assert ins["rate_limited"] == 0
    assert ins["credits_charged"] == sum(t["credits_used"] for t in ins["tasks"].values())
    db = StateDB.for_storyboard(path)
    recs = db.history(server_namespace(sb.base_url), path.name)
    db.close()
    assert sorted(r.clip for r in recs) == [f"c{i:02d}" for i in range(10)]
    fps = sb.settings.animatic.fps
    for r in recs:
        assert r.state == "done"
        assert r.video_path and _whole(Path(r.video_path), int(r.request.get("duration", 5)), fps)
        assert r.frame_path and Path(r.frame_path).stat().st_size == r.frame_bytes
    print(
        f"\nkill -9: {kills} of 20 runs killed; tasks {ins['tasks_created']}, "
        f"replayed submits {ins['replays']}, credits charged {ins['credits_charged']}, "
        f"429s {ins['rate_limited']}"
    )
    # nothing half-written is left beside the files
    leftovers = [p.name for p in (path.parent / "renders" / "film").iterdir()]
    assert not [n for n in leftovers if n.endswith((".part", ".tmp", ".copy"))], leftovers


def test_faults_every_clip_rendered_or_failed_with_refund(sandbox_factory, shot, render_on) -> None:
    sb = sandbox_factory(
        post_503_fraction=0.2,
        post_500_fraction=0.05,
        drop_after_commit_fraction=0.05,
        fail_fraction=0.1,
        seed=3,
    )
    path = shot(ten_clips())
    outcomes: dict[str, str] = {}
    for _ in range(3):  # a re-run retries failed clips with a new key
        summary, _ = render_on(sb, path)
        for c in summary.clips:
            assert c.status in ("done", "reused", "failed", "skipped"), c
            if c.status == "failed":
                assert c.error_code and c.credits_refunded == c.credits_used > 0, c
            if c.status == "skipped":
                assert "failed" in c.reason
            outcomes[c.clip] = c.status
        ins = sb.inspect()
        # no Idempotency-Key ever created two tasks; no credits charged twice
        assert set(ins["tasks_per_idempotency_key"].values()) == {1}
        assert ins["rate_limited"] == 0
        charged = ins["credits_charged"] - ins["credits_refunded"]
        kept = sum(t["credits_used"] for t in ins["tasks"].values() if t["status"] == "completed")
        assert charged == kept
        if summary.exit_code == 0:
            break
    final = sb.inspect()
    faults = final["faults"]
    print(
        f"\nfaults: {faults}; tasks {final['tasks_created']}, replays {final['replays']}, "
        f"charged {final['credits_charged']}, refunded {final['credits_refunded']}, "
        f"outcomes {sorted(set(outcomes.values()))}"
    )
    assert sum(faults.values()) > 0, faults  # the faults really happened
    assert set(outcomes.values()) <= {"done", "reused"}, outcomes
