"""The scheduler's parts without a network: the lifecycle table, the concurrency
controller, the credit ledger, the dispatcher's decision and the network watch, each
driven by a fake clock; then the whole :class:`Renderer` in virtual time against an
in-memory server (no socket, no sleep)."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from render_helpers import chain, independent

from seedance_dsl.api.models import SubmitResponse, Task
from seedance_dsl.client import errors as cerr
from seedance_dsl.compiler import compile_text
from seedance_dsl.render.budget import SharedBudget
from seedance_dsl.render.control import (
    ConcurrencyController,
    CreditLedger,
    Refuse,
    Start,
    Wait,
    next_action,
)
from seedance_dsl.render.lifecycle import (
    TERMINAL_PHASES,
    TRANSITIONS,
    Event,
    IllegalTransition,
    Phase,
    RecordState,
    step,
)
from seedance_dsl.render.netwatch import NetworkWatch
from seedance_dsl.render.runner import Renderer, RenderOptions
from seedance_dsl.render.state import StateDB

# ---------------------------------------------------------------------- lifecycle


def test_every_event_moves_only_from_its_phases() -> None:
    for event, t in TRANSITIONS.items():
        for phase in Phase:
            if phase in t.sources:
                assert step(phase, event) is t
            else:
                with pytest.raises(IllegalTransition, match=str(event)):
                    step(phase, event)


def test_the_table_says_what_the_record_becomes() -> None:
    assert step("ready", Event.DISPATCH).record is None  # the intent is written by the submit
    assert step("submitting", Event.ACCEPTED).record is RecordState.SUBMITTED
    assert step("submitting", Event.REFUSED).record is RecordState.REJECTED
    assert step("submitting", Event.CREDITS_EXHAUSTED).record is RecordState.REJECTED
    assert step("rendering", Event.COMPLETED).record is RecordState.COMPLETED
    assert step("rendering", Event.TASK_FAILED).record is RecordState.FAILED
    assert step("rendering", Event.LOST).record is RecordState.INTENT
    assert step("downloading", Event.DOWNLOADED).record is RecordState.DONE
    # a 503 or a lost answer: the record stays as it is (the key is re-sent)
    assert step("submitting", Event.BUSY).record is None
    assert step("submitting", Event.RETRY_LATER).target is Phase.READY


def test_terminal_phases_are_left_by_nothing() -> None:
    for phase in TERMINAL_PHASES:
        assert not [e for e, t in TRANSITIONS.items() if phase in t.sources]
    # every other phase can be interrupted
    assert TRANSITIONS[Event.INTERRUPT].sources == frozenset(set(Phase) - TERMINAL_PHASES)
    # and every phase is reachable
    assert {t.target for t in TRANSITIONS.values()} | {Phase.WAITING} == set(Phase)


# --------------------------------------------------------------------- controller


def test_slow_start_then_a_503_then_additive_increase() -> None:
    cc = ConcurrencyController(ceiling=10)
    assert cc.limit == 4  # SLOW_START before any answer
    assert cc.on_accepted(1) == 1  # remembered for the next run
    assert cc.limit == 5
    cc.on_accepted(2)
    cc.on_accepted(3)
    assert cc.limit == 7
    assert cc.on_busy(others=3) is None  # 3 were accepted before: nothing new learned
    assert cc.limit == 3 and not cc.slow_start
    assert cc.on_busy(others=2) == 2  # the server takes 2: lower than we believed
    assert cc.on_accepted(2) is None  # no growth after the first 503
    assert cc.limit == 2
    cc.on_rendered()  # 2 + 1/2
    assert cc.cap == 2.5
    cc.on_rendered()  # + 1/2.5
    assert cc.limit == 2 and cc.cap == pytest.approx(2.9)
    cc.on_rendered()
    assert cc.limit == 3
    for _ in range(100):
        cc.on_rendered()
    assert cc.limit == 10  # never above --concurrency


def test_controller_starts_from_what_the_server_accepted_before() -> None:
    assert ConcurrencyController(ceiling=32, learned=12).limit == 12
    assert ConcurrencyController(ceiling=8, learned=12).limit == 8
    assert ConcurrencyController(ceiling=32, learned=2).limit == 4
    cc = ConcurrencyController(ceiling=1)
    assert cc.limit == 1
    assert cc.on_busy(others=0) is None and cc.limit == 1  # never below one


def test_ledger_counts_charges_reservations_and_refunds() -> None:
    ledger = CreditLedger(max_credits=100)
    ledger.reserve("a", 40)
    assert ledger.admits(60) and not ledger.admits(61)
    assert (
        ledger.committed_text()
        == "40 committed so far: 0 charged + ~40 in submits not answered yet"
    )
    ledger.release("a")
    ledger.charge(45)  # the server's credits_used
    ledger.settle(50, 45)  # the task's final figure
    assert ledger.spent == 50
    ledger.refund(50)
    assert ledger.spent == 0 and ledger.committed_text() == "0 committed so far"
    assert CreditLedger(None).admits(10**9)


# ----------------------------------------------------------------------- dispatch


@dataclass
class FakeClip:
    name: str
    status: str = "ready"
    next_poll_at: float = 0.0
    retry_at: float = 0.0
    estimate: int = 10


def test_polls_that_are_due_go_first_the_oldest_first() -> None:
    clips = [
        FakeClip("s"),
        FakeClip("late", "rendering", next_poll_at=5.0),
        FakeClip("old", "rendering", next_poll_at=2.0),
        FakeClip("future", "rendering", next_poll_at=50.0),
    ]
    got = next_action(clips, 10.0, cap=8, ledger=CreditLedger())
    assert isinstance(got, Start) and got.kind == "poll" and got.clip.name == "old"


def test_submits_stay_within_the_cap_and_wait_for_the_next_poll() -> None:
    clips = [FakeClip("r", "rendering", next_poll_at=30.0), FakeClip("a"), FakeClip("b")]
    got = next_action(clips, 10.0, cap=2, ledger=CreditLedger())
    assert isinstance(got, Start) and got.kind == "submit" and got.clip.name == "a"
    clips[1].status = "submitting"
    got = next_action(clips, 10.0, cap=2, ledger=CreditLedger())
    assert got == Wait(20.0)  # the cap is full: sleep until the poll is due


def test_a_clip_backing_off_is_skipped_and_wakes_the_loop() -> None:
    clips = [FakeClip("a", retry_at=14.0), FakeClip("b", retry_at=12.0)]
    assert next_action(clips, 10.0, cap=4, ledger=CreditLedger()) == Wait(2.0)
    got = next_action(clips, 12.0, cap=4, ledger=CreditLedger())
    assert isinstance(got, Start) and got.clip.name == "b"


def test_over_budget_and_no_credits_are_refusals() -> None:
    ledger = CreditLedger(max_credits=15)
    ledger.charge(10)
    clips = [FakeClip("a", estimate=6)]
    assert next_action(clips, 0.0, cap=4, ledger=ledger) == Refuse(clips[0], Phase.OVER_BUDGET)
    got = next_action(clips, 0.0, cap=4, ledger=ledger, credits_stopped=True)
    assert got == Refuse(clips[0], Phase.NO_CREDITS)
    # a run that stops still polls (nothing new is submitted)
    clips.append(FakeClip("r", "rendering", next_poll_at=3.0))
    assert next_action(clips, 0.0, cap=4, ledger=CreditLedger(), stopping=True) == Wait(3.0)


# -------------------------------------------------------------------- network watch


class FakeClock:
    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, dt: float) -> None:
        self.t += dt


def test_network_watch_counts_silence_from_the_send() -> None:
    clock = FakeClock()
    net = NetworkWatch(clock, grace_s=300.0, first_contact_grace_s=30.0)
    assert net.grace() == 30.0 and net.silent_since() is None
    token = net.begin()  # a call in progress counts as silence
    clock.advance(40.0)
    assert net.silent_since() == 1000.0
    net.end(token)
    assert net.fail("no answer: boom", since=1000.0)  # the first failure says so
    assert not net.fail("no answer: boom", since=1010.0)  # once per outage
    assert net.silent_since() == 1000.0
    assert "did not answer for 30 s" in net.silence_message(40.0)
    assert "SEEDANCE_FIRST_ANSWER_TIMEOUT" in net.silence_message(40.0)
    net.ok()
    assert net.silent_since() is None and net.grace() == 300.0
    net.fail("HTTP 503 service_busy: x")
    assert "refused every request" in net.silence_message(1.0)
    assert "SEEDANCE_OUTAGE_TIMEOUT" in net.silence_message(1.0)


# --------------------------------------------------- the whole renderer, virtual time


def _iso(t: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")


class MemoryServer:
    """A Seedance server in memory, on a fake clock: renders take ``render_s``, at most
    ``max_active`` tasks process at once (503 beyond), every request is logged."""

    def __init__(
        self,
        clock: FakeClock,
        *,
        render_s: float = 20.0,
        max_active: int = 2,
        timestamps: bool = False,
        failing: tuple[str, ...] = (),
        answer_delay_s: float = 0.0,
        render_of: dict[str, float] | None = None,
    ) -> None:
        self.clock = clock
        self.answer_delay_s = answer_delay_s  # from a task's creation to its submit's answer
        self.polls: dict[str, list[float]] = {}  # task id -> when it was polled
        self.render_s = render_s
        self.render_of = render_of or {}  # task id -> its own render time
        self.max_active = max_active
        self.tasks: dict[str, float] = {}  # id -> created at
        self.keys: dict[str, str] = {}
        self.requests: list[float] = []
        self.most_active = 0
        self.timestamps = timestamps
        self.failing = failing  # task ids that end "failed"

    def _active(self) -> int:
        now = self.clock()
        return sum(1 for t in self.tasks.values() if now < t + self.render_s)

    async def submit(
        self, request: Any, idempotency_key: str, *, retry: Any = None, slot: Any = None
    ) -> SubmitResponse:
        if slot is not None:
            slot.done()
        self.requests.append(self.clock())
        if idempotency_key in self.keys:
            tid = self.keys[idempotency_key]
        else:
            if self._active() >= self.max_active:
                raise cerr.ServiceBusy("busy", status=503)
            tid = self.keys[idempotency_key] = f"t{len(self.tasks)}"
            self.tasks[tid] = self.clock()
            self.clock.advance(self.answer_delay_s)
        self.most_active = max(self.most_active, self._active())
        return SubmitResponse.from_json({"id": tid, "status": "queued", "credits_used": 10})

    async def get_task(self, task_id: str, *, slot: Any = None) -> Task:
        if slot is not None:
            slot.done()
        self.requests.append(self.clock())
        self.polls.setdefault(task_id, []).append(self.clock())
        render_s = self.render_of.get(task_id, self.render_s)
        done = self.clock() >= self.tasks[task_id] + render_s
        body: dict[str, Any] = {"id": task_id, "status": "completed" if done else "processing"}
        if self.timestamps:  # the server's own times: when it was created, and completed
            created = self.tasks[task_id]
            body["created_at"] = _iso(created)
            body["updated_at"] = _iso(created + render_s if done else created)
        if done and task_id in self.failing:
            body["status"] = "failed"
            body["error"] = {"code": "content_policy", "message": "refused"}
        elif done:
            body["output"] = {
                "video_url": f"https://cdn.example.test/{task_id}.webm",
                "last_frame_url": f"https://cdn.example.test/{task_id}.png",
                "seed": 7,
            }
        return Task.model_validate(body)

    async def download(self, url: str, path: Path) -> Path:
        path.write_bytes(b"frames of " + url.encode())
        return path


def render_virtually(
    tmp_path: Path,
    text: str,
    *,
    requests: int = 30,
    window_s: float = 60.0,
    concurrency: int = 8,
    **server: Any,
) -> tuple[Any, MemoryServer, FakeClock, StateDB]:
    clock = FakeClock()
    mem = server.pop("server_class", MemoryServer)(clock, **server)
    sb = compile_text(text, str(tmp_path / "film.shot"))
    db = StateDB(tmp_path / "state.db")

    async def idle(wake: asyncio.Event, timeout: float | None) -> None:
        for _ in range(3):  # let the actions that are ready run first
            await asyncio.sleep(0)
        if wake.is_set():
            return
        if timeout is None:  # only a download (a thread) can wake it: wait for it
            await asyncio.wait_for(wake.wait(), 30.0)
            return
        clock.advance(timeout)

    renderer = Renderer(
        sb,
        client=mem,
        budget=SharedBudget(requests, window_s, clock=clock),
        db=db,
        server="https://memory.example.test",
        out_dir=tmp_path / "out",
        options=RenderOptions(concurrency=concurrency),
        clock=clock,
        idle=idle,
    )
    summary = asyncio.run(renderer.run())
    return summary, mem, clock, db


def test_renderer_in_virtual_time_keeps_to_the_servers_concurrency(tmp_path: Path) -> None:
    start = time.monotonic()
    summary, mem, clock, db = render_virtually(tmp_path, independent(6), max_active=2)
    assert [c.status for c in summary.clips] == ["done"] * 6
    assert summary.exit_code == 0
    assert mem.most_active <= 2  # the 503s brought the cap down to what the server takes
    assert summary.busy >= 1
    assert db.fact("https://memory.example.test", "accepted_in_flight") == 2
    # three waves of 20 s (virtual); no real sleeping
    assert 60.0 <= clock.t - 1000.0 < 200.0
    assert time.monotonic() - start < 30.0
    manifest = (tmp_path / "out" / "manifest.json").read_text()
    assert '"status": "done"' in manifest and "t5" in manifest
    db.close()


def test_renderer_in_virtual_time_stays_inside_the_rate_window(tmp_path: Path) -> None:
    summary, mem, clock, db = render_virtually(
        tmp_path, chain(3), requests=3, window_s=60.0, max_active=8
    )
    assert [c.status for c in summary.clips] == ["done"] * 3
    times = sorted(mem.requests)
    for i, t in enumerate(times):  # never more than 3 requests in any 60 s
        assert sum(1 for u in times[i:] if u < t + 60.0) <= 3
    assert clock.t - 1000.0 > 120.0  # the budget, not the renders, set the pace
    db.close()


def test_a_cold_render_polls_one_clip_per_kind_and_keeps_to_the_budget(tmp_path: Path) -> None:
    """Nothing learned: one clip of the kind is polled to learn its render time, the
    others are held until then; the run stays inside the request budget (no 429 wait)
    and notices every clip soon after the render time (issue 12)."""
    summary, mem, clock, db = render_virtually(
        tmp_path,
        independent(12),
        requests=30,
        window_s=60.0,
        concurrency=16,
        max_active=12,
        timestamps=True,
    )
    assert [c.status for c in summary.clips] == ["done"] * 12
    assert len(mem.requests) / 12 <= 2.5  # submits and polls per clip
    times = sorted(mem.requests)
    for i, t in enumerate(times):  # the budget was never exceeded
        assert sum(1 for u in times[i:] if u < t + 60.0) <= 30
    assert clock.t - 1000.0 <= 1.35 * 20.0  # no clip waited for the next window
    # the run taught this server's schedule from when each task completed (its
    # updated_at), not from when the poll noticed it
    learned = [s for *_, s in db.render_times("https://memory.example.test")]
    assert len(learned) == 12 and all(s == pytest.approx(20.0) for s in learned)
    db.close()


def test_polls_count_from_when_the_server_most_likely_created_the_task(tmp_path: Path) -> None:
    """The learned render time runs from the task's creation (the server's created_at),
    which lies between the submit's send and its answer: the first poll is scheduled
    from halfway between the two, not from the answer (a slow answer — the client
    reading a burst of answers one by one — delayed every first poll, hence every
    clip's completion being noticed)."""
    render_virtually(tmp_path, independent(3, "Warm-up"), timestamps=True, max_active=8)
    summary, mem, _clock, db = render_virtually(
        tmp_path,
        independent(3, "Slow answers").replace("scene number", "slow answer"),
        requests=8,  # not the run's tail: two more polls each do not fit
        timestamps=True,
        max_active=8,
        answer_delay_s=0.4,
    )
    assert [c.status for c in summary.clips] == ["done"] * 3
    first_poll = 20.0 + 0.75 * 0.6  # E + 0.75 spreads (3 equal samples: 3 % of E)
    for tid, polls in mem.polls.items():
        late = polls[0] - mem.tasks[tid] - first_poll
        assert 0.0 <= late <= 0.2 + 1e-6, (tid, late)  # half the answer's delay
    db.close()


class OverlapServer(MemoryServer):
    """Records how many of one task's files are being downloaded at once."""

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.active: dict[str, int] = {}
        self.most: dict[str, int] = {}

    async def download(self, url: str, path: Path) -> Path:
        tid = url.rsplit("/", 1)[1].split(".")[0]
        self.active[tid] = self.active.get(tid, 0) + 1
        self.most[tid] = max(self.most.get(tid, 0), self.active[tid])
        for _ in range(3):
            await asyncio.sleep(0)
        self.active[tid] -= 1
        return await super().download(url, path)


def test_a_clips_video_and_last_frame_download_side_by_side(tmp_path: Path) -> None:
    """Issue 12: finishing a clip costs one download's time, not two one after the other."""
    summary, mem, _clock, db = render_virtually(
        tmp_path, independent(2), max_active=8, server_class=OverlapServer
    )
    assert [c.status for c in summary.clips] == ["done"] * 2
    assert isinstance(mem, OverlapServer) and mem.most == {"t0": 2, "t1": 2}
    for c in summary.clips:
        assert c.video_path and Path(c.video_path).read_bytes().startswith(b"frames of")
        assert c.frame_path and Path(c.frame_path).exists()
    db.close()


def _polls_of_a_slow_clip(tmp_path: Path, requests: int) -> list[float]:
    """Learn E = 20 s (one sample: spread 2 s), then render one clip taking 22.5 s: when
    it was polled (seconds after its submit)."""
    render_virtually(tmp_path, independent(1, "Warm-up"), timestamps=True, max_active=8)
    summary, mem, _clock, db = render_virtually(
        tmp_path,
        independent(1, "Slow").replace("scene number", "a slow one"),
        requests=requests,
        timestamps=True,
        max_active=8,
        render_s=22.5,
    )
    db.close()
    assert [c.status for c in summary.clips] == ["done"]
    ((tid, polls),) = mem.polls.items()
    return [round(t - mem.tasks[tid], 6) for t in polls]


def test_the_last_clip_in_flight_is_polled_early_in_smaller_steps(tmp_path: Path) -> None:
    """Issue 12: the clip that ends the run (here the only one; a chain's link) is polled
    from E - 1 spread (18 s), not E + 0.75 spreads (21.5 s), every 2 % of E (at least
    the minimum interval, 0.5 s), not 4 %: noticed within a step of completing."""
    polls = _polls_of_a_slow_clip(tmp_path, 30)
    assert polls[0] == 18.0 and polls[-1] == 22.5
    assert {round(b - a, 6) for a, b in itertools.pairwise(polls)} == {0.5}


def test_the_tail_keeps_its_steps_when_the_budget_is_short(tmp_path: Path) -> None:
    """With no requests to spare in the window (4 a minute: once a submit and a poll
    are sent, two left), the tail's polls are not tightened: they would wait for the
    window.  The first poll stays at E + 0.75 spreads, the steps 4 % of E."""
    assert _polls_of_a_slow_clip(tmp_path, 4) == [21.5, 22.3, 23.1]


def test_the_tail_tightens_when_another_clip_completes(tmp_path: Path) -> None:
    """10 requests a minute, three clips: when the slow one is first found processing
    the others are still in flight (two more polls each and the reserve do not fit);
    once they have completed, the slow one is the tail and its next poll moves to the
    tail's step (0.5 s, not 0.8 s)."""
    render_virtually(tmp_path, independent(3, "Warm-up"), timestamps=True, max_active=8)
    summary, mem, _clock, db = render_virtually(
        tmp_path,
        independent(3, "Trio").replace("scene number", "one of three"),
        requests=10,
        timestamps=True,
        max_active=8,
        render_of={"t0": 22.5},
    )
    db.close()
    assert [c.status for c in summary.clips] == ["done"] * 3
    steps = [round(b - a, 6) for a, b in itertools.pairwise(mem.polls["t0"])]
    assert steps[0] == 0.5  # then 0.8 again: the polls spent the room
    assert len(mem.polls["t1"]) == len(mem.polls["t2"]) == 1


def test_a_clip_anchor_is_halfway_between_send_and_answer_capped() -> None:
    from seedance_dsl.render.runner import _Clip

    c = _Clip(compiled=None)  # type: ignore[arg-type]
    c.submit_sent, c.submit_answered = 10.0, 10.4
    assert c.anchor(0.5) == pytest.approx(10.2)
    assert c.anchor(0.1) == pytest.approx(10.3)  # a retried submit: at most this early
    c.submit_sent = c.submit_answered  # a resumed task
    assert c.anchor(0.5) == 10.4


def test_learned_render_times_belong_to_their_server(tmp_path: Path) -> None:
    from seedance_dsl.render.expectations import RenderTimes

    db = StateDB(tmp_path / "state.db")
    RenderTimes(db, "sandbox").learn(("standard", "720p", 4), 2.0)
    assert RenderTimes(db, "sandbox").expectation(("standard", "720p", 4)).known
    assert (
        not RenderTimes(db, "https://api.example.test").expectation(("standard", "720p", 4)).known
    )
    db.close()


def test_the_manifest_is_written_once_per_batch_of_completions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Clips that complete together are written to manifest.json together (the state
    database has each one committed as it lands: nothing paid is lost in between)."""
    import seedance_dsl.render.runner as runner_mod

    writes: list[int] = []
    real = runner_mod.write_manifest

    def counting(path: Path, **kw: Any) -> None:
        writes.append(sum(1 for e in kw["clips"] if e["status"] == "done"))
        real(path, **kw)

    monkeypatch.setattr(runner_mod, "write_manifest", counting)
    summary, _mem, _clock, db = render_virtually(
        tmp_path, independent(12), concurrency=16, max_active=12, timestamps=True
    )
    assert [c.status for c in summary.clips] == ["done"] * 12
    assert writes[-1] == 12
    assert len(writes) <= 4  # not one write per clip
    db.close()


def test_the_runs_tail_defers_the_manifest_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12: a clip finished while the last one is polled every 0.5 s: the manifest
    waits for the end of the run (one write, not one per clip on the critical path);
    the state database has the finished clip committed meanwhile."""
    import seedance_dsl.render.runner as runner_mod

    writes: list[int] = []
    real = runner_mod.write_manifest

    def counting(path: Path, **kw: Any) -> None:
        writes.append(sum(1 for e in kw["clips"] if e["status"] == "done"))
        real(path, **kw)

    render_virtually(tmp_path, independent(2, "Warm-up"), timestamps=True, max_active=8)
    monkeypatch.setattr(runner_mod, "write_manifest", counting)
    summary, mem, _clock, db = render_virtually(
        tmp_path,
        independent(2, "Pair").replace("scene number", "one of a pair"),
        timestamps=True,
        max_active=8,
        render_of={"t0": 22.5},
    )
    db.close()
    assert [c.status for c in summary.clips] == ["done"] * 2
    assert len(mem.polls["t0"]) > len(mem.polls["t1"]) > 1  # the tail's small steps
    assert writes == [2]


def test_downloads_that_end_apart_are_still_one_manifest_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A loaded machine: the twelve downloads of one batch of completions end tens of ms
    apart (real time), each waking the loop; the manifest is written once the batch is
    whole (no clip still downloading), not once per clip (the old loop wrote it at every
    wake-up: 12 writes)."""
    import random

    import seedance_dsl.render.runner as runner_mod

    writes: list[int] = []
    real = runner_mod.write_manifest

    def counting(path: Path, **kw: Any) -> None:
        writes.append(sum(1 for e in kw["clips"] if e["status"] == "done"))
        real(path, **kw)

    rng = random.Random(7)
    plain = MemoryServer.download

    async def slow_download(self: MemoryServer, url: str, path: Path) -> Path:
        await asyncio.sleep(rng.uniform(0.005, 0.06))
        return await plain(self, url, path)

    monkeypatch.setattr(runner_mod, "write_manifest", counting)
    monkeypatch.setattr(MemoryServer, "download", slow_download)
    summary, _mem, _clock, db = render_virtually(
        tmp_path, independent(12), concurrency=16, max_active=12, timestamps=True
    )
    assert [c.status for c in summary.clips] == ["done"] * 12
    assert writes[-1] == 12
    assert len(writes) <= 3, writes
    db.close()


def test_a_cold_probe_that_fails_hands_its_role_to_a_held_clip(tmp_path: Path) -> None:
    """The probe taught nothing: the oldest held clip is polled at once and becomes the
    probe; no held clip waits for the task ceiling."""
    summary, mem, clock, db = render_virtually(
        tmp_path,
        independent(4),
        concurrency=16,
        max_active=12,
        timestamps=True,
        failing=("t0",),
    )
    assert sorted(c.status for c in summary.clips) == ["done"] * 3 + ["failed"]
    assert clock.t - 1000.0 < 2 * 20.0  # not the 3600 s ceiling
    assert len(mem.requests) / 4 <= 4.0
    db.close()


def test_a_cold_run_whose_probe_was_fast_still_fits_the_window(tmp_path: Path) -> None:
    """The probe rendered at the fast end of the jitter, its siblings at the slow end:
    polled at expected + 0.75 spreads, the slow ones were still processing, and with no
    request left in the window their second polls waited for the next one (the run took
    ~2.8x the slowest render).  With the window short of two polls each, the released
    clips get one poll late enough to find them done."""
    slow = [21.4, 21.5, 21.0, 20.5, 19.0, 21.3, 21.2, 20.0, 21.1, 19.5, 20.8]  # <= +19 %
    summary, mem, clock, db = render_virtually(
        tmp_path,
        independent(12, "Fast probe"),
        requests=30,
        window_s=60.0,
        concurrency=16,
        max_active=12,
        timestamps=True,
        render_of={"t0": 18.0, **{f"t{i + 1}": r for i, r in enumerate(slow)}},
    )
    assert [c.status for c in summary.clips] == ["done"] * 12
    assert len(mem.requests) <= 30  # one window's budget: nothing waited for the next
    assert clock.t - 1000.0 <= 1.35 * max(slow)
    db.close()
