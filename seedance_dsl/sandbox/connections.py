"""Connection-level guards of the sandbox: deadlines, a connection cap, error envelopes.

uvicorn's h11 protocol does most of the work: ``timeout_keep_alive`` closes a
keep-alive connection that stays silent, ``h11_max_incomplete_event_size`` bounds the
request line and headers.  What it lacks is added here, in a small subclass
(:class:`GuardedH11Protocol`):

* a connection that never sends a byte is closed after the idle timeout too (uvicorn
  only arms its keep-alive timer after a first response);
* a request's headers must be complete within the header timeout of their first byte
  (slowloris clients trickling one header byte at a time are cut off);
* at most ``max_connections`` connections are served; the next ``overflow`` ones get
  ``503 service_busy`` and are closed, any beyond those are closed at once — so the
  process never runs out of file descriptors (:func:`connection_cap` keeps both below
  ``RLIMIT_NOFILE``);
* uvicorn's own plain-text ``400`` for malformed HTTP (or headers past the size
  limit) is sent in the contract's error envelope instead (the application answers
  its own failures in the envelope: :mod:`.app`).

uvicorn's ``limit_concurrency`` is not used: it answers a plain-text ``503`` and counts
connections only once their request arrived, after their descriptor was taken.
"""

from __future__ import annotations

import asyncio
import json
import resource
from dataclasses import dataclass
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from ..api.spec import CONTRACT
from ..limits import LIMITS

__all__ = [
    "ConnectionCap",
    "GuardedH11Protocol",
    "connection_cap",
    "error_body",
    "guarded_protocol",
]


def limit_help(name: str, value: float) -> str:
    """Which limit was hit, its value in force, and the variable that raises it."""
    row = LIMITS[name]
    shown = f"{int(value)}" if float(value).is_integer() else f"{value:g}"
    return f"the limit is {row.what} ({shown} {row.unit}); set {row.env} to raise it"


def error_body(code: str, message: str) -> bytes:
    """The contract's error envelope ``{"error": {"code", "message"}}`` as JSON bytes."""
    return json.dumps({"error": {"code": code, "message": message}}).encode()


@dataclass(frozen=True, slots=True)
class ConnectionCap:
    """How many connections are served, how many more are told ``503``, the backlog."""

    max_connections: int
    overflow: int
    #: how many connections asyncio accepts per turn of its event loop (its
    #: ``backlog`` argument) before any of them is counted.
    backlog: int
    #: the kernel's listen queue, set after the server started (connections waiting
    #: there take no descriptor of this process).
    listen_queue: int = 2048


def connection_cap(requested: int, soft_fd_limit: int | None = None) -> ConnectionCap:
    """The connection limit in force: ``requested``, lowered below the fd limit.

    A reserve of ``max(64, limit // 8)`` descriptors stays free for everything else the
    process opens (the listening socket, the event loop, animatic files, fonts, logs).
    Up to ``overflow`` more connections (a quarter of the reserve, at most 32) are
    answered ``503`` before being closed.  asyncio accepts up to ``backlog``
    connections per turn of its loop and counts them a turn or two later, so three
    backlogs are kept free as well.  ``soft_fd_limit`` defaults to the soft
    ``RLIMIT_NOFILE`` of this process.
    """
    if soft_fd_limit is None:
        soft_fd_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft_fd_limit == resource.RLIM_INFINITY or soft_fd_limit < 0:
        return ConnectionCap(requested, 32, 128)
    reserve = max(64, soft_fd_limit // 8)
    overflow = max(1, min(32, reserve // 4))
    backlog = max(8, min(128, soft_fd_limit // 16))
    usable = max(1, soft_fd_limit - reserve - overflow - 3 * backlog)
    return ConnectionCap(min(requested, usable), overflow, backlog)


@dataclass(frozen=True, slots=True)
class Guard:
    """The settings one server's connections are held to."""

    cap: ConnectionCap
    idle_timeout: float
    header_timeout: float
    max_header_bytes: int

    async def service_busy(self, scope: Any, receive: Any, send: Any) -> None:
        """The whole application of a connection past the limit: ``503 service_busy``."""
        await _service_busy(
            send,
            "the sandbox is serving as many connections as it may at once "
            f"({limit_help('sandbox_max_connections', self.cap.max_connections)}); "
            "retry in a moment",
        )


async def _service_busy(send: Any, message: str) -> None:
    body = error_body("service_busy", message)
    await send(
        {
            "type": "http.response.start",
            "status": CONTRACT.error_status("service_busy"),
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", b"1"),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with the guards of this module (see the module text).

    Subclassed per server by :func:`guarded_protocol`, which sets :attr:`guard`.
    """

    guard: Guard

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # uvicorn's keep-alive timer, used as the idle timer (float seconds work).
        self.timeout_keep_alive = self.guard.idle_timeout  # type: ignore[assignment]
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        already = len(self.connections)
        super().connection_made(transport)
        cap = self.guard.cap
        if already >= cap.max_connections + cap.overflow:
            transport.close()  # no descriptor to spare: refuse at once
            return
        if already >= cap.max_connections:
            self.app = self.guard.service_busy
        # Idle until the first byte: the same timer as between keep-alive requests.
        self.timeout_keep_alive_task = self.loop.call_later(
            self.guard.idle_timeout, self.timeout_keep_alive_handler
        )

    def _waiting_for_request(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def data_received(self, data: bytes) -> None:
        if self._header_timer is None and self._waiting_for_request():
            self._header_timer = self.loop.call_later(
                self.guard.header_timeout, self._header_deadline
            )
        super().data_received(data)
        if self._header_timer is not None and not self._waiting_for_request():
            self._header_timer.cancel()
            self._header_timer = None

    def on_response_complete(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        super().on_response_complete()

    def _header_deadline(self) -> None:
        self._header_timer = None
        if self._waiting_for_request() and not self.transport.is_closing():
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        """Malformed HTTP or headers too large: ``400`` in the envelope, then close."""
        message = (
            "the request is not valid HTTP/1.1 or its headers are too large "
            f"({limit_help('sandbox_header_bytes', self.guard.max_header_bytes)})"
        )
        body = error_body("invalid_request", message)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        try:
            output = self.conn.send(
                h11.Response(status_code=400, headers=headers, reason=b"Bad Request")
            )
            output = (output or b"") + (self.conn.send(h11.Data(data=body)) or b"")
            output += self.conn.send(h11.EndOfMessage()) or b""
        except h11.LocalProtocolError:  # h11 cannot answer in this state: raw bytes
            output = b"HTTP/1.1 400 Bad Request\r\n"
            output += b"".join(k + b": " + v + b"\r\n" for k, v in headers) + b"\r\n" + body
        self.transport.write(output)
        self.transport.close()


def guarded_protocol(
    cap: ConnectionCap, *, idle_timeout: float, header_timeout: float, max_header_bytes: int
) -> type[GuardedH11Protocol]:
    """A protocol class for one server (uvicorn's ``Config(http=...)``)."""
    guard = Guard(cap, idle_timeout, header_timeout, max_header_bytes)
    return type("SandboxH11Protocol", (GuardedH11Protocol,), {"guard": guard})
