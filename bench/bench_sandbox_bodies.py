"""Peak memory of `seedance sandbox serve` while 4 clients send 300 MB bodies at once.

The sandbox counts a request body as it streams in and refuses it past its limit
(`sandbox_body_bytes`, 1 MB; a larger `Content-Length` before any of the body is read),
so its memory stays flat however much a client sends.  Both ways of sending a body are
measured: with a `Content-Length` and chunked.  Loopback only; each client stops after
300 MB or when the server closes the connection.

    .venv/bin/python bench/bench_sandbox_bodies.py [OTHER_CHECKOUT]

With OTHER_CHECKOUT (e.g. `git worktree add /tmp/old 44e52f8`), the same clients are
sent to that checkout's sandbox too, in the same run, for a side-by-side figure.  Prints, per mode, the server's peak resident memory (VmHWM, Linux) and how much each
client had sent when it got its answer.  Recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

SIZE = 300_000_000
CLIENTS = 4


def start_sandbox(checkout: str | None) -> tuple[subprocess.Popen[str], int]:
    env = dict(os.environ)
    if checkout:
        env["PYTHONPATH"] = checkout
    proc = subprocess.Popen(
        [sys.executable, "-m", "seedance_dsl.cli", "sandbox", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=checkout,  # `-m` puts the working directory first on sys.path
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        m = re.search(r"http://127\.0\.0\.1:(\d+)", proc.stdout.readline())
        if m:
            return proc, int(m.group(1))
    proc.kill()
    raise SystemExit("the sandbox did not start within 30 s")


def client(port: int, i: int, chunked: bool, results: list[str]) -> None:
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {SIZE}"
    s.sendall(
        (
            "POST /api/v1/video/seedance2 HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer sk_test_sandbox\r\nIdempotency-Key: mem-{i}\r\n"
            f"{framing}\r\n\r\n"
        ).encode()
    )
    chunk = b"x" * (1 << 20)
    sent = 0
    try:
        while sent < SIZE:
            s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            sent += len(chunk)
    except OSError:
        pass  # the server closed the connection: the point
    try:
        status = s.recv(200).split(b"\r\n")[0].decode(errors="replace")
    except OSError as exc:
        status = f"no answer ({exc})"
    s.close()
    results.append(f"client {i}: {status!r} after {sent // 1_000_000} MB sent")


def measure(chunked: bool, checkout: str | None) -> None:
    proc, port = start_sandbox(checkout)
    try:
        results: list[str] = []
        t0 = time.monotonic()
        threads = [
            threading.Thread(target=client, args=(port, i, chunked, results))
            for i in range(CLIENTS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        status = Path(f"/proc/{proc.pid}/status").read_text()
        hwm_kib = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
        mode = "chunked" if chunked else "Content-Length"
        mode += f" ({checkout})" if checkout else " (this checkout)"
        print(f"{mode}: peak RSS {hwm_kib // 1024} MB in {time.monotonic() - t0:.1f} s")
        for line in sorted(results):
            print("   ", line)
    finally:
        proc.terminate()
        proc.wait(20)


if __name__ == "__main__":
    other = sys.argv[1] if len(sys.argv) > 1 else None
    for chunked in (False, True):
        for checkout in (None, other) if other else (None,):
            measure(chunked, checkout)
