"""Downloads: streamed, atomic (temp file + rename), size-checked, resumed with Range."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from client_helpers import Runner
from client_testserver import KEY, ApiServer, Reply

from seedance_dsl.client import DownloadError, RetryPolicy

DATA = bytes(range(256)) * 2048  # 512 KiB, several chunks


def _leftovers(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir())


def test_download_whole_file(run: Runner, api: ApiServer, tmp_path: Path) -> None:
    url = api.add_file("clip.mp4", DATA)
    dest = tmp_path / "out" / "clip.mp4"
    assert run("download", url, dest) == dest
    assert dest.read_bytes() == DATA
    assert _leftovers(dest.parent) == ["clip.mp4"]
    (get,) = api.requests("file")
    assert "authorization" not in get.headers  # output URLs get no credentials
    assert "range" not in get.headers


def test_broken_download_resumes_with_range(run: Runner, api: ApiServer, tmp_path: Path) -> None:
    url = api.add_file("clip.mp4", DATA)
    api.file_breaks.extend([100_000, 150_000])
    dest = tmp_path / "clip.mp4"
    run("download", url, dest)
    assert dest.read_bytes() == DATA
    gets = api.requests("file")
    assert len(gets) == 3
    assert gets[1].headers["range"] == "bytes=100000-"
    assert gets[2].headers["range"] == "bytes=250000-"
    assert gets[1].headers["if-range"].startswith('"')  # the strong ETag
    assert [e.detail for e in run.events if e.kind == "download_resume"] == ["100000", "250000"]
    assert _leftovers(tmp_path) == ["clip.mp4"]


def test_broken_download_restarts_without_range_support(
    run: Runner, api: ApiServer, tmp_path: Path
) -> None:
    api.file_ranges = False
    url = api.add_file("clip.mp4", DATA)
    api.file_breaks.append(300_000)
    dest = tmp_path / "clip.mp4"
    run("download", url, dest)
    assert dest.read_bytes() == DATA
    gets = api.requests("file")
    assert len(gets) == 2 and "range" not in gets[1].headers


def test_a_download_that_keeps_breaking_leaves_nothing(
    run: Runner, api: ApiServer, tmp_path: Path
) -> None:
    api.file_ranges = False  # no progress is kept, so every break counts as a failure
    url = api.add_file("clip.mp4", DATA)
    api.file_breaks.extend([1000] * 10)
    dest = tmp_path / "clip.mp4"
    dest_before = tmp_path / "other.txt"
    dest_before.write_text("untouched")
    with pytest.raises(DownloadError) as info:
        run("download", url, dest)
    assert "broke" in str(info.value)
    assert info.value.exit_code == 6
    assert not dest.exists()
    assert _leftovers(tmp_path) == ["other.txt"]  # no partial or temp file anywhere


def test_an_existing_file_is_replaced_only_when_complete(
    run: Runner, api: ApiServer, tmp_path: Path
) -> None:
    dest = tmp_path / "clip.mp4"
    dest.write_bytes(b"old take")
    url = api.add_file("clip.mp4", DATA)
    api.file_ranges = False
    api.file_breaks.extend([1000] * 10)
    with pytest.raises(DownloadError):
        run("download", url, dest)
    assert dest.read_bytes() == b"old take"
    api.file_breaks.clear()
    run("download", url, dest)
    assert dest.read_bytes() == DATA


def test_missing_file_is_a_download_error_not_retried(
    run: Runner, api: ApiServer, tmp_path: Path
) -> None:
    with pytest.raises(DownloadError) as info:
        run("download", f"{api.base_url}/files/nope.mp4", tmp_path / "x.mp4")
    assert info.value.status == 404
    assert len(api.requests("file")) == 1
    assert _leftovers(tmp_path) == []


def test_5xx_and_dropped_download_are_retried(run: Runner, api: ApiServer, tmp_path: Path) -> None:
    url = api.add_file("clip.mp4", DATA)
    api.script("file", Reply(503, {"error": {"code": "service_busy"}}), Reply(drop=True))
    run("download", url, tmp_path / "clip.mp4")
    assert (tmp_path / "clip.mp4").read_bytes() == DATA
    assert len(api.requests("file")) == 3


def test_short_body_with_honest_length_is_detected(mode: str, tmp_path: Path) -> None:
    """A body shorter than its Content-Length never becomes the file."""
    srv = ApiServer().start()
    try:
        url = srv.add_file("clip.mp4", DATA)
        srv.file_ranges = False
        srv.file_breaks.extend([10] * 10)
        run = Runner(mode, srv.base_url, retry=RetryPolicy(max_attempts=2, backoff_base_s=0.01))
        with pytest.raises(DownloadError):
            run("download", url, tmp_path / "clip.mp4")
        assert os.listdir(tmp_path) == []
    finally:
        srv.stop()


def test_only_http_urls(run: Runner, tmp_path: Path) -> None:
    with pytest.raises(DownloadError):
        run("download", "file:///etc/passwd", tmp_path / "x")
    assert KEY  # (the key never goes to download URLs: see test_download_whole_file)


def test_cancelled_download_leaves_nothing(api: ApiServer, tmp_path: Path) -> None:
    import asyncio

    from client_testserver import KEY

    from seedance_dsl.client import AsyncSeedanceClient, RateLimiter

    url = api.add_file("clip.mp4", DATA)
    api.script("file", Reply(200, {"slow": True}, delay=2.0))

    async def main() -> None:
        async with AsyncSeedanceClient(
            KEY, base_url=api.base_url, limiter=RateLimiter(100, 1.0)
        ) as c:
            job = asyncio.create_task(c.download(url, tmp_path / "clip.mp4"))
            await asyncio.sleep(0.2)
            assert len(list(tmp_path.iterdir())) == 1  # the temp file exists meanwhile
            job.cancel()
            with pytest.raises(asyncio.CancelledError):
                await job

    asyncio.run(main())
    assert _leftovers(tmp_path) == []
