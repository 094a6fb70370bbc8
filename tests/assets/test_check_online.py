"""``seedance check --online``: each problem of a remote asset URL is a diagnostic at
the asset's line (loopback ScriptedServer; bounded by asset_probe_timeout)."""

from __future__ import annotations

from pathlib import Path

import pytest
from assets_testlib import Route, ScriptedServer, png_bytes

from seedance_dsl.check import check_file
from seedance_dsl.cli import main
from seedance_dsl.cli.online_check import with_online

VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4000


def _routes() -> dict[str, Route]:
    return {
        "/ok.png": Route(body=png_bytes()),
        "/gone.png": Route(status=404, content_type="text/plain", body=b"nope"),
        "/login.png": Route(content_type="text/html; charset=utf-8", body=b"<html></html>"),
        "/norange.mp4": Route(content_type="video/mp4", body=VIDEO, ranges=False),
        "/slow.png": Route(body=png_bytes(), delay=3.0),
    }


def _shot(srv: ScriptedServer) -> str:
    lines = ['storyboard "Online"', ""]
    for name, kind, path in [
        ("ok", "image", "/ok.png"),
        ("gone", "image", "/gone.png"),
        ("login", "image", "/login.png"),
        ("norange", "video", "/norange.mp4"),
        ("slow", "image", "/slow.png"),
    ]:
        lines.append(f'asset {name} {kind} "{srv.url(path)}"')
    lines += ["", "clip c {", '  text "go"', "}", ""]
    return "\n".join(lines)


def test_each_problem_is_at_its_asset_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEEDANCE_ASSET_PROBE_TIMEOUT", "1")
    with ScriptedServer(_routes()) as srv:
        (tmp_path / "t.shot").write_text(_shot(srv))
        result = with_online(check_file(tmp_path / "t.shot"), allow_loopback=True)
    got = {
        (d.code, d.span.line)
        for d in result.diagnostics
        if d.span is not None and d.code.startswith("SHOT27")
    }
    assert got == {("SHOT272", 4), ("SHOT273", 5), ("SHOT274", 6), ("SHOT271", 7)}


def test_the_cli_refuses_a_loopback_url_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ScriptedServer(_routes()) as srv:
        (tmp_path / "t.shot").write_text(_shot(srv))
        with pytest.raises(SystemExit) as info:
            main(["check", "--online", "--format", "concise", str(tmp_path / "t.shot")])
    out = capsys.readouterr().out
    assert info.value.code == 1
    assert "t.shot:3:" in out and "SHOT276" in out
    assert srv.hits == []  # never fetched: the API would refuse it


def test_a_members_inline_url_is_probed_at_its_string(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDANCE_ASSET_PROBE_TIMEOUT", "1")
    with ScriptedServer(_routes()) as srv:
        text = (
            'storyboard "Online"\n'
            f'character mara {{ ref "{srv.url("/ok.png")}", "{srv.url("/gone.png")}" }}\n'
            'clip c { shot { subject mara  action "waves" } }\n'
        )
        (tmp_path / "t.shot").write_text(text)
        result = with_online(check_file(tmp_path / "t.shot"), allow_loopback=True)
    got = [
        (d.code, d.span.line, d.span.column)
        for d in result.diagnostics
        if d.span is not None and d.code.startswith("SHOT27")
    ]
    col = text.splitlines()[1].index('"' + srv.url("/gone.png")) + 1
    assert got == [("SHOT272", 2, col)]
