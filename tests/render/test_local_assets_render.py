"""render --sandbox with local files: uploaded to the sandbox before the first submit,
the animatic opens on the start image; a second render uploads nothing; without a store
a real server's render stops before any submit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import av
import pytest

from seedance_dsl.render.events import EXIT_OK

SHOT = """storyboard "Local refs"

asset hero image "refs/hero.png"

clip one {
  start hero
  duration 4s
  text "a red card"
}
"""


def _still(path: Path, colour: tuple[int, int, int]) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (320, 180), colour).save(path)


def _first_frame_mean(video: Path) -> tuple[float, float, float]:
    with av.open(str(video)) as f:
        frame = next(f.decode(video=0)).to_image().convert("RGB")
    from PIL import ImageStat

    r, g, b = ImageStat.Stat(frame).mean
    return r, g, b


def test_sandbox_render_uploads_local_files_and_opens_on_them(tmp_path: Path) -> None:
    from seedance_dsl import render_file

    _still(tmp_path / "refs" / "hero.png", (220, 30, 30))
    shot = tmp_path / "film.shot"
    shot.write_text(SHOT)
    events: list[str] = []
    summary = render_file(
        shot, sandbox=True, out_dir=tmp_path / "renders", on_event=lambda e: events.append(e.kind)
    )
    assert summary.exit_code == EXIT_OK, summary.to_json()
    assert "uploads" in events
    video = Path(summary.clips[0].video_path or "")
    r, g, b = _first_frame_mean(video)
    assert r > 150 and g < 90 and b < 90, (r, g, b)  # opens on the red start image
    conn = sqlite3.connect(tmp_path / ".seedance" / "state.db")
    (sent,) = conn.execute("SELECT SUM(bytes_sent) FROM asset_uploads").fetchone()
    assert sent > 0


def test_without_a_store_a_real_render_stops_before_any_submit(tmp_path: Path) -> None:
    from seedance_dsl.render.commands import load_storyboard, render_storyboard
    from seedance_dsl.render.local_assets import LocalUploadError

    _still(tmp_path / "refs" / "hero.png", (220, 30, 30))
    shot = tmp_path / "film.shot"
    shot.write_text(SHOT)
    sb = load_storyboard(shot)
    with pytest.raises(LocalUploadError, match="no store is configured") as got:
        render_storyboard(
            sb,
            out_dir=tmp_path / "out",
            server="http://127.0.0.1:9",
            api_key="sk-test-0000000000000000",
            base_url="http://127.0.0.1:9",
            rate_limit=(10, 60.0),
        )
    assert got.value.exit_code == 2
    assert not (tmp_path / "out" / "manifest.json").exists()
