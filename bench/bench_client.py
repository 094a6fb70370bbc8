"""Overhead of the API client over raw httpx, against the sandbox on loopback.

    .venv/bin/python bench/bench_client.py

Rows are measured side by side in one run, interleaved in rounds (the machine is
noisy): a ``GET /api/v1/tasks/{id}`` through raw ``httpx.Client``, through
``SeedanceClient.get_task`` (limiter slot + the sans-IO policy + pydantic ``Task``) and
through ``AsyncSeedanceClient.get_task``; plus the limiter alone and client set-up.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable

import httpx

from seedance_dsl.api import CONTRACT, VideoRequest
from seedance_dsl.client import AsyncSeedanceClient, RateLimiter, SeedanceClient
from seedance_dsl.sandbox.server import start_sandbox
from seedance_dsl.sandbox.settings import SandboxSettings

ROUNDS = 10
PER_ROUND = 50


def _ms(samples: list[float]) -> str:
    s = sorted(samples)
    return f"{statistics.median(s) * 1e3:.2f} ms | {s[int(len(s) * 0.95)] * 1e3:.2f} ms"


def main() -> None:
    settings = SandboxSettings.for_tests(rate_limit_requests=10**9)
    with start_sandbox(settings) as sb:
        limiter = RateLimiter(10**9, 60.0)
        sync = SeedanceClient(sb.api_key, base_url=sb.base_url, limiter=limiter)
        task_id = sync.submit(VideoRequest(prompt="A benchmark of the client"), "bench-1").id
        raw = httpx.Client(base_url=sb.base_url)
        auth = {"Authorization": f"Bearer {sb.api_key}"}
        path = CONTRACT.task_url_path(task_id)

        loop = asyncio.new_event_loop()
        aclient = AsyncSeedanceClient(sb.api_key, base_url=sb.base_url, limiter=limiter)

        def raw_get() -> None:
            r = raw.get(path, headers=auth)
            r.raise_for_status()
            r.json()

        araw = httpx.AsyncClient(base_url=sb.base_url)

        async def _araw() -> None:
            r = await araw.get(path, headers=auth)
            r.raise_for_status()
            r.json()

        def async_raw_get() -> None:
            loop.run_until_complete(_araw())

        def sync_get() -> None:
            sync.get_task(task_id)

        def async_get() -> None:
            loop.run_until_complete(aclient.get_task(task_id))

        lim = RateLimiter(10**9, 60.0)

        def limiter_only() -> None:
            lim.acquire_slot_sync().done()

        def setup() -> None:
            SeedanceClient(sb.api_key, base_url=sb.base_url, limiter=limiter).close()

        rows: dict[str, tuple[Callable[[], None], list[float]]] = {
            "raw httpx.Client GET + json()": (raw_get, []),
            "SeedanceClient.get_task": (sync_get, []),
            "raw httpx.AsyncClient GET + json() (sequential)": (async_raw_get, []),
            "AsyncSeedanceClient.get_task (sequential)": (async_get, []),
            "RateLimiter slot (acquire + done)": (limiter_only, []),
            "SeedanceClient() + close()": (setup, []),
        }
        for fn, _ in rows.values():  # warm up
            for _ in range(10):
                fn()
        for _ in range(ROUNDS):
            for fn, samples in rows.values():
                for _ in range(PER_ROUND):
                    t = time.perf_counter()
                    fn()
                    samples.append(time.perf_counter() - t)
        loop.run_until_complete(aclient.aclose())
        loop.run_until_complete(araw.aclose())
        loop.close()
        sync.close()
        raw.close()

    base = statistics.median(rows["raw httpx.Client GET + json()"][1])
    print("| operation | p50 | p95 | p50 vs raw httpx |")
    print("|---|---|---|---|")
    for name, (_, samples) in rows.items():
        ratio = statistics.median(samples) / base
        print(f"| {name} | {_ms(samples)} | {ratio:.2f}× |")


if __name__ == "__main__":
    main()
