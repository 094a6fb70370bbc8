"""`seedance plan` lists the uploads a render would make: the local files whose bytes
are not yet in the store (as the state DB's ``asset_uploads`` records them) — path,
size, sha256 — in JSON as ``uploads``.  No network."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from seedance_dsl.render.commands import plan_file

SHOT = """storyboard "Stills"

asset hero image "refs/hero.png"
asset alley image "refs/alley.png"
asset same image "refs/same.png"

clip one {
  start hero
  duration 4s
  text "a red card"
}

clip two {
  start alley
  end same
  duration 4s
  text "a blue card"
}
"""
STORE = "s3:http://127.0.0.1:9/films"  # never contacted: plan sends nothing


def _still(path: Path, colour: tuple[int, int, int]) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 36), colour).save(path)


@pytest.fixture
def film(shot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        '[profiles.default.store]\nbucket = "films"\nendpoint_url = "http://127.0.0.1:9"\n'
        'region = "us-east-1"\n'
    )
    config.chmod(0o600)
    monkeypatch.setenv("SEEDANCE_CONFIG", str(config))
    monkeypatch.delenv("SEEDANCE_PROFILE", raising=False)
    path: Path = shot(SHOT)
    _still(path.parent / "refs" / "hero.png", (220, 30, 30))
    _still(path.parent / "refs" / "alley.png", (30, 30, 220))
    _still(path.parent / "refs" / "same.png", (30, 30, 220))  # the same bytes as alley
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _record_upload(film: Path, name: str) -> None:
    """What a render's upload step writes (render/local_assets.py record_uploads)."""
    from seedance_dsl.assets.store import Upload, record_uploads, store_config
    from seedance_dsl.render.state import StateDB

    f = film.parent / "refs" / name
    sha, size = _sha(f), f.stat().st_size
    cfg = store_config({"bucket": "films", "endpoint_url": "http://127.0.0.1:9"})
    up = Upload(name, str(f), sha, size, f"sha256/{sha}.png", "https://x/y", None, size)
    with StateDB.for_storyboard(film) as db:
        record_uploads(db.connection, cfg, [up])


def test_plan_lists_each_file_not_yet_in_the_store_once(film: Path) -> None:
    plan = plan_file(film)
    assert plan.upload_store == STORE
    hero, alley = film.parent / "refs" / "hero.png", film.parent / "refs" / "alley.png"
    assert [(Path(u.path).name, u.size, u.sha256) for u in plan.uploads] == [
        ("hero.png", hero.stat().st_size, _sha(hero)),
        ("alley.png", alley.stat().st_size, _sha(alley)),  # same.png: the same bytes
    ]
    got = plan.to_json()
    assert got["uploads"][0] == {
        "name": "hero",
        "path": str(hero.resolve()),
        "size": hero.stat().st_size,
        "sha256": _sha(hero),
    }
    assert got["upload_bytes"] == hero.stat().st_size + alley.stat().st_size
    assert got["upload_store"] == STORE

    # hero went up in an earlier render: only alley is left
    _record_upload(film, "hero.png")
    assert [u.name for u in plan_file(film).uploads] == ["alley"]
    # a changed file is a new upload
    _still(film.parent / "refs" / "hero.png", (10, 200, 10))
    assert [u.name for u in plan_file(film).uploads] == ["hero", "alley"]
    # only the clips asked for (and the clips they need)
    assert [u.name for u in plan_file(film, clips=["two"]).uploads] == ["alley"]


def test_plan_text_and_json_on_the_command_line(film: Path) -> None:
    from seedance_dsl.cli import cli as main

    runner = CliRunner()
    text = runner.invoke(main, ["plan", str(film)])
    assert text.exit_code == 0, text.output
    hero = film.parent / "refs" / "hero.png"
    assert f"uploads to {STORE}: 2 local file(s)" in text.output
    assert f"{hero.resolve()}  {hero.stat().st_size:,} bytes  sha256 {_sha(hero)[:12]}" in (
        text.output
    )
    js = runner.invoke(main, ["plan", str(film), "--format", "json"])
    assert js.exit_code == 0, js.output
    assert [u["name"] for u in json.loads(js.output)["uploads"]] == ["hero", "alley"]


def test_sandbox_and_missing_store_say_so(film: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = plan_file(film, sandbox=True)
    assert len(plan.uploads) == 2 and plan.upload_store is None
    assert "sandbox starts empty" in plan.upload_note
    monkeypatch.setenv("SEEDANCE_CONFIG", str(film.parent / "none.toml"))
    plan = plan_file(film)
    assert len(plan.uploads) == 2 and plan.upload_store is None
    assert "no store is configured" in plan.upload_note


def test_a_storyboard_without_local_files_plans_no_uploads(shot: Any) -> None:
    path = shot('storyboard "U"\n\nclip a {\n  duration 4s\n  text "a grey card"\n}\n', "u.shot")
    got = plan_file(path).to_json()
    assert got["uploads"] == [] and got["upload_bytes"] == 0 and got["upload_note"] == ""
