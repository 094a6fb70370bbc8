"""The automatic URL preflight of render: a remote asset URL that fails the probe stops
the render before any submit (exit 2), each problem named at its asset's line;
--no-preflight (url_preflight=False) skips it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

SHOT = """storyboard "Remote"

asset hero image "{url}"

clip one {{
  ref hero as character
  duration 4s
  text "go"
}}
"""


@pytest.fixture
def gone() -> Iterator[str]:
    """A loopback server answering 404 to everything (stops with the test)."""

    class H(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "0")
            self.end_headers()

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/hero.png"
    finally:
        srv.shutdown()
        srv.server_close()


def _render(sandbox: Any, path: Any, url: str, **kw: Any) -> Any:
    """Render with the asset's URL swapped for a loopback one after compiling (the
    compiler rightly refuses plain http): what a URL that went bad looks like."""
    from dataclasses import replace

    from seedance_dsl.render.commands import load_storyboard, render_storyboard
    from seedance_dsl.render.identity import server_namespace

    sb = load_storyboard(path)
    clips = []
    for c in sb.clips:
        refs = tuple(replace(r, url=url) for r in c.references)
        body = dict(c.payload)
        body["media_urls"] = [url]
        clips.append(replace(c, references=refs, payload=body))
    st = sandbox.settings
    return render_storyboard(
        replace(sb, clips=tuple(clips)),
        out_dir=path.parent / "renders",
        server=server_namespace(sandbox.base_url),
        api_key=sandbox.api_key,
        base_url=sandbox.base_url,
        rate_limit=(st.rate_limit_requests, st.scaled(st.rate_limit_window_s)),
        **kw,
    )


def test_a_404_asset_stops_the_render_before_any_submit(sandbox: Any, shot: Any, gone: str) -> None:
    from seedance_dsl.render.local_assets import AssetPreflightFailed

    path = shot(SHOT.format(url="https://cdn.example.com/hero.png"))
    with pytest.raises(AssetPreflightFailed) as got:
        _render(sandbox, path, gone, url_preflight=True)
    assert got.value.exit_code == 2
    assert f"{path.name}:3:" in got.value.message and "404" in got.value.message
    assert "--no-preflight" in (got.value.help or "")
    assert sandbox.inspect()["tasks_created"] == 0


def test_no_preflight_submits(sandbox: Any, shot: Any, gone: str) -> None:
    path = shot(SHOT.format(url="https://cdn.example.com/hero.png"))
    _render(sandbox, path, gone, url_preflight=False)
    assert sandbox.inspect()["tasks_created"] >= 1
