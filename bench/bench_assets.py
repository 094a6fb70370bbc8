"""Asset figures: uploads to a loopback S3 store (moto's server mode) and the preflight
of remote URLs against a loopback server with added latency.

    .venv/bin/python bench/bench_assets.py [--files 24] [--mib 2] [--latency 0.2]

Prints Markdown (copied into docs/benchmarks.md, section "Assets").  Everything runs on
127.0.0.1; the servers stop by themselves.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "assets"))

from assets_testlib import FAKE_ENV, Route, ScriptedServer, moto_server, noise_png  # noqa: E402

from seedance_dsl.assets.local import inspect_local  # noqa: E402
from seedance_dsl.assets.model import LocalAsset  # noqa: E402
from seedance_dsl.assets.online import ProbeOK, ProbeTarget, preflight_sync  # noqa: E402
from seedance_dsl.assets.store import S3Store, StoreConfig  # noqa: E402
from seedance_dsl.limits import limit  # noqa: E402


def make_assets(d: Path, n: int, nbytes: int) -> list[LocalAsset]:
    out = []
    for i in range(n):
        (d / f"ref{i:02d}.png").write_bytes(noise_png(nbytes, i))
        got = inspect_local(f"ref{i:02d}", f"ref{i:02d}.png", "image", base_dir=d, roots=[str(d)])
        assert isinstance(got, LocalAsset), got
        out.append(got)
    return out


def uploads(files: int, mib: float) -> None:
    import boto3

    os.environ.update(FAKE_ENV)
    slots = int(limit("asset_upload_concurrency"))
    with tempfile.TemporaryDirectory() as tmp, moto_server() as endpoint:
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        for b in ("singles", "batch"):
            s3.create_bucket(Bucket=b)
        assets = make_assets(Path(tmp), files, int(mib * 1024 * 1024))
        total = sum(a.size for a in assets)
        singles = S3Store(StoreConfig(bucket="singles", endpoint_url=endpoint))
        batch = S3Store(StoreConfig(bucket="batch", endpoint_url=endpoint))
        singles.check()
        batch.check()
        one: list[float] = []
        for a in assets:
            t0 = time.perf_counter()
            singles.upload_many([a], concurrency=1)
            one.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        first = batch.upload_many(assets)
        wall = time.perf_counter() - t0
        t0 = time.perf_counter()
        second = batch.upload_many(assets)
        wall2 = time.perf_counter() - t0
    print(
        f"### Upload of {files} local references ({total / files / 2**20:.1f} MiB each, "
        f"{total / 2**20:.0f} MiB) to moto's S3 on loopback\n"
    )
    print("| run | wall | bytes sent |")
    print("|---|---:|---:|")
    print(
        f"| {files} single uploads, one after another (sum) | {sum(one):.2f} s "
        f"(median {statistics.median(one) * 1000:.0f} ms each) | {total:,} |"
    )
    print(
        f"| one batch, {slots} at a time (`asset_upload_concurrency`) | {wall:.2f} s "
        f"({sum(one) / wall:.2f}x faster) | {sum(u.bytes_sent for u in first):,} |"
    )
    print(
        f"| the same batch again (HEAD only) | {wall2:.2f} s | "
        f"**{sum(u.bytes_sent for u in second):,}** |"
    )
    print()


def probes(files: int, latency: float) -> None:
    slots = int(limit("asset_probe_concurrency"))
    table = {f"/r{i}.png": Route(body=b"\x89PNG" + b"\x00" * 1000) for i in range(files)}
    with ScriptedServer(table, latency=latency) as srv:
        targets = [ProbeTarget(f"r{i}", "image", srv.url(f"/r{i}.png")) for i in range(files)]
        singles = []
        for t in targets[:5]:
            t0 = time.perf_counter()
            (r,) = preflight_sync([t], allow_loopback=True)
            singles.append(time.perf_counter() - t0)
            assert isinstance(r, ProbeOK)
        walls = []
        for _ in range(3):
            t0 = time.perf_counter()
            got = preflight_sync(targets, allow_loopback=True)
            walls.append(time.perf_counter() - t0)
            assert all(isinstance(r, ProbeOK) for r in got)
    one = statistics.median(singles)
    rounds = math.ceil(files / slots)
    wall = statistics.median(walls)
    bound = 2 * one * rounds
    print(
        f"### Preflight of {files} URLs, server latency {latency * 1000:.0f} ms, "
        f"{slots} probes at a time (`asset_probe_concurrency`)\n"
    )
    print("| measure | value |")
    print("|---|---:|")
    print(f"| one probe alone (median of 5, whole call) | {one * 1000:.0f} ms |")
    print(f"| {files} probes (median of 3) | {wall * 1000:.0f} ms |")
    print(
        f"| per concurrency slot ({rounds} rounds) | {wall / rounds * 1000:.0f} ms "
        f"= {wall / rounds / one:.2f} x one probe |"
    )
    verdict = "met" if wall <= bound else "NOT met"
    print(f"| target ≤ 2 × one probe per slot round ({bound * 1000:.0f} ms) | **{verdict}** |")
    print()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=24)
    ap.add_argument("--mib", type=float, default=2.0)
    ap.add_argument("--latency", type=float, default=0.2)
    args = ap.parse_args()
    uploads(args.files, args.mib)
    probes(args.files, args.latency)


if __name__ == "__main__":
    main()
