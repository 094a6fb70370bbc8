"""`seedance lsp` exits 0 when the editor says exit after shutdown, and when its input
closes (the editor went away)."""

from __future__ import annotations

import json
import subprocess
import sys


def frame(msg: dict[str, object]) -> bytes:
    body = json.dumps(msg).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def test_shutdown_then_exit_is_exit_0() -> None:
    stdin = (
        frame(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {"processId": None, "rootUri": None, "capabilities": {}},
            }
        )
        + frame({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        + frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        + frame({"jsonrpc": "2.0", "method": "exit"})
    )
    proc = subprocess.run(
        [sys.executable, "-m", "seedance_dsl", "lsp"],
        input=stdin,
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert b'"capabilities"' in proc.stdout and b"hoverProvider" in proc.stdout


def test_closed_input_is_exit_0() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "seedance_dsl", "lsp"], input=b"", capture_output=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
