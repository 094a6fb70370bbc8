"""Pure logic of the renderer: poll policy, estimates, prices, plan order, budget."""

from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seedance_dsl.errors import UsageError
from seedance_dsl.render.budget import SharedBudget, parse_rate_limit
from seedance_dsl.render.events import ClipResult, RenderSummary
from seedance_dsl.render.polling import (
    Expectation,
    PollPolicy,
    expectation_from,
    measure_render_time,
)
from seedance_dsl.render.pricing import PriceTable


def test_expectation_median_and_spread() -> None:
    assert not expectation_from([]).known
    e = expectation_from([10.0, 11.0, 9.0, 10.0, 12.0])
    assert e.expected_s == 10.0 and e.samples == 5
    assert e.spread_s >= 0.03 * 10.0
    one = expectation_from([20.0])
    assert one.spread_s == pytest.approx(2.0)  # 10 % with too few samples


def test_known_expectation_polls_at_expected_then_small_steps() -> None:
    p = PollPolicy(min_interval_s=0.0)
    exp = Expectation(100.0, 4.0, 20)
    first = p.first_poll(exp)
    assert first == pytest.approx(103.0)  # E + 0.75 spread: never before plausible
    nxt = p.next_poll(exp, first)
    assert nxt - first == pytest.approx(4.0)  # 4 % of E
    # overdue: the interval grows, but never beyond max_interval_s
    late = p.next_poll(exp, 200.0)
    assert 200.0 + 4.0 < late <= 200.0 + p.max_interval_s


def test_the_runs_tail_polls_in_smaller_steps() -> None:
    p = PollPolicy(min_interval_s=0.0)
    exp = Expectation(100.0, 4.0, 20)
    first = p.first_poll(exp)
    assert p.next_poll(exp, first, tail=True) - first == pytest.approx(2.0)  # 2 % of E
    assert PollPolicy().next_poll(exp, first, tail=True) - first == pytest.approx(2.0)
    floor = PollPolicy(min_interval_s=3.0)  # never more often than the minimum
    assert floor.next_poll(exp, first, tail=True) - first == pytest.approx(3.0)
    assert PollPolicy().scaled(0.1).tail_step_fraction == PollPolicy().tail_step_fraction
    assert p.first_poll(exp, tail=True) == pytest.approx(96.0)  # E - 1 spread
    assert p.first_poll(exp, floor=98.0, tail=True) == pytest.approx(98.0)
    assert PollPolicy().scaled(0.1).tail_first_spreads == PollPolicy().tail_first_spreads


def test_one_poll_must_do_when_the_window_is_short() -> None:
    p = PollPolicy(min_interval_s=0.0)
    exp = Expectation(100.0, 10.0, 1)  # one sample: the spread is 10 % of it
    assert p.first_poll(exp, scarce=True) == pytest.approx(120.0)  # E + 2 spreads
    assert p.first_poll(exp, scarce=True, tail=True) == pytest.approx(90.0)  # tail wins
    assert PollPolicy().scaled(0.1).scarce_first_spreads == PollPolicy().scarce_first_spreads


def test_unknown_expectation_is_geometric_and_respects_floor() -> None:
    p = PollPolicy()
    assert p.first_poll(Expectation(None, 0, 0)) == p.first_poll_s
    t, times = p.first_poll_s, []
    for _ in range(8):
        t = p.next_poll(Expectation(None, 0, 0), t)
        times.append(t)
    steps = [b - a for a, b in itertools.pairwise(times)]
    assert steps == sorted(steps) and max(steps) <= p.max_interval_s
    # another clip of the same kind was still rendering at 40 s: do not poll before
    assert p.first_poll(Expectation(None, 0, 0), floor=40.0) > 40.0


@given(
    e=st.floats(0.5, 1000),
    spread_frac=st.floats(0.0, 0.5),
    elapsed=st.floats(0, 5000),
)
def test_next_poll_always_moves_forward_and_stays_bounded(
    e: float, spread_frac: float, elapsed: float
) -> None:
    p = PollPolicy()
    for exp in (Expectation(e, e * spread_frac, 5), Expectation(None, 0, 0)):
        nxt = p.next_poll(exp, elapsed)
        assert elapsed + p.min_interval_s - 1e-9 <= nxt <= elapsed + p.max_interval_s + 1e-9


def test_scaled_policy() -> None:
    p = PollPolicy().scaled(0.01)
    assert p.min_interval_s == pytest.approx(0.005) and p.first_poll_s == pytest.approx(0.02)


def test_measure_render_time_prefers_server_times_within_bounds() -> None:
    t = measure_render_time(
        lower_s=10,
        upper_s=14,
        created_at="2026-06-03T10:00:00.000Z",
        updated_at="2026-06-03T10:00:12.000Z",
    )
    assert t == pytest.approx(12.0)
    clamped = measure_render_time(
        lower_s=10, upper_s=14, created_at="2026-06-03T10:00:00Z", updated_at="2026-06-03T10:01:00Z"
    )
    assert clamped == 14
    assert measure_render_time(lower_s=10, upper_s=14) == 12
    assert measure_render_time(lower_s=0, upper_s=10) == pytest.approx(9.0)


