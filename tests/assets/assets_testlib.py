"""Loopback servers of the asset tests (and bench/bench_assets.py): moto's S3 in server
mode, and a scripted HTTP server for the preflight.  Both bind 127.0.0.1 on a free port
and stop by themselves (daemon threads, bounded sleeps)."""

from __future__ import annotations

import io
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: credentials moto accepts; never real ones (and IMDS is off: nothing leaves loopback)
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIATESTTESTTESTTEST",
    "AWS_SECRET_ACCESS_KEY": "testsecret/testsecret/testsecret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's S3 API on loopback; yields its endpoint URL."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def png_bytes(
    size: tuple[int, int] = (64, 36), colour: tuple[int, int, int] = (200, 40, 40)
) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


def noise_png(nbytes: int, seed: int) -> bytes:
    """A PNG of about ``nbytes`` (random pixels do not compress)."""
    import random

    from PIL import Image

    side = max(8, int((nbytes / 3) ** 0.5))
    rnd = random.Random(seed)
    img = Image.frombytes("RGB", (side, side), rnd.randbytes(side * side * 3))
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=0)
    return buf.getvalue()


@dataclass
class Route:
    status: int = 200
    content_type: str = "image/png"
    body: bytes = b""
    ranges: bool = True
    delay: float = 0.0


class ScriptedServer:
    """An HTTP server whose answers are scripted per path; counts requests."""

    def __init__(self, routes: dict[str, Route], latency: float = 0.0) -> None:
        self.routes = routes
        self.latency = latency
        self.hits: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                outer.hits.append(self.path)
                route = outer.routes.get(self.path.split("?", 1)[0])
                time.sleep(outer.latency + (route.delay if route else 0.0))
                if route is None:
                    route = Route(404, "text/plain", b"not found")
                body, status = route.body, route.status
                headers = {"Content-Type": route.content_type}
                rng = self.headers.get("Range")
                if route.ranges and status == 200 and rng and rng.startswith("bytes="):
                    a, _, b = rng[6:].partition("-")
                    start = int(a or 0)
                    end = min(int(b) if b else len(body) - 1, len(body) - 1)
                    headers["Content-Range"] = f"bytes {start}-{end}/{len(body)}"
                    body, status = body[start : end + 1], 206
                if route.ranges:
                    headers["Accept-Ranges"] = "bytes"
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # many probes connect at once

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a probe hangs up after the headers: not an error

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out
