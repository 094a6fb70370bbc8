"""The sandbox under load and abuse: idle and slow clients, floods, huge and deep bodies.

Every test is bounded in time; the one that lowers the file-descriptor limit does it in
a child process (``seedance sandbox serve``), never in the test process.
"""

from __future__ import annotations

import json
import os
import re
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sandbox_testlib import GLASS_TRAIN, SUBMIT, assert_error, auth

from seedance_dsl.sandbox.server import Sandbox

KEY = "sk_test_sandbox"


def _connect(sb: Sandbox, timeout: float = 5.0) -> socket.socket:
    return socket.create_connection(("127.0.0.1", sb.port), timeout=timeout)


def _closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closes ``sock`` (reads and discards answers), or None."""
    start = time.monotonic()
    sock.settimeout(0.1)
    while time.monotonic() - start < seconds:
        try:
            data = sock.recv(65536)
        except TimeoutError:
            continue
        except ConnectionResetError:
            return time.monotonic() - start
        if not data:
            return time.monotonic() - start
    return None


def _read_response(sock: socket.socket, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    """One HTTP response read off a raw socket (status, headers, body)."""
    sock.settimeout(timeout)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed before a response: {buf!r}")
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body[:length]


def _assert_envelope(status: int, body: bytes, code: str) -> dict[str, Any]:
    data = json.loads(body)
    assert set(data) == {"error"}, data
    assert data["error"]["code"] == code, data
    assert isinstance(data["error"]["message"], str) and data["error"]["message"], data
    assert status == {"invalid_request": 400, "service_busy": 503, "internal_error": 500}[code]
    return dict(data["error"])


def _post_head(sb: Sandbox, length: str | None, extra: str = "") -> bytes:
    te = "Transfer-Encoding: chunked\r\n" if length is None else f"Content-Length: {length}\r\n"
    return (
        f"POST {SUBMIT} HTTP/1.1\r\nHost: 127.0.0.1:{sb.port}\r\n"
        f"Authorization: Bearer {KEY}\r\nIdempotency-Key: load-1\r\n"
        f"Content-Type: application/json\r\n{te}{extra}\r\n"
    ).encode()


# -- idle and slow clients --------------------------------------------------------------


def test_a_connection_that_never_sends_is_closed_after_the_idle_timeout(
    sandbox_factory: Any,
) -> None:
    sb = sandbox_factory(idle_timeout_s=0.3)
    with _connect(sb) as sock:
        closed = _closed_within(sock, 5.0)
    assert closed is not None, "an idle connection was never closed"
    assert 0.2 <= closed < 2.0, closed


def test_keep_alive_connections_are_closed_after_the_idle_timeout(sandbox_factory: Any) -> None:
    sb = sandbox_factory(idle_timeout_s=0.3)
    with _connect(sb) as sock:
        sock.sendall(f"GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1:{sb.port}\r\n\r\n".encode())
        status, _, _ = _read_response(sock)
        assert status == 404
        closed = _closed_within(sock, 5.0)
    assert closed is not None and closed < 2.0, closed


def test_slowloris_headers_are_cut_off_at_the_header_deadline(sandbox_factory: Any) -> None:
    sb = sandbox_factory(idle_timeout_s=0.5, header_timeout_s=1.0)
    with _connect(sb) as sock:
        start = time.monotonic()
        sock.sendall(f"GET {SUBMIT} HTTP/1.1\r\nHost: x\r\n".encode())
        closed_at = None
        # One header byte every 0.1 s: never idle for long, never finishing the headers.
        while time.monotonic() - start < 6.0:
            try:
                sock.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                closed_at = time.monotonic() - start
                break
            if _closed_within(sock, 0.1) is not None:
                closed_at = time.monotonic() - start
                break
    assert closed_at is not None, "a slowloris client kept its connection for 6 s"
    assert 0.8 <= closed_at < 3.0, closed_at


def test_a_body_that_trickles_in_is_cut_off_at_the_body_deadline(sandbox_factory: Any) -> None:
    sb = sandbox_factory(body_timeout_s=0.5)
    with _connect(sb) as sock:
        sock.sendall(_post_head(sb, "500"))
        start = time.monotonic()
        sock.sendall(b'{"prompt": "')
        status, headers, body = _read_response(sock, timeout=5.0)
        elapsed = time.monotonic() - start
    err = _assert_envelope(status, body, "invalid_request")
    assert "0.5 s" in err["message"] and "SEEDANCE_SANDBOX_BODY_TIMEOUT" in err["message"], err
    assert headers.get("connection") == "close"
    assert 0.4 <= elapsed < 3.0, elapsed


# -- connection limits and file descriptors ------------------------------------------------


def test_the_connection_cap_stays_below_the_file_descriptor_limit() -> None:
    from seedance_dsl.sandbox.connections import connection_cap

    cap = connection_cap(1000, 256)
    assert cap.max_connections + cap.overflow <= 256 - 32
    assert cap.max_connections >= 64
    assert connection_cap(1000, 1024).max_connections < 1024
    assert connection_cap(50, 1024).max_connections == 50
    assert connection_cap(1000, resource.RLIM_INFINITY).max_connections == 1000


def test_past_the_connection_limit_a_request_gets_503_service_busy(sandbox_factory: Any) -> None:
    sb = sandbox_factory(max_connections=2, idle_timeout_s=5.0)
    held = [_connect(sb), _connect(sb)]
    try:
        time.sleep(0.1)
        r = httpx.get(sb.base_url + "/api/v1/tasks/x", headers=auth(KEY), timeout=5)
        assert_error(r, "service_busy")
        assert r.headers["retry-after"] == "1"
        assert r.headers["connection"] == "close"
    finally:
        for s in held:
            s.close()
    deadline = time.monotonic() + 5
    while True:
        r = httpx.get(sb.base_url + "/api/v1/tasks/x", headers=auth(KEY), timeout=5)
        if r.status_code != 503 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert_error(r, "not_found")


def _open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


@contextmanager
def _cli_sandbox(
    soft_fd_limit: int, env: dict[str, str]
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``seedance sandbox serve`` in a child whose soft RLIMIT_NOFILE is lowered."""

    def lower_limit() -> None:  # runs in the child only
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft_fd_limit, hard))

    proc = subprocess.Popen(
        [sys.executable, "-m", "seedance_dsl.cli", "sandbox", "serve", "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
        preexec_fn=lower_limit,
    )
    try:
        assert proc.stdout is not None
        url = None
        deadline = time.monotonic() + 30
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            if m := re.search(r"listening on (http://\S+)", line):
                url = m.group(1)
        assert url is not None, "the sandbox did not start"
        yield proc, url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def _answers(url: str) -> int | None:
    try:
        return httpx.get(url + "/api/v1/tasks/x", headers=auth(KEY), timeout=2).status_code
    except httpx.HTTPError:
        return None


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_a_flood_of_idle_connections_never_exhausts_file_descriptors() -> None:
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 600:
        pytest.skip("the test process needs 600 file descriptors")
    env = {"SEEDANCE_SANDBOX_IDLE_TIMEOUT": "2"}
    with _cli_sandbox(256, env) as (proc, url):
        port = int(url.rsplit(":", 1)[1])
        flood: list[socket.socket] = []
        try:
            for _ in range(400):
                flood.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            time.sleep(0.5)
            peak = _open_fds(proc.pid)
            assert peak < 256 - 16, f"{peak} descriptors open of 256"
            # A new client meanwhile is answered or refused at once, never left hanging.
            start = time.monotonic()
            _answers(url)
            assert time.monotonic() - start < 1.5
            # Without the flood closing anything, idle connections are closed by the
            # server and it answers again after the idle timeout.
            deadline = time.monotonic() + 10
            status = _answers(url)
            while status not in (404,) and time.monotonic() < deadline:
                time.sleep(0.2)
                status = _answers(url)
            assert status == 404, "no answer while idle connections were held open"
        finally:
            for s in flood:
                s.close()
        deadline = time.monotonic() + 5
        status = _answers(url)
        while status != 404 and time.monotonic() < deadline:
            time.sleep(0.1)
            status = _answers(url)
        assert status == 404, "no answer after the flood closed"
    _, err = proc.communicate(timeout=15)
    assert "Too many open files" not in err
    assert "Traceback" not in err


# -- bodies -------------------------------------------------------------------------------


def test_a_huge_content_length_is_refused_before_the_body_is_sent(sandbox: Sandbox) -> None:
    with _connect(sandbox) as sock:
        sock.sendall(_post_head(sandbox, str(300_000_000)))
        status, headers, body = _read_response(sock, timeout=3.0)
    err = _assert_envelope(status, body, "invalid_request")
    assert "1000000 bytes" in err["message"] and "SEEDANCE_SANDBOX_MAX_BODY_BYTES" in err["message"]
    assert headers.get("connection") == "close"


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(sandbox: Sandbox) -> None:
    with _connect(sandbox) as sock:
        sock.sendall(_post_head(sandbox, None))
        chunk = b"x" * 65536
        for _ in range(20):  # 1.3 MB, and the last chunk never comes
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except (BrokenPipeError, ConnectionResetError):
                break
        status, headers, body = _read_response(sock, timeout=3.0)
    _assert_envelope(status, body, "invalid_request")
    assert headers.get("connection") == "close"
    assert sandbox.inspect()["tasks_created"] == 0


def test_a_bad_content_length_is_invalid_request_in_the_envelope(sandbox: Sandbox) -> None:
    with _connect(sandbox) as sock:
        sock.sendall(_post_head(sandbox, "12abc"))
        status, _, body = _read_response(sock, timeout=3.0)
    _assert_envelope(status, body, "invalid_request")


def test_a_body_of_exactly_the_limit_is_read(sandbox_factory: Any) -> None:
    sb = sandbox_factory(max_body_bytes=2000)
    payload = json.dumps({**GLASS_TRAIN, "prompt": "p" * 100}).encode()
    payload += b" " * (2000 - len(payload))
    with httpx.Client(base_url=sb.base_url, timeout=10) as c:
        ok = c.post(SUBMIT, content=payload, headers=auth(KEY, "exact"))
        assert ok.status_code == 202, ok.text
        over = c.post(SUBMIT, content=payload + b" ", headers=auth(KEY, "over"))
    assert_error(over, "invalid_request")


def test_deeply_nested_json_is_invalid_request_in_the_envelope(sandbox: Sandbox) -> None:
    with httpx.Client(base_url=sandbox.base_url, timeout=10) as c:
        r = c.post(SUBMIT, content=b"[" * 100_000, headers=auth(KEY, "deep"))
        assert r.headers["content-type"].startswith("application/json")
        err = assert_error(r, "invalid_request")
        assert "nested" in err["message"]
        deep_field = b'{"prompt": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
        r2 = c.post(SUBMIT, content=deep_field, headers=auth(KEY, "deep-2"))
        assert_error(r2, "invalid_request")
        # The server is fine afterwards.
        assert c.post(SUBMIT, json=GLASS_TRAIN, headers=auth(KEY, "after")).status_code == 202


def test_an_unexpected_exception_is_internal_error_in_the_envelope(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("sandbox bug")

    monkeypatch.setattr(sandbox.app.state, "get_task", boom)
    r = httpx.get(sandbox.base_url + "/api/v1/tasks/sd2_x", headers=auth(KEY), timeout=10)
    err = assert_error(r, "internal_error")
    assert "RuntimeError" not in err["message"] and "Traceback" not in r.text


def test_malformed_http_gets_400_in_the_envelope(sandbox: Sandbox) -> None:
    with _connect(sandbox) as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        status, headers, body = _read_response(sock, timeout=3.0)
    _assert_envelope(status, body, "invalid_request")
    assert headers["content-type"].startswith("application/json")


def test_oversized_headers_get_400_in_the_envelope(sandbox_factory: Any) -> None:
    sb = sandbox_factory(max_header_bytes=4096)
    with _connect(sb) as sock:
        sock.sendall(f"GET / HTTP/1.1\r\nHost: x\r\nX-Big: {'a' * 8000}\r\n\r\n".encode())
        status, _, body = _read_response(sock, timeout=3.0)
    err = _assert_envelope(status, body, "invalid_request")
    assert "SEEDANCE_SANDBOX_MAX_HEADER_BYTES" in err["message"], err


# -- the limits table -----------------------------------------------------------------------


def test_every_sandbox_limit_is_a_row_with_an_env_var() -> None:
    from seedance_dsl.limits import LIMITS

    rows = {
        "sandbox_body_bytes": "SEEDANCE_SANDBOX_MAX_BODY_BYTES",
        "sandbox_header_bytes": "SEEDANCE_SANDBOX_MAX_HEADER_BYTES",
        "sandbox_idle_timeout": "SEEDANCE_SANDBOX_IDLE_TIMEOUT",
        "sandbox_header_timeout": "SEEDANCE_SANDBOX_HEADER_TIMEOUT",
        "sandbox_body_timeout": "SEEDANCE_SANDBOX_BODY_TIMEOUT",
        "sandbox_max_connections": "SEEDANCE_SANDBOX_MAX_CONNECTIONS",
    }
    for name, env in rows.items():
        assert LIMITS[name].env == env
    docs = (Path(__file__).parents[2] / "docs" / "sandbox.md").read_text(encoding="utf-8")
    for env in rows.values():
        assert env in docs, env


def test_settings_defaults_come_from_the_limits_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from seedance_dsl.sandbox.settings import SandboxSettings

    monkeypatch.setenv("SEEDANCE_SANDBOX_IDLE_TIMEOUT", "7.5")
    monkeypatch.setenv("SEEDANCE_SANDBOX_MAX_BODY_BYTES", "5000")
    s = SandboxSettings()
    assert s.idle_timeout_s == 7.5 and s.max_body_bytes == 5000