def test_price_table_documented_price_and_assumptions(tmp_path: Path) -> None:
    p = PriceTable()
    assert p.estimate({"prompt": "x"}) == 30  # the one documented price (all defaults)
    assert p.estimate({"duration": "5", "quality_tier": "standard", "resolution": "720p"}) == 30
    assert p.estimate({"duration": "10"}) == 60
    assert p.estimate({"duration": "5", "quality_tier": "pro", "resolution": "4k"}) == 240
    assert p.estimate({"duration": "4", "quality_tier": "mini"}) == 12
    f = tmp_path / "prices.json"
    f.write_text(json.dumps({"tier_factor": {"pro": 3}}))
    custom = PriceTable.load(f)
    assert custom.estimate({"quality_tier": "pro"}) == 90 and custom.source == str(f)
    f.write_text('{"tier_factor": ')
    with pytest.raises(UsageError, match="not valid JSON"):
        PriceTable.load(f)
    f.write_text('{"surprise": 1}')
    with pytest.raises(UsageError, match="unknown price-table keys"):
        PriceTable.load(f)


def test_parse_rate_limit() -> None:
    assert parse_rate_limit("30/60") == (30, 60.0)
    assert parse_rate_limit("30/0.6") == (30, 0.6)
    for bad in ("30", "x/60", "0/60", "30/0"):
        with pytest.raises(ValueError):
            parse_rate_limit(bad)


def test_budget_reserved_slot_is_used_once() -> None:
    """A slot reserved by the scheduler and passed to the call explicitly: the call's
    first request uses it, a retry takes a slot of its own, and both are counted once."""
    import httpx

    from seedance_dsl.client import AsyncSeedanceClient

    answers = iter([500, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        if status == 500:
            return httpx.Response(500, json={"error": {"code": "internal_error", "message": "x"}})
        return httpx.Response(
            200,
            json={
                "id": "t1",
                "status": "processing",
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z",
            },
        )

    async def go() -> tuple[int, int]:
        b = SharedBudget(3, 60.0)
        client = AsyncSeedanceClient(
            "sk-test-unit",
            base_url="http://127.0.0.1:9",
            limiter=b,
            transport=httpx.MockTransport(handler),
        )
        from seedance_dsl.client.policy import RetryPolicy

        slot = await b.reserve()
        fast = RetryPolicy(backoff_base_s=0.0, jitter=0.0)
        await client.get_task("t1", slot=slot, retry=fast)
        await client.aclose()
        return b.taken, b.available()

    assert asyncio.run(go()) == (2, 1)  # 3 - the reserved slot - the retry's slot


def test_reserved_slot_that_no_request_used_counts_from_the_end_of_the_call() -> None:
    async def go() -> int:
        b = SharedBudget(3, 60.0)
        from seedance_dsl.client import AsyncSeedanceClient

        client = AsyncSeedanceClient("sk-test-unit", base_url="http://127.0.0.1:9", limiter=b)
        slot = await b.reserve()
        with pytest.raises(ValueError):
            await client.get_task("", slot=slot)  # refused before anything is sent
        await client.aclose()
        assert slot.at != float("inf")  # done: it counts from now, not forever
        return b.available()

    assert asyncio.run(go()) == 2


def test_summary_exit_codes() -> None:
    def summary(*statuses: str, **kw: bool) -> RenderSummary:
        return RenderSummary(
            "f.shot",
            "s",
            None,
            None,
            [ClipResult(f"c{i}", s) for i, s in enumerate(statuses)],
            0.0,
            **kw,
        )

    assert summary("done", "reused").exit_code == 0
    assert summary("done", "failed", "skipped").exit_code == 1
    assert summary("done", "over_budget", budget_stopped=True).exit_code == 4
    assert summary("done", "no_credits", credits_stopped=True).exit_code == 4
    assert summary("interrupted", interrupted=True).exit_code == 3
    assert summary("done", usage_error=True).exit_code == 2
    assert json.loads(json.dumps(summary("done").to_json()))["exit_code"] == 0


def test_budget_seeded_with_an_earlier_process_requests(tmp_path: Path) -> None:
    from seedance_dsl.render.state import StateDB

    db = StateDB(tmp_path / "s.db")
    now = 1000.0
    for at in (900.0, 990.0, 995.0, 999.0):  # 900 is outside a 60 s window
        db.log_request("srv", at)
    recent = db.recent_requests("srv", 61.0, now)
    assert recent == [990.0, 995.0, 999.0]
    b = SharedBudget(5, 60.0)
    assert b.seed([now - at for at in recent]) == 3
    assert b.available() == 2
    db.close()


def test_seeded_requests_count_from_send_plus_arrival_slack() -> None:
    # An earlier process logged these sends; a request killed in flight may have reached
    # the server later than it was sent, so each counts as if sent `slack` later.
    clock = [1000.0]
    b = SharedBudget(3, 10.0, clock=lambda: clock[0], margin_s=0.1)
    slack = b.arrival_slack_s
    assert slack == 0.5  # 5 % of a 10 s window
    # sent 10.3 s ago: outside window + margin, but within the slack: still counted
    assert b.seed([10.3, 2.0]) == 2
    assert b.available() == 1
    clock[0] += 0.29  # 10.59 s after the send: still inside window + margin + slack
    assert b.available() == 1
    clock[0] += 0.02  # 10.61 s: its slot is free again
    assert b.available() == 2


def test_a_state_dir_that_cannot_be_made_is_a_state_error(tmp_path: Path) -> None:
    import pytest

    from seedance_dsl.render.state import StateError, make_state_dir

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StateError) as info:
        make_state_dir(blocker / ".seedance")
    assert info.value.exit_code == 2
    assert "cannot create the render state directory" in info.value.message
    assert info.value.help
