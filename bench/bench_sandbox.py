"""Sandbox figures: animatic drawing time per mode, API latency while rendering, start/stop.

    .venv/bin/python bench/bench_sandbox.py

Prints a Markdown table (copied into docs/benchmarks.md, section "Sandbox").  Every
ratio is measured side by side in this one run.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import httpx

from seedance_dsl.api.spec import CONTRACT
from seedance_dsl.sandbox import AnimaticSettings, SandboxSettings, start_sandbox
from seedance_dsl.sandbox.animatic import AnimaticJob, render_animatic

PROMPT = (
    "Shot 1 (0–5 s): A glass train crosses a snowy mountain bridge. Camera: slow aerial dolly-in.\n"
    "Shot 2 (5–10 s): The conductor steps onto the platform. Camera: handheld close-up.\n"
    "Shot 3 (10–15 s): The train pulls away. Camera: static wide."
)


def draw_time(settings: AnimaticSettings, duration: int, runs: int) -> float:
    times = []
    with tempfile.TemporaryDirectory() as d:
        for i in range(runs):
            job = AnimaticJob(
                f"sd2_b{i}",
                PROMPT,
                duration,
                "16:9",
                "1080p",
                Path(d) / f"{i}.mp4",
                Path(d) / f"{i}.png",
                "16:9 · 1080p",
            )
            t0 = time.perf_counter()
            render_animatic(job, settings)
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def latencies(client: httpx.Client, key: str, path: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        client.get(path, headers={"Authorization": f"Bearer {key}"})
        out.append(time.perf_counter() - t0)
        time.sleep(0.005)
    return out


def p(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000


def main() -> None:
    draw_time(AnimaticSettings.cheap(), 4, 1)  # warm-up: imports av, fonts
    rows = []
    for name, s in (
        ("cheap (2 fps, 160×90)", AnimaticSettings.cheap()),
        ("default (12 fps, 1280×720)", AnimaticSettings()),
    ):
        for duration in (5, 15):
            rows.append((name, duration, draw_time(s, duration, 5 if s.fps < 5 else 3)))
    print("| animatic mode | clip | draw time (median) |\n|---|---|---|")
    for name, duration, t in rows:
        print(f"| {name} | {duration} s | {t * 1000:.0f} ms |")
    print(f"\nratio default/cheap, 15 s: {rows[3][2] / rows[1][2]:.0f}×")

    starts, stops = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        with start_sandbox(SandboxSettings.for_tests()):
            t1 = time.perf_counter()
        starts.append(t1 - t0)
        stops.append(time.perf_counter() - t1)
    print(
        f"\nstart_sandbox: start {statistics.median(starts) * 1000:.0f} ms, "
        f"stop {statistics.median(stops) * 1000:.0f} ms (median of 5)"
    )

    settings = SandboxSettings(
        time_scale=0.01, render_time_s=0.0, rate_limit_requests=10**6, animatic=AnimaticSettings()
    )
    with start_sandbox(settings) as sb, httpx.Client(base_url=sb.base_url) as c:
        missing = CONTRACT.task_url_path("sd2_missing")
        idle = latencies(c, sb.api_key, missing, 200)
        for i in range(4):
            c.post(
                CONTRACT.submit_path,
                json={"prompt": PROMPT, "duration": "15"},
                headers={"Authorization": f"Bearer {sb.api_key}", "Idempotency-Key": f"b{i}"},
            )
        busy = latencies(c, sb.api_key, missing, 200)
        still = sum(1 for t in sb.inspect()["tasks"].values() if t["status"] == "processing")
    print("\n| GET /api/v1/tasks/{id} | p50 | p95 | max |\n|---|---|---|---|")
    print(f"| idle | {p(idle, 0.5):.1f} ms | {p(idle, 0.95):.1f} ms | {max(idle) * 1000:.1f} ms |")
    print(
        f"| while 4 default animatics draw | {p(busy, 0.5):.1f} ms | {p(busy, 0.95):.1f} ms | "
        f"{max(busy) * 1000:.1f} ms |"
    )
    print(f"(tasks still drawing when the measurement ended: {still})")


if __name__ == "__main__":
    main()
