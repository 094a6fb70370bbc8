"""`seedance render` against a hostile loopback server stops within its documented
bounds (small here, through the limits' environment variables), with exit 3, the state
saved and a message that says what the server did — never a hang, never a traceback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from client_testserver import KEY
from hostile_server import Conn, hostile

from seedance_dsl.api import CONTRACT

SHOT = 'storyboard "Bounds"\n\nclip a {\n  duration 5s\n  shot { action "a red kite over a beach" }\n}\n'
SLACK = 8.0  # interpreter start-up, compile, a loaded machine


def _env(tmp: Path, base_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    for var in ("SEEDANCE_PROFILE",):
        env.pop(var, None)
    env.update(
        SEEDANCE_BASE_URL=base_url,
        SEEDANCE_API_KEY=KEY,
        SEEDANCE_CONFIG=str(tmp / "no-config.toml"),
        SEEDANCE_RATE_LIMIT="1000/1",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def render(
    tmp: Path, base_url: str, bound: float, **extra: str
) -> tuple[int, list[dict[str, Any]], float]:
    """Run `seedance render --format json`; kill it (and fail) after bound + SLACK."""
    shot = tmp / "film.shot"
    shot.write_text(SHOT, encoding="utf-8")
    t0 = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "seedance_dsl.cli", "render", str(shot), "--format", "json"],
            env=_env(tmp, base_url, **extra),
            capture_output=True,
            text=True,
            timeout=bound + SLACK,
            cwd=tmp,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"render still running after {bound + SLACK} s (bound {bound} s)")
    took = time.monotonic() - t0
    assert "Traceback" not in proc.stderr, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return proc.returncode, events, took


def _summary(events: list[dict[str, Any]]) -> dict[str, Any]:
    (s,) = [e for e in events if e.get("event") == "summary"]
    return s


def _error(c: Conn, code: str, message: str = "", **headers: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message or code}}).encode()
    c.answer(CONTRACT.error_status(code), body, **headers)


def _submit_ok(c: Conn, task_id: str = "task_00001") -> None:
    body = {"id": task_id, "status": "processing", "credits_used": 30}
    c.answer(202, json.dumps(body).encode())


def _is_submit(c: Conn) -> bool:
    return c.head.startswith(b"POST ")


def _silent(c: Conn) -> None:
    c.stop.wait(30)  # accepts, never answers (stops by itself)


# -- never answered: the first-answer bound -------------------------------------------


@pytest.mark.parametrize(
    "name,handler",
    [
        ("never answers", _silent),
        (
            "trickles a header byte at a time",
            lambda c: c.trickle(b"HTTP/1.1 202 Accepted\r\nX-Pad: " + b"x" * 500, 0.3, 30),
        ),
        ("503 on every POST", lambda c: _error(c, "service_busy")),
        (
            "503 with Retry-After: 999999999",
            lambda c: _error(c, "service_busy", Retry_After="999999999"),
        ),
        ("429 with a garbage Retry-After", lambda c: _error(c, "rate_limited", Retry_After="soon")),
        ("429 with a negative Retry-After", lambda c: _error(c, "rate_limited", Retry_After="-5")),
        (
            "429 with an infinite Retry-After",
            lambda c: _error(c, "rate_limited", Retry_After="inf"),
        ),
        (
            "409 still running with a garbage Retry-After",
            lambda c: _error(c, "idempotency_conflict", "hm", Retry_After="later"),
        ),
    ],
)
def test_render_stops_at_the_first_answer_bound(
    tmp_path: Path, name: str, handler: Callable[[Conn], None]
) -> None:
    bound = 2.0
    with hostile(handler) as srv:
        rc, events, took = render(
            tmp_path, srv.base_url, bound, SEEDANCE_FIRST_ANSWER_TIMEOUT=str(bound)
        )
    assert rc == 3, events
    assert took < bound + SLACK
    s = _summary(events)
    assert s["exit_code"] == 3
    assert s["wall_s"] < bound + 3.0, s["wall_s"]  # the stated bound holds (+ slack)
    assert "SEEDANCE_FIRST_ANSWER_TIMEOUT" in s["message"] or any(
        "SEEDANCE_FIRST_ANSWER_TIMEOUT" in json.dumps(c) for c in s["clips"]
    ), s
    text = json.dumps(s)
    if "503" in name or "429" in name or "409" in name:
        status = name.split()[0]
        assert f"HTTP {status}" in text, text  # says what the server did
        assert "no answer" not in text
    # the state is saved: the clip's intent is in the state database, resumable
    assert (tmp_path / ".seedance").exists() or list(tmp_path.rglob("state.db"))


def test_each_429_is_counted_once(tmp_path: Path) -> None:
    sent = []
    lock = threading.Lock()

    def h(c: Conn) -> None:
        with lock:
            sent.append(1)
        _error(c, "rate_limited", Retry_After="soon")

    with hostile(h) as srv:
        rc, events, _ = render(tmp_path, srv.base_url, 2.0, SEEDANCE_FIRST_ANSWER_TIMEOUT="2")
    assert rc == 3
    counted = _summary(events)["requests"]["rate_limited_429"]
    # the last 429 may still be on its way when the render stops; none is counted twice
    assert len(sent) - 1 <= counted <= len(sent), (counted, len(sent))
    assert len(sent) >= 3


# -- answered, then silent: the outage bound ------------------------------------------


def test_render_stops_at_the_outage_bound_when_polls_go_unanswered(tmp_path: Path) -> None:
    def h(c: Conn) -> None:
        if _is_submit(c):
            _submit_ok(c)
        else:
            _silent(c)

    bound = 2.5
    with hostile(h) as srv:
        rc, events, took = render(tmp_path, srv.base_url, bound, SEEDANCE_OUTAGE_TIMEOUT=str(bound))
    assert rc == 3, events
    assert took < bound + SLACK
    s = _summary(events)
    assert s["wall_s"] < bound + 3.0, s["wall_s"]
    assert "SEEDANCE_OUTAGE_TIMEOUT" in json.dumps(s)
    assert s["requests"]["submits"] == 1


# -- unreachable: the bound holds and nothing is counted that was never sent ------------


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens: connection refused at once


# 2.0 s against a name that does not resolve; 0.6 s against a closed port (refused at once,
# so the stop comes while the client still retries: the cut-off submit was counted)
@pytest.mark.parametrize(
    ("target", "bound"), [("https://nonexistent.invalid", 2.0), ("closed-port", 0.6)]
)
def test_an_unresolvable_server_stops_at_the_bound_and_counts_no_submit(
    tmp_path: Path, target: str, bound: float
) -> None:
    url = _closed_port() if target == "closed-port" else target
    rc, events, took = render(tmp_path, url, bound, SEEDANCE_FIRST_ANSWER_TIMEOUT=str(bound))
    assert rc == 3
    assert took < bound + SLACK
    s = _summary(events)
    assert s["wall_s"] < bound + 3.0, s["wall_s"]
    assert s["requests"]["submits"] == 0, s
    assert f"{bound:g} s" in s["message"] or f"{bound:g} s" in json.dumps(s)


# -- answers outside the contract: a clear outcome with the task or key ---------------------


def test_a_409_matching_neither_case_fails_the_clip_with_the_key(tmp_path: Path) -> None:
    def h(c: Conn) -> None:
        _error(c, "idempotency_conflict", "the moon is in the wrong phase")

    with hostile(h) as srv:
        rc, events, took = render(tmp_path, srv.base_url, 2.0, SEEDANCE_FIRST_ANSWER_TIMEOUT="30")
        submits = sum(r.startswith(b"POST ") for r in srv.requests)
    assert rc == 1, events
    assert took < 2.0 + SLACK
    (clip,) = _summary(events)["clips"]
    assert clip["status"] == "failed"
    assert "Idempotency-Key" in json.dumps(clip)
    assert submits == 1  # a different body cannot be waited out


def test_a_task_id_of_extreme_length_fails_the_clip_without_a_traceback(tmp_path: Path) -> None:
    def h(c: Conn) -> None:
        _submit_ok(c, "t" * 200_000)

    with hostile(h) as srv:
        rc, events, _ = render(tmp_path, srv.base_url, 2.0)
    assert rc == 1
    text = json.dumps(_summary(events))
    assert "SEEDANCE_MAX_TASK_ID_CHARS" in text or "task id of 200000" in text
    assert len(text) < 20_000


def test_a_trickling_download_ends_within_the_download_bound(tmp_path: Path) -> None:
    def h(c: Conn) -> None:
        if _is_submit(c):
            _submit_ok(c)
        elif c.path.startswith("/files/"):
            c.send(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            c.trickle(b"\0" * 100_000, 0.1, 30)
        else:
            url = "http://" + c.head.split(b"Host: ")[1].split(b"\r\n")[0].decode() + "/files/v.mp4"
            body = {"id": "task_00001", "status": "completed", "output": {"video_url": url}}
            c.answer(200, json.dumps(body).encode())

    bound = 1.5
    with hostile(h) as srv:
        rc, events, took = render(
            tmp_path, srv.base_url, bound, SEEDANCE_DOWNLOAD_TIMEOUT=str(bound)
        )
    assert rc == 1, events
    assert took < bound + SLACK
    (clip,) = _summary(events)["clips"]
    assert "did not finish within 1.5 s" in json.dumps(clip)
    assert not [p for p in tmp_path.rglob("*.mp4*")]


def test_a_non_ascii_key_is_a_setup_error_without_the_key(tmp_path: Path) -> None:
    secret = "sk_live_QWERTYé0123"
    shot = tmp_path / "film.shot"
    shot.write_text(SHOT, encoding="utf-8")
    env = _env(tmp_path, "http://127.0.0.1:9")
    env["SEEDANCE_API_KEY"] = secret
    proc = subprocess.run(
        [sys.executable, "-m", "seedance_dsl.cli", "render", str(shot), "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    (err,) = [json.loads(line) for line in proc.stdout.splitlines() if '"error"' in line]
    assert "ASCII" in err["message"]
    assert "QWERTY" not in proc.stdout + proc.stderr
