"""The cold poll schedule in virtual time: how often a first render waits a window.

    .venv/bin/python bench/bench_cold_schedule.py [--runs 60] [--spreads 0.75 2.0]

12 independent clips, nothing learned (a cold run), R = 20 s with each render drawn
uniformly from +-10 % (a seed per run), 30 requests / 60 s, against the in-memory server
of tests/render/test_scheduler_core.py on a fake clock (no sleeping).  For each value of
``PollPolicy.scarce_first_spreads`` (where the clips a probe releases get their one poll
when the window cannot afford two each; 0.75 is the schedule before that rule) it prints
the run time over the slowest render (median, p90, max), how many runs waited for the
next window (> 1.5x) and the requests per clip.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "render")]

import test_scheduler_core as core  # noqa: E402
from render_helpers import independent  # noqa: E402

from seedance_dsl.compiler import compile_text  # noqa: E402
from seedance_dsl.render.budget import SharedBudget  # noqa: E402
from seedance_dsl.render.polling import PollPolicy  # noqa: E402
from seedance_dsl.render.runner import Renderer, RenderOptions  # noqa: E402
from seedance_dsl.render.state import StateDB  # noqa: E402


def one_run(spreads: float, seed: int) -> tuple[float, float]:
    rng = random.Random(seed)
    render_of = {f"t{i}": 20.0 * (1 + rng.uniform(-0.1, 0.1)) for i in range(12)}
    tmp = Path(tempfile.mkdtemp(prefix="cold-sched-"))
    clock = core.FakeClock()
    mem = core.MemoryServer(clock, max_active=12, timestamps=True, render_of=render_of)
    db = StateDB(tmp / "state.db")

    async def idle(wake: asyncio.Event, timeout: float | None) -> None:
        for _ in range(3):
            await asyncio.sleep(0)
        if wake.is_set():
            return
        if timeout is None:
            await asyncio.wait_for(wake.wait(), 30.0)
            return
        clock.advance(timeout)

    renderer = Renderer(
        compile_text(independent(12), str(tmp / "film.shot")),
        client=mem,
        budget=SharedBudget(30, 60.0, clock=clock),
        db=db,
        server="https://memory.example.test",
        out_dir=tmp / "out",
        options=RenderOptions(concurrency=16, poll=PollPolicy(scarce_first_spreads=spreads)),
        clock=clock,
        idle=idle,
    )
    asyncio.run(renderer.run())
    db.close()
    return (clock.t - 1000.0) / max(render_of.values()), len(mem.requests) / 12


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=60)
    ap.add_argument("--spreads", type=float, nargs="+", default=[0.75, 2.0])
    args = ap.parse_args()
    print("| scarce_first_spreads | median | p90 | max | runs > 1.5x | requests/clip |")
    print("|---|---|---|---|---|---|")
    for k in args.spreads:
        res = [one_run(k, seed) for seed in range(args.runs)]
        ratios = sorted(r for r, _ in res)
        p90 = ratios[int(0.9 * len(ratios))]
        waited = sum(1 for r in ratios if r > 1.5)
        print(
            f"| {k:g} | {statistics.median(ratios):.3f}x | {p90:.3f}x | {max(ratios):.3f}x | "
            f"{waited} of {args.runs} | {statistics.mean(q for _, q in res):.2f} |"
        )


if __name__ == "__main__":
    main()
