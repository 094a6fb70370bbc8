"""Helpers of the renderer's tests: storyboards on disk, renders against a sandbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from seedance_dsl.render.commands import load_storyboard, render_storyboard
from seedance_dsl.render.events import RenderEvent, RenderSummary
from seedance_dsl.render.identity import server_namespace


@pytest.fixture
def shot(tmp_path: Path) -> Callable[[str, str], Path]:
    def write(text: str, name: str = "film.shot") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return write


Renderer = Callable[..., tuple[RenderSummary, list[RenderEvent]]]


@pytest.fixture
def render_on() -> Renderer:
    """render_on(sandbox, path, **options) -> (summary, events), in this process; an
    ``on_event`` option sees each event too (after it is recorded)."""

    def run(sb: Any, path: Path, **kw: Any) -> tuple[RenderSummary, list[RenderEvent]]:
        events: list[RenderEvent] = []
        sink = kw.pop("on_event", None)

        def record(e: RenderEvent) -> None:
            events.append(e)
            if sink is not None:
                sink(e)

        st = sb.settings
        compiled = load_storyboard(path)
        out = kw.pop("out_dir", path.parent / "renders" / path.stem)
        summary = render_storyboard(
            compiled,
            out_dir=out,
            server=server_namespace(sb.base_url),
            api_key=sb.api_key,
            base_url=sb.base_url,
            rate_limit=(st.rate_limit_requests, st.scaled(st.rate_limit_window_s)),
            on_event=record,
            **kw,
        )
        return summary, events

    return run
