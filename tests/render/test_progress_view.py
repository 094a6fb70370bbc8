"""The terminal view prints text from the storyboard, the server and the file system as
written: never as rich markup (a reason like ``media_urls[0] ...`` must survive)."""

from __future__ import annotations

import io

from rich.console import Console

from seedance_dsl.render.events import ClipResult, RenderEvent, RenderSummary
from seedance_dsl.render.progress import LiveProgress


def _view() -> tuple[LiveProgress, io.StringIO]:
    view = LiveProgress()
    out = io.StringIO()
    view.console = Console(file=out, width=160, color_system=None, force_terminal=False)
    return view, out


def test_live_rows_show_status_words_and_details_as_written() -> None:
    view, out = _view()
    view(RenderEvent("start", 0.0, None, None, "film [v2]", {"clips": ["a", "b"]}))
    view(RenderEvent("failed", 1.0, "a", "failed", "media_urls[0] [bold] refused", {}))
    view.console.print(view._render())
    text = out.getvalue()
    assert "[]" not in text  # an unstyled status is not an empty markup tag
    assert "waiting" in text
    assert "media_urls[0] [bold] refused" in text
    assert "film [v2]" in text


def test_final_summary_prints_reasons_and_messages_as_written() -> None:
    view, out = _view()
    summary = RenderSummary(
        storyboard="film [cut 2].shot",
        server="sandbox",
        out_dir="renders/film",
        manifest="renders/film/manifest.json",
        clips=[ClipResult("a", "failed", reason="the server refused: media_urls[0] [/] bad")],
        wall_s=1.0,
        message="stopped: see [red] the log",
    )
    view.finish(summary)
    text = out.getvalue()
    assert "the server refused: media_urls[0] [/] bad" in text
    assert "film [cut 2].shot" in text
    assert "stopped: see [red] the log" in text


def test_live_rows_say_where_an_interrupted_or_stuck_clip_was_left() -> None:
    view, out = _view()
    view(RenderEvent("start", 0.0, None, None, "film", {"clips": ["a", "b"]}))
    view(RenderEvent("interrupted", 1.0, "a", "interrupted", "not started", {}))
    view(RenderEvent("stuck", 1.0, "b", "stuck", "task sd2_x still processing", {}))
    view.console.print(view._render())
    text = out.getvalue()
    assert "not started" in text and "task sd2_x still processing" in text
