"""A cancelled MCP `render` stops the render, not only the answer.

Before, the server's worker thread rendered on to the end after the client cancelled the
call (the SDK's cancel only dropped the answer), holding the storyboard's lock: a new
`render` right after was refused as busy for the rest of the old render.  Now the
cancellation stops the render as Ctrl-C does (render/stop.py), the lock is free within
a moment, and the next render completes the storyboard.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession

from .mcp_helpers import data, run_session

pytestmark = pytest.mark.slow

# four chained 5 s clips: ~8 s on the MCP server's sandbox (R = 2 s)
CHAIN = 'storyboard "Cancel"\n\n' + "\n".join(
    f"clip c{i} {{\n  duration 5s\n"
    + (f"  start c{i - 1}.last_frame\n" if i else "")
    + f'  shot {{ action "a red kite, moment {i}"  camera "slow tilt up" }}\n}}\n'
    for i in range(4)
)


def test_a_cancelled_render_stops_and_frees_the_storyboard(tmp_path: Path) -> None:
    root = tmp_path / "work"
    root.mkdir()
    (root / "film.shot").write_text(CHAIN, encoding="utf-8")

    async def body(s: ClientSession) -> dict[str, Any]:
        out: dict[str, Any] = {}
        scope = anyio.CancelScope()

        async def on_progress(done: float, total: float | None, message: str | None) -> None:
            if message and "submitting" in message:
                scope.cancel()  # the first submit is under way: cancel the call

        with scope:
            await s.call_tool("render", {"file": "film.shot"}, progress_callback=on_progress)
        out["cancelled"] = scope.cancel_called
        t0 = time.monotonic()
        # the old server rendered on for ~8 s holding the lock: `busy` all that time
        for _ in range(100):
            out["freed_after_s"] = time.monotonic() - t0  # when the call that got in began
            again = await s.call_tool("render", {"file": "film.shot"})
            if not (again.is_error and data(again)["error"]["kind"] == "busy"):
                break
            await anyio.sleep(0.1)
        out["again"] = again
        return out

    out = run_session(root, body)
    assert out["cancelled"]
    assert not out["again"].is_error, data(out["again"])
    summary = data(out["again"])
    assert summary["counts"] == {"done": 4}, summary["counts"]
    # the second render waited for no more than the stop itself, not the old render's end
    assert out["freed_after_s"] < 3.0, out["freed_after_s"]
