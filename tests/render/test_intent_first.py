"""The intent to submit is in the state database *before* the submit leaves.

kill -9 tests cannot tell "intent, then POST" from "POST, then intent": the idempotency
key is derived from the request, so a re-run sends the same key either way.  Here the
server itself looks into the state database at the moment each POST arrives (through
the real client, an in-memory transport, no socket) and notes whether the clip's
intent row, with that very key, is already committed."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import httpx
from render_helpers import independent

from seedance_dsl.client import AsyncSeedanceClient
from seedance_dsl.compiler import compile_text
from seedance_dsl.render.budget import SharedBudget
from seedance_dsl.render.polling import PollPolicy
from seedance_dsl.render.runner import Renderer, RenderOptions
from seedance_dsl.render.state import StateDB

STAMP = "2026-01-01T00:00:00Z"


class _NoDownloads(AsyncSeedanceClient):
    """The real client for submits and polls; files are written locally."""

    async def download(self, url: str, path: Path, **_: object) -> Path:
        path.write_bytes(b"not really a video: " + url.encode())
        return path


def test_intent_is_committed_before_the_post_arrives(tmp_path: Path) -> None:
    db_path = tmp_path / "state.db"
    seen: list[tuple[str, str | None]] = []  # (key, state of its row when the POST came)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            key = request.headers["idempotency-key"]
            with sqlite3.connect(db_path) as conn:
                row = conn.execute(
                    "SELECT state FROM renders WHERE idempotency_key = ?", (key,)
                ).fetchone()
            seen.append((key, row[0] if row else None))
            n = len(seen)
            return httpx.Response(
                202,
                json={"id": f"task-{n}", "status": "completed", "credits_used": 10},
            )
        if request.url.path.startswith("/api/v1/tasks/"):
            tid = request.url.path.rsplit("/", 1)[1]
            return httpx.Response(
                200,
                json={
                    "id": tid,
                    "status": "completed",
                    "created_at": STAMP,
                    "updated_at": STAMP,
                    "output": {"video_url": f"https://cdn.example.test/{tid}.webm", "seed": 1},
                },
            )
        raise AssertionError(f"unexpected {request.method} {request.url}")

    async def go() -> None:
        budget = SharedBudget(30, 60.0)
        client = _NoDownloads(
            "sk-test-intent-first",
            base_url="https://api.example.test",
            limiter=budget,
            transport=httpx.MockTransport(handler),
        )
        db = StateDB(db_path)
        try:
            renderer = Renderer(
                compile_text(independent(3), str(tmp_path / "film.shot")),
                client=client,
                budget=budget,
                db=db,
                server="https://api.example.test",
                out_dir=tmp_path / "out",
                options=RenderOptions(poll=PollPolicy().scaled(0.001)),
            )
            summary = await asyncio.wait_for(renderer.run(), 60.0)
            assert [c.status for c in summary.clips] == ["done"] * 3
        finally:
            db.close()
            await client.aclose()

    asyncio.run(go())
    assert len(seen) == 3
    assert all(state == "intent" for _, state in seen), seen
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert sorted(c["idempotency_key"] for c in manifest["clips"]) == sorted(k for k, _ in seen)
