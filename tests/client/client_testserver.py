"""A small, scriptable Seedance-compatible HTTP server on loopback, for the client tests.

It keeps the contract of ``../shared/spec/api.md`` on its own (keys, credits,
idempotency, the task lifecycle, an optional rate limit, Range downloads) and lets a
test inject any answer on any route: an error code, ``Retry-After``/``Retry-After-Ms``,
a slow answer, a connection dropped before answering, or dropped *after* the task was
created and charged, a download that breaks mid-file.  It is a real server
(``http.server`` in a thread, real sockets): the client cannot tell it from the real
API except by what it answers.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from seedance_dsl.api import CONTRACT

KEY = "sk_live_TEST_abcdefghijklmnop"


@dataclass
class Reply:
    """A scripted answer for the next request of a route."""

    status: int = 200
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    #: close the connection without answering (nothing is done)
    drop: bool = False
    #: do what the route normally does (create and charge a task), then drop
    commit_then_drop: bool = False
    #: put the request's Authorization header into the error message (redaction test)
    echo_auth: bool = False
    #: raw body (overrides json)
    raw: bytes | None = None


def error(code: str, message: str = "", **headers: str) -> Reply:
    return Reply(
        CONTRACT.error_status(code),
        {"error": {"code": code, "message": message or code}},
        {k.replace("_", "-"): v for k, v in headers.items()},
    )


@dataclass
class Seen:
    t: float
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int | None = None
    t_answered: float = 0.0


class ApiServer:
    def __init__(
        self,
        *,
        key: str = KEY,
        credits: int = 1000,
        polls_until_done: int = 1,
        rate_limit: tuple[int, float] | None = None,
    ) -> None:
        self.key = key
        self.credits = credits
        self.polls_until_done = polls_until_done
        self.rate_limit = rate_limit
        self.lock = threading.Lock()
        self.scripts: dict[str, collections.deque[Reply]] = collections.defaultdict(
            collections.deque
        )
        self.seen: list[Seen] = []
        self.tasks: dict[str, dict[str, Any]] = {}
        self.polls: collections.Counter[str] = collections.Counter()
        self.by_key: dict[str, tuple[str, str]] = {}  # idempotency key -> (body hash, task id)
        self.charges = 0
        self.files: dict[str, bytes] = {}
        self.file_ranges = True  # answer Range requests with 206
        self.file_breaks: collections.deque[int] = collections.deque()  # break after N bytes
        self._api_times: collections.deque[float] = collections.deque()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    # -- lifecycle --------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ApiServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- scripting --------------------------------------------------------------
    def script(self, route: str, *replies: Reply) -> None:
        """Queue answers for a route: ``submit``, ``task`` or ``file``."""
        with self.lock:
            self.scripts[route].extend(replies)

    def add_file(self, name: str, data: bytes) -> str:
        self.files[name] = data
        return f"{self.base_url}/files/{name}"

    def requests(self, route: str | None = None) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if route is None or _route(s.method, s.path) == route]

    # -- behaviour ----------------------------------------------------------------
    def next_script(self, route: str) -> Reply | None:
        with self.lock:
            q = self.scripts.get(route)
            return q.popleft() if q else None

    def check_rate(self, now: float) -> float | None:
        """Seconds to wait if this request breaks the rate limit, else None (counted)."""
        if self.rate_limit is None:
            return None
        n, window = self.rate_limit
        with self.lock:
            while self._api_times and self._api_times[0] <= now - window:
                self._api_times.popleft()
            if len(self._api_times) >= n:
                return self._api_times[0] + window - now
            self._api_times.append(now)
            return None

    def do_submit(self, headers: dict[str, str], body: bytes) -> Reply:
        from pydantic import ValidationError

        from seedance_dsl.api import VideoRequest

        idem = headers.get("idempotency-key")
        if not idem:
            return error("invalid_request", "missing Idempotency-Key header")
        try:
            req = VideoRequest.model_validate_json(body)
        except ValidationError as exc:
            return error("invalid_request", f"Invalid request body: {exc.errors()[0]['msg']}")
        digest = hashlib.sha256(req.canonical_json().encode()).hexdigest()
        with self.lock:
            prior = self.by_key.get(idem)
            if prior is not None:
                if prior[0] != digest:
                    return error(
                        "idempotency_conflict",
                        "Idempotency-Key reused with a different request body",
                    )
                return Reply(202, self._submit_view(self.tasks[prior[1]]))
            price = 30
            if self.credits < price:
                return error("insufficient_credits", "Not enough credits")
            self.credits -= price
            self.charges += 1
            task_id = f"{CONTRACT.task_id_prefix}{len(self.tasks) + 1:05d}"
            payload = req.to_payload()
            task = {
                "id": task_id,
                "status": "processing",
                "model": CONTRACT.model,
                "quality_tier": payload.get("quality_tier", "standard"),
                "channel": payload.get("channel", "standard"),
                "credits_used": price,
                "credits_refunded": 0,
                "output": None,
                "error": None,
                "created_at": "2026-06-03T10:00:00.000Z",
                "updated_at": "2026-06-03T10:00:00.000Z",
            }
            self.tasks[task_id] = task
            self.by_key[idem] = (digest, task_id)
            return Reply(202, self._submit_view(task))

    @staticmethod
    def _submit_view(task: dict[str, Any]) -> dict[str, Any]:
        return {
            k: task[k] for k in ("id", "status", "model", "quality_tier", "channel", "credits_used")
        }

    def do_task(self, task_id: str) -> Reply:
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None:
                return error("not_found", "Task not found")
            self.polls[task_id] += 1
            if task["status"] == "processing" and self.polls[task_id] >= self.polls_until_done:
                name = f"{task_id}.mp4"
                self.files[name] = b"\x00\x00\x00\x18ftypmp42" + task_id.encode() * 100
                task.update(
                    status="completed",
                    output={
                        "video_url": f"{self.base_url}/files/{name}",
                        "last_frame_url": f"{self.base_url}/files/{task_id}.png",
                        "seed": 123,
                    },
                    updated_at="2026-06-03T10:03:12.000Z",
                )
            return Reply(200, dict(task))


def _route(method: str, path: str) -> str:
    if method == "POST" and path == CONTRACT.submit_path:
        return "submit"
    prefix = CONTRACT.task_path.split("{id}")[0]
    if method == "GET" and path.startswith(prefix):
        return "task"
    if path.startswith("/files/"):
        return "file"
    return "other"


def _handler_for(server: ApiServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def _handle(self) -> None:
            now = time.monotonic()
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            seen = Seen(now, self.command, self.path, headers, body)
            with server.lock:
                server.seen.append(seen)
            route = _route(self.command, self.path)
            if route == "file":
                self._file(seen)
                return
            if headers.get("authorization") != f"Bearer {server.key}":
                self._answer(seen, error("unauthorized", "Invalid API key"))
                return
            wait = server.check_rate(now)
            if wait is not None:
                self._answer(
                    seen,
                    error(
                        "rate_limited",
                        "Too many requests",
                        Retry_After=str(math.ceil(wait)),
                        Retry_After_Ms=str(math.ceil(wait * 1000)),
                    ),
                )
                return
            scripted = server.next_script(route)
            if scripted is not None and scripted.delay:
                time.sleep(scripted.delay)
            if scripted is not None and scripted.drop:
                self.close_connection = True
                return
            if scripted is not None and not scripted.commit_then_drop:
                if scripted.echo_auth:
                    scripted = Reply(
                        scripted.status,
                        {
                            "error": {
                                "code": "invalid_request",
                                "message": f"bad header {headers.get('authorization')}",
                            }
                        },
                        scripted.headers,
                    )
                self._answer(seen, scripted)
                return
            if route == "submit":
                reply = server.do_submit(headers, body)
            elif route == "task":
                reply = server.do_task(self.path.rsplit("/", 1)[1])
            else:
                reply = error("not_found", "no such endpoint")
            if scripted is not None and scripted.commit_then_drop:
                self.close_connection = True
                return
            self._answer(seen, reply)

        def _answer(self, seen: Seen, reply: Reply) -> None:
            data = reply.raw if reply.raw is not None else json.dumps(reply.json).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Request-Id", f"req_{len(server.seen):04d}")
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.end_headers()
            seen.status, seen.t_answered = reply.status, time.monotonic()
            # a client that stops reading (a size limit hit) hangs up: not a server error
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        def _file(self, seen: Seen) -> None:
            scripted = server.next_script("file")
            if scripted is not None:
                if scripted.delay:
                    time.sleep(scripted.delay)
                if scripted.drop:
                    self.close_connection = True
                    return
                self._answer(seen, scripted)
                return
            name = self.path[len("/files/") :]
            data = server.files.get(name)
            if data is None:
                self._answer(seen, Reply(404, {"error": {"code": "not_found"}}))
                return
            start = 0
            status = 200
            rng = self.headers.get("Range")
            if rng and server.file_ranges and rng.startswith("bytes="):
                start = int(rng[len("bytes=") :].split("-")[0])
                status = 206
            chunk = data[start:]
            self.send_response(status)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", str(len(chunk)))
            self.send_header("ETag", f'"{hashlib.md5(data).hexdigest()}"')
            if server.file_ranges:
                self.send_header("Accept-Ranges", "bytes")
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.end_headers()
            seen.status, seen.t_answered = status, time.monotonic()
            with server.lock:
                cut = server.file_breaks.popleft() if server.file_breaks else None
            if cut is not None and cut < len(chunk):
                self.wfile.write(chunk[:cut])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(chunk)

    return Handler


def serve(**kw: Any) -> Iterator[ApiServer]:
    srv = ApiServer(**kw).start()
    try:
        yield srv
    finally:
        srv.stop()
