"""Running the sandbox: uvicorn in a background thread on a loopback port.

>>> from seedance_dsl.sandbox import SandboxSettings, start_sandbox
>>> with start_sandbox(SandboxSettings.for_tests()) as sb:   # doctest: +SKIP
...     sb.base_url, sb.inspect()["tasks_created"]
('http://127.0.0.1:40123', 0)
"""

from __future__ import annotations

import asyncio
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from ..errors import SeedanceDSLError
from .app import SandboxApp, create_app
from .connections import ConnectionCap, connection_cap, guarded_protocol
from .settings import SandboxSettings

__all__ = ["Sandbox", "SandboxStartError", "serve_forever", "start_sandbox"]


class SandboxStartError(SeedanceDSLError):
    """The sandbox could not start (for example, its port is taken)."""

    exit_code = 2


class _QuickServer(uvicorn.Server):
    """uvicorn's server, stopping within milliseconds instead of ~0.2 s.

    uvicorn looks at ``should_exit`` every 100 ms and sleeps 100 ms more on shutdown;
    a test suite starts hundreds of sandboxes, so both waits are shortened here.
    """

    async def main_loop(self) -> None:
        tick = 0
        while True:
            for _ in range(10):
                if self.should_exit:
                    return
                await asyncio.sleep(0.01)
            tick = (tick + 1) % 864000
            if await self.on_tick(tick):
                return

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        state = getattr(self, "server_state", None)
        wait = getattr(self, "_wait_tasks_to_complete", None)
        if state is None or wait is None:  # another uvicorn: its own (slower) shutdown
            await super().shutdown(sockets)
            return
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(state.connections):
            connection.shutdown()
        await asyncio.sleep(0.01)
        try:
            await asyncio.wait_for(wait(), timeout=self.config.timeout_graceful_shutdown)
        except TimeoutError:
            for task in state.tasks:
                task.cancel()


class Sandbox:
    """A running sandbox server.  Use :func:`start_sandbox` (a context manager)."""

    def __init__(
        self,
        settings: SandboxSettings,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        access_log: bool = False,
    ) -> None:
        self.settings = settings
        self.app: SandboxApp = create_app(settings)
        self._host = host
        try:
            # proto=IPPROTO_TCP: asyncio then sets TCP_NODELAY on accepted connections
            # (without it, Nagle's algorithm adds ~40 ms to every keep-alive answer).
            self._sock = socket.socket(
                socket.AF_INET6 if ":" in host else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
            )
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._sock.bind((host, port))
        except OSError as exc:
            self.app.close()
            raise SandboxStartError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                help="pick another port with --port, or --port 0 for any free port",
            ) from exc
        self.port: int = self._sock.getsockname()[1]
        #: the connection limit in force (``settings.max_connections``, lowered below
        #: this process's file-descriptor limit).
        self.connection_cap: ConnectionCap = connection_cap(settings.max_connections)
        config = uvicorn.Config(
            self.app,
            http=guarded_protocol(
                self.connection_cap,
                idle_timeout=settings.idle_timeout_s,
                header_timeout=settings.header_timeout_s,
                max_header_bytes=settings.max_header_bytes,
            ),
            ws="none",
            backlog=self.connection_cap.backlog,
            h11_max_incomplete_event_size=settings.max_header_bytes,
            log_level="info" if access_log else "warning",
            access_log=access_log,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = _QuickServer(config)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    @property
    def api_key(self) -> str:
        """The first configured key (a sandbox key: not a secret of anyone's)."""
        return self.settings.api_key

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __repr__(self) -> str:  # never shows keys
        return f"<Sandbox {self.base_url}>"

    def start(self, timeout: float = 10.0) -> Sandbox:
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._sock]},
            name=f"sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise SandboxStartError(f"the sandbox on {self.base_url} did not start")
            time.sleep(0.005)
        # asyncio gave the listen queue its (small) accept batch size; a long queue
        # lets bursts of clients wait in the kernel instead of retrying their SYN.
        self._sock.listen(self.connection_cap.listen_queue)
        return self

    def stop(self) -> None:
        """Stop serving, wait for the server thread, stop the render pool."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._sock.close()
        self.app.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- for tests ------------------------------------------------------------------

    def inspect(self) -> dict[str, Any]:
        """Counters and balances (the same as ``GET /_sandbox/inspect``)."""
        return self.app.state.inspect()

    def balance(self, key: str | None = None) -> int:
        return self.app.state.balance(key or self.api_key)

    def add_key(self, key: str, credits: int) -> None:
        self.app.state.add_key(key, credits)

    def revoke_key(self, key: str) -> None:
        self.app.state.revoke_key(key)

    def top_up(self, key: str, credits: int) -> int:
        return self.app.state.top_up(key, credits)

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Block until no task of any account is processing (for tests)."""
        deadline = time.monotonic() + timeout
        state = self.app.state
        while True:
            with state.lock:
                state.refresh()
                busy = any(t.status == "processing" for t in state.tasks.values())
            if not busy:
                return
            if time.monotonic() > deadline:
                raise TimeoutError("sandbox tasks still processing")
            time.sleep(0.01)


@contextmanager
def start_sandbox(
    settings: SandboxSettings | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    access_log: bool = False,
) -> Iterator[Sandbox]:
    """Run a sandbox for the duration of a ``with`` block (port 0 → any free port)."""
    sb = Sandbox(settings or SandboxSettings(), host=host, port=port, access_log=access_log)
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()


def serve_forever(
    settings: SandboxSettings,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    access_log: bool = True,
    on_start: Callable[[Sandbox], None] | None = None,
) -> None:
    """Serve until Ctrl-C or SIGTERM, then shut down cleanly (no traceback).

    ``on_start`` is called once the server listens (the CLI prints its banner there).
    """
    previous = None
    if threading.current_thread() is threading.main_thread():

        def _terminate(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, _terminate)
    sb = Sandbox(settings, host=host, port=port, access_log=access_log)
    try:
        sb.start()
        if on_start is not None:
            on_start(sb)
        while sb.running:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        sb.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
