"""A raw-socket server on loopback that answers however a test scripts it: trickling a
byte at a time, never answering, sending a body without end (up to a bound), lying
about lengths, redirecting in a loop.  Each connection runs the test's ``handler`` in a
thread; every handler stops by itself (time or byte bounds), and :meth:`stop` closes the
listening socket and every open connection.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

Handler = Callable[["Conn"], None]


class Conn:
    """One accepted connection: the request head read, helpers to answer."""

    def __init__(self, sock: socket.socket, stop: threading.Event) -> None:
        self.sock = sock
        self.stop = stop
        self.head = b""
        self.sock.settimeout(5.0)

    def read_head(self) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 1 << 20:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        self.head = head
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        return head

    @property
    def path(self) -> str:
        return self.head.split(b" ", 2)[1].decode() if self.head else ""

    def send(self, data: bytes) -> bool:
        """Send ``data``; ``False`` once the peer went away or the server stops."""
        if self.stop.is_set():
            return False
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def trickle(self, data: bytes, every_s: float, max_s: float) -> None:
        """One byte every ``every_s`` seconds, for at most ``max_s`` seconds."""
        end = time.monotonic() + max_s
        for i in range(len(data)):
            if time.monotonic() > end or not self.send(data[i : i + 1]):
                return
            if self.stop.wait(every_s):
                return

    def answer(self, status: int, body: bytes, **headers: str) -> None:
        lines = [f"HTTP/1.1 {status} X".encode()]
        headers.setdefault("Content-Length", str(len(body)))
        headers.setdefault("Content-Type", "application/json")
        headers.setdefault("Connection", "close")
        for k, v in headers.items():
            lines.append(f"{k.replace('_', '-')}: {v}".encode())
        self.send(b"\r\n".join(lines) + b"\r\n\r\n" + body)


class HostileServer:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.stop_event = threading.Event()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.05)
        self.conns: list[socket.socket] = []
        self.requests: list[bytes] = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.listener.getsockname()[:2]
        return f"http://{host}:{port}"

    def _serve(self) -> None:
        while not self.stop_event.is_set():
            try:
                sock, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            with self.lock:
                self.conns.append(sock)
            threading.Thread(target=self._one, args=(sock,), daemon=True).start()

    def _one(self, sock: socket.socket) -> None:
        conn = Conn(sock, self.stop_event)
        try:
            conn.read_head()
            with self.lock:
                self.requests.append(conn.head)
            self.handler(conn)
        except OSError:
            pass
        finally:
            with suppress(OSError):
                sock.close()

    def start(self) -> HostileServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(5)
        self.listener.close()
        with self.lock:
            for s in self.conns:
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                with suppress(OSError):
                    s.close()


@contextmanager
def hostile(handler: Handler) -> Iterator[HostileServer]:
    srv = HostileServer(handler).start()
    try:
        yield srv
    finally:
        srv.stop()
