"""render --sandbox with local files: uploaded to the sandbox before the first submit,
the animatic opens on the start image; a second render uploads nothing; without a store
a real server's render stops before any submit."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

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


def _diff(a: Any, b: Any) -> float:
    from PIL import ImageChops, ImageStat

    b = b.convert("RGB").resize(a.size)
    return float(sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3)


def test_the_example_of_make_demo_opens_on_its_start_frame(tmp_path: Path) -> None:
    """examples/stills.shot (rendered by `make demo`): the animatic of `day` opens on
    refs/dawn.png and closes on refs/dusk.png, on the sandbox."""
    import shutil

    from PIL import Image

    from seedance_dsl import render_file

    root = Path(__file__).resolve().parents[2] / "examples"
    shutil.copytree(root, tmp_path / "examples")
    shot = tmp_path / "examples" / "stills.shot"
    summary = render_file(shot, sandbox=True, out_dir=tmp_path / "renders")
    assert summary.exit_code == EXIT_OK, summary.to_json()
    day = Path({c.clip: c for c in summary.clips}["day"].video_path or "")
    with av.open(str(day)) as f:
        frames = [fr.to_image().convert("RGB") for fr in f.decode(video=0)]
    dawn = Image.open(root / "refs" / "dawn.png")
    dusk = Image.open(root / "refs" / "dusk.png")
    assert _diff(frames[0], dawn) < 12 < _diff(frames[0], dusk)
    assert _diff(frames[-1], dusk) < 12 < _diff(frames[-1], dawn)
