"""`seedance sandbox serve`: banner, a working server, clean Ctrl-C, usage errors."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from sandbox_testlib import GLASS_TRAIN, SUBMIT, assert_error, auth

from seedance_dsl.api.spec import CONTRACT

# The same as `seedance ...`, with Ctrl-C enabled even if the test runner ignores SIGINT.
RUN = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from seedance_dsl.cli import main; main(sys.argv[1:])"
)


def _serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", RUN, "sandbox", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _base_url(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """The URL of the banner, and the banner read so far (up to "Press Ctrl-C")."""
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    seen, url = "", None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        seen += line
        if m := re.search(r"listening on (http://\S+)", line):
            url = m.group(1)
        if url and "Press Ctrl-C" in line:
            return url, seen
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError(f"no banner; stderr: {proc.communicate()[1]}")


def test_serve_prints_url_and_key_serves_and_stops_on_ctrl_c() -> None:
    proc = _serve("--port", "0", "--quiet", "--time-scale", "0.01", "--key", "sk_test_cli:40")
    try:
        url, banner = _base_url(proc)
        with httpx.Client(base_url=url, timeout=20) as c:
            r = c.post(SUBMIT, json=GLASS_TRAIN, headers=auth("sk_test_cli", "cli-1"))
            assert r.status_code == 202
            again = c.post(SUBMIT, json=GLASS_TRAIN, headers=auth("sk_test_cli", "cli-2"))
            assert_error(again, "insufficient_credits")  # 40 - 30 < 30
            assert_error(
                c.get(SUBMIT.replace("video", "x"), headers=auth("sk_test_cli")), "not_found"
            )
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "sk_test_cli" in banner and "40 credits" in banner
    assert "Sandbox stopped." in out


def test_serve_default_key_and_inspection_flag() -> None:
    proc = _serve("--port", "0", "--quiet", "--inspection")
    try:
        url, _ = _base_url(proc)
        data = httpx.get(url + "/_sandbox/inspect", timeout=20).json()
        assert data["balances"] == {"sk_test_sandbox": 1_000_000}
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Traceback" not in err


def test_usage_errors_exit_2_without_traceback() -> None:
    bad_key = subprocess.run(
        [sys.executable, "-c", RUN, "sandbox", "serve", "--key", "no-credits"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert bad_key.returncode == 2 and "KEY:CREDITS" in bad_key.stderr
    assert "Traceback" not in bad_key.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = subprocess.run(
            [sys.executable, "-c", RUN, "sandbox", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert busy.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in busy.stderr
    assert "Traceback" not in busy.stderr


def _banner_commands(banner: str) -> list[str]:
    """The curl commands of the banner, each with its continuation lines joined."""
    commands: list[str] = []
    current: list[str] = []
    for line in banner.splitlines():
        text = line.strip()
        if text.startswith("curl ") or current:
            current.append(text.removesuffix("\\").strip())
            if not text.endswith("\\"):
                commands.append(" ".join(current))
                current = []
    return commands


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_the_banner_shows_how_to_submit_and_how_to_get_the_task() -> None:
    proc = _serve("--port", "0", "--quiet", "--time-scale", "0.01")
    try:
        url, banner = _base_url(proc)
        post, get = _banner_commands(banner)
        assert post.startswith(f"curl -X POST {url}{SUBMIT}")
        assert get.startswith(f"curl {url}{CONTRACT.task_url_path('TASK_ID')}")
        submitted = subprocess.run(
            ["bash", "-c", post], capture_output=True, text=True, timeout=30, check=True
        )
        task_id = json.loads(submitted.stdout)["id"]
        got = subprocess.run(
            ["bash", "-c", get.replace("TASK_ID", task_id)],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        task = json.loads(got.stdout)
        assert task["id"] == task_id and task["status"] in {"processing", "completed"}
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err


def test_a_bad_limit_variable_is_a_usage_error() -> None:
    bad = subprocess.run(
        [sys.executable, "-c", RUN, "sandbox", "serve", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "SEEDANCE_SANDBOX_IDLE_TIMEOUT": "soon"},
    )
    assert bad.returncode == 2, bad.stderr
    assert "SEEDANCE_SANDBOX_IDLE_TIMEOUT" in bad.stderr and "positive number" in bad.stderr
    assert "Traceback" not in bad.stderr
