"""``seedance preview --watch``: serve the page on loopback, write it again whenever the
storyboard, one of its imports or the render's manifest changes, and make an open page
reload itself.

The page's folder is served by a standard-library HTTP server bound to ``127.0.0.1``
only, and answers only requests whose ``Host`` is ``127.0.0.1:PORT`` or
``localhost:PORT`` (no DNS rebinding: another site cannot read the page).  Two extra
paths: ``/__preview/reload.js`` (the script the page loads in this
mode) and ``/__preview/version`` (a number bumped after each rewrite; the script polls
it every second and reloads the page when it changes).  A storyboard that fails to
build keeps the last page and prints why.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import SeedanceDSLError, UsageError
from .build import PreviewResult, build_preview

__all__ = ["RELOAD_JS", "watch"]

RELOAD_JS = b"""(function () {
  var seen = null;
  function check() {
    fetch("/__preview/version", {cache: "no-store"}).then(function (r) { return r.text(); })
      .then(function (v) {
        if (seen === null) { seen = v; } else if (v !== seen) { location.reload(); return; }
        setTimeout(check, 1000);
      }, function () { setTimeout(check, 2000); });
  }
  check();
})();
"""


class _State:
    def __init__(self) -> None:
        self.version = 1


def _handler(directory: Path, state: _State) -> Callable[..., http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            port = self.server.server_address[1]  # type: ignore[index]
            if self.headers.get("Host") not in {f"127.0.0.1:{port}", f"localhost:{port}"}:
                # a web page that rebinds its own name to 127.0.0.1 gets nothing
                self.send_error(403, "preview server: loopback Host only")
            elif path == "/__preview/version":
                self._send(str(state.version).encode(), "text/plain; charset=utf-8")
            elif path == "/__preview/reload.js":
                self._send(RELOAD_JS, "text/javascript; charset=utf-8")
            elif path == "/favicon.ico":  # the page has none: no 404 in the console
                self.send_response(204)
                self.end_headers()
            else:
                super().do_GET()

        def _send(self, body: bytes, ctype: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    return functools.partial(Handler, directory=str(directory))


def _signature(paths: tuple[Path, ...]) -> tuple[tuple[str, int, int], ...]:
    sig = []
    for p in paths:
        try:
            st = p.stat()
            sig.append((str(p), st.st_mtime_ns, st.st_size))
        except OSError:
            sig.append((str(p), -1, -1))
    return tuple(sig)


def watch(
    path: str | Path,
    *,
    port: int = 0,
    interval_s: float = 0.5,
    on_ready: Callable[[str, PreviewResult], None] | None = None,
    on_rebuild: Callable[[PreviewResult | SeedanceDSLError], None] | None = None,
    stop: threading.Event | None = None,
    **build: Any,
) -> None:
    """Build, serve on ``127.0.0.1:port`` (0: any free port) and rebuild on change until
    ``stop`` is set (or Ctrl-C).  ``on_ready(url, result)`` is called once serving."""
    result = build_preview(path, live_reload=True, **build)
    state = _State()
    try:
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", port), _handler(result.page.parent, state)
        )
    except OSError as exc:
        raise UsageError(
            f"cannot serve the preview on 127.0.0.1:{port}: {exc.strerror}",
            help="pick another --port (or 0 for any free port)",
        ) from None
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="preview-http", daemon=True)
    thread.start()
    stop = stop or threading.Event()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{result.page.name}"
        if on_ready is not None:
            on_ready(url, result)
        seen = _signature(result.inputs)
        while not stop.wait(interval_s):
            now = _signature(result.inputs)
            if now == seen:
                continue
            seen = now
            try:
                result = build_preview(path, live_reload=True, **build)
            except SeedanceDSLError as exc:
                if on_rebuild is not None:
                    on_rebuild(exc)
                continue
            seen = _signature(result.inputs)  # imports may have changed
            state.version += 1
            if on_rebuild is not None:
                on_rebuild(result)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
