"""One JSON shape for a file named on the command line that cannot be read (9.11):
`check`, `compile` and `fmt` print the same envelope (seedance_dsl/cli/_common.py), and
`plan`, `render` and `status` the same inside their error event."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from seedance_dsl.cli import cli

COMMON = {"format_version", "tool", "valid", "counts", "files", "diagnostics", "error"}


def envelope(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, json.loads(result.stdout)


def problems(tmp_path: Path) -> dict[str, str]:
    out = {"SHOT001": str(tmp_path / "missing.shot"), "SHOT005": str(tmp_path)}
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.shot")
        out["SHOT009"] = str(tmp_path / "pipe.shot")
    return out


@pytest.mark.timeout(30)
def test_an_unreadable_file_has_one_shape_in_every_command(tmp_path: Path) -> None:
    for code, path in problems(tmp_path).items():
        shapes = {}
        for cmd in (
            ["check", "--format", "json"],
            ["compile", "--format", "json"],
            ["fmt", "--format", "json"],
        ):
            status, env = envelope(*cmd, path)
            assert status in (1, 2), (cmd, status)
            assert set(env) >= COMMON, (cmd, sorted(env))
            assert env["valid"] is False and env["files"] == [{"path": path, "valid": False}]
            (d,) = env["diagnostics"]
            assert d["code"] == code and d["file"] == path and d["severity"] == "error"
            assert env["error"] == {
                "kind": "file",
                "code": code,
                "message": d["message"],
                "help": d["help"],
                "file": path,
            }
            shapes[cmd[0]] = ({k: env[k] for k in COMMON - {"tool"}}, env["tool"])
        assert shapes["check"][0] == shapes["compile"][0] == shapes["fmt"][0], code
        assert [t for _, t in shapes.values()] == [
            "seedance check",
            "seedance compile",
            "seedance fmt",
        ]


def test_fmt_json_reports_what_it_did(tmp_path: Path) -> None:
    p = tmp_path / "a.shot"
    p.write_text('storyboard "x" clip a { shot { action "go" } }')
    status, env = envelope("fmt", "--format", "json", "--check", str(p))
    assert status == 3 and env["would_change"] == [str(p)] and env["valid"] is True
    status, env = envelope("fmt", "--format", "json", "--diff", str(p))
    assert status == 3 and env["diffs"][str(p)].startswith("---")
    status, env = envelope("fmt", "--format", "json", str(p))
    assert status == 0 and env["formatted"] == [str(p)] and "error" not in env


@pytest.mark.timeout(60)
def test_the_render_commands_give_the_same_shape_in_their_error_event(tmp_path: Path) -> None:
    for code, path in problems(tmp_path).items():
        _, reference = envelope("check", "--format", "json", path)
        for cmd in ("plan", "render", "status"):
            status, env = envelope(cmd, "--format", "json", path)
            assert status == 2, (cmd, code, env)
            assert env["event"] == "error" and env["exit_code"] == 2
            assert env["tool"] == f"seedance {cmd}"
            assert {k: env[k] for k in COMMON - {"tool"}} == {
                k: reference[k] for k in COMMON - {"tool"}
            }, (cmd, code)
