"""render/stop.py: a render stopped from another thread stops as after Ctrl-C."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from render_helpers import chain

from seedance_dsl.render.events import RenderEvent
from seedance_dsl.render.identity import server_namespace
from seedance_dsl.render.state import StateDB
from seedance_dsl.render.stop import StopToken


def test_a_stop_from_another_thread_interrupts_and_the_rerun_pays_nothing_twice(
    sandbox_factory: Any, tmp_path: Path, render_on: Any
) -> None:
    sb = sandbox_factory(time_scale=0.1)
    path = tmp_path / "film.shot"
    path.write_text(chain(4), encoding="utf-8")
    stop = StopToken()
    events: list[RenderEvent] = []

    def on_event(e: RenderEvent) -> None:
        events.append(e)
        if e.kind == "submitted":  # stopped from a thread other than the render's
            threading.Thread(target=stop.stop, args=("the app closed",)).start()

    summary, _ = render_on(sb, path, out_dir=tmp_path / "out", stop=stop, on_event=on_event)
    assert summary.exit_code == 3, summary.message
    assert "the app closed" in summary.message
    assert sum(1 for e in events if e.kind == "submitted") == 1  # nothing more was sent
    with StateDB.for_storyboard(path) as db:
        (rec,) = [r for r in db.history(server_namespace(sb.base_url), "film.shot") if r.task_id]
        assert rec.in_flight  # recorded, to be polled by the next run
    again, _ = render_on(sb, path, out_dir=tmp_path / "out", stop=StopToken())
    assert again.exit_code == 0
    ins = sb.inspect()
    assert set(ins["tasks_per_idempotency_key"].values()) == {1}  # never paid twice


def test_a_token_stopped_before_the_render_starts_stops_it_before_any_submit(
    sandbox_factory: Any, tmp_path: Path, render_on: Any
) -> None:
    sb = sandbox_factory(time_scale=0.1)
    path = tmp_path / "film.shot"
    path.write_text(chain(2), encoding="utf-8")
    stop = StopToken()
    stop.stop("too late")
    stop.stop("ignored: the first reason stays")
    summary, _ = render_on(sb, path, out_dir=tmp_path / "out", stop=stop)
    assert summary.exit_code == 3 and "too late" in summary.message
    assert stop.reason == "too late"
    assert sb.inspect()["tasks_per_idempotency_key"] == {}
