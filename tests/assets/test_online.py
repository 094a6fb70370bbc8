"""seedance_dsl.assets.online: the preflight of remote asset URLs against a scripted
loopback server: each problem (404, wrong type, no Range, timeout, unreachable, not
allowed, too large) is reported for the right asset; concurrency is bounded."""

from __future__ import annotations

import time

import pytest
from assets_testlib import Route, ScriptedServer, free_port, png_bytes

from seedance_dsl.assets.model import AssetProblem
from seedance_dsl.assets.online import ProbeOK, ProbeTarget, preflight_sync

VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 5000


def routes() -> dict[str, Route]:
    return {
        "/ok.png": Route(body=png_bytes()),
        "/clip.mp4": Route(content_type="video/mp4", body=VIDEO),
        "/gone.png": Route(status=404, content_type="text/plain", body=b"nope"),
        "/login.png": Route(content_type="text/html; charset=utf-8", body=b"<html>login</html>"),
        "/norange.mp4": Route(content_type="video/mp4", body=VIDEO, ranges=False),
        "/slow.png": Route(body=png_bytes(), delay=2.0),
        "/vague.png": Route(content_type="application/octet-stream", body=png_bytes()),
        "/big.mp4": Route(content_type="video/mp4", body=b"\x00" * 300_000),
    }


def test_each_problem_is_reported_for_its_asset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEEDANCE_MAX_ASSET_VIDEO_BYTES", "100000")
    with ScriptedServer(routes()) as srv:
        targets = [
            ProbeTarget("hero", "image", srv.url("/ok.png")),
            ProbeTarget("take", "video", srv.url("/clip.mp4")),
            ProbeTarget("gone", "image", srv.url("/gone.png")),
            ProbeTarget("login", "image", srv.url("/login.png")),
            ProbeTarget("stream", "video", srv.url("/norange.mp4")),
            ProbeTarget("slow", "image", srv.url("/slow.png")),
            ProbeTarget("vague", "image", srv.url("/vague.png")),
            ProbeTarget("big", "video", srv.url("/big.mp4")),
            ProbeTarget("down", "image", f"http://127.0.0.1:{free_port()}/x.png"),
            ProbeTarget("lan", "image", "https://10.0.0.1/a.png"),
            ProbeTarget("clipimg", "image", srv.url("/clip.mp4")),
        ]
        t0 = time.monotonic()
        got = preflight_sync(targets, timeout=0.5, allow_loopback=True)
        elapsed = time.monotonic() - t0
    assert elapsed < 5
    by = {r.name: r for r in got}
    assert [r.name for r in got] == [t.name for t in targets]
    ok = by["hero"]
    assert isinstance(ok, ProbeOK) and ok.ranges and ok.size == len(png_bytes())
    assert ok.content_type == "image/png" and not ok.warnings
    take = by["take"]
    assert isinstance(take, ProbeOK) and take.ranges and take.size == len(VIDEO)

    def problem(name: str, reason: str, fragment: str) -> AssetProblem:
        r = by[name]
        assert isinstance(r, AssetProblem), r
        assert r.reason == reason and fragment in r.message and r.name == name, r
        assert r.message.startswith(f"asset {name}: ")
        return r

    assert "not there" in (problem("gone", "http_status", "HTTP 404").help or "")
    problem("login", "wrong_type", "text/html, not an image")
    assert "Range" in (problem("stream", "no_range", "Range requests").help or "")
    assert "SEEDANCE_ASSET_PROBE_TIMEOUT" in (problem("slow", "timeout", "0.5 s").help or "")
    problem("big", "too_large", "300,000 bytes")
    problem("down", "unreachable", "cannot be reached")
    problem("lan", "not_allowed", "private")
    problem("clipimg", "wrong_type", "video/mp4, not an image")
    vague = by["vague"]
    assert isinstance(vague, ProbeOK) and vague.warnings[0].severity == "warning"
    assert "/lan" not in srv.hits  # a refused URL is never fetched


def test_loopback_is_not_allowed_unless_asked() -> None:
    with ScriptedServer(routes()) as srv:
        (got,) = preflight_sync([ProbeTarget("hero", "image", srv.url("/ok.png"))])
        assert isinstance(got, AssetProblem) and got.reason == "not_allowed"
        assert srv.hits == []


def test_a_signed_query_is_never_shown() -> None:
    with ScriptedServer(routes()) as srv:
        url = srv.url("/gone.png") + "?X-Amz-Signature=deadbeefcafe&X-Amz-Credential=AKIAX"
        (got,) = preflight_sync([ProbeTarget("g", "image", url)], allow_loopback=True)
    assert isinstance(got, AssetProblem) and "deadbeef" not in got.message
    assert "AKIAX" not in got.message and "/gone.png?…" in got.message


def test_concurrency_is_bounded() -> None:
    table = {f"/r{i}.png": Route(body=png_bytes()) for i in range(12)}
    with ScriptedServer(table, latency=0.2) as srv:
        targets = [ProbeTarget(f"r{i}", "image", srv.url(f"/r{i}.png")) for i in range(12)]
        t0 = time.monotonic()
        got = preflight_sync(targets, concurrency=4, allow_loopback=True)
        elapsed = time.monotonic() - t0
    assert all(isinstance(r, ProbeOK) for r in got)
    # 12 probes of 0.2 s, 4 at a time: 3 rounds; never all at once, never one by one
    assert 0.55 <= elapsed < 1.8, elapsed
