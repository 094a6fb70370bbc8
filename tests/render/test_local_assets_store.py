"""render with local files through an S3 store (moto on loopback): the sandbox fetches
the presigned URLs; a second render uploads nothing; a changed file uploads once; an
unreachable store is a clear error before any submit."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from render_helpers import moto_bucket

from seedance_dsl.render.events import EXIT_OK

SHOT = """storyboard "Stored"

asset hero image "refs/hero.png"

clip one {
  start hero
  duration 4s
  text "a red card"
}
"""
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIATESTTESTTESTTEST",
    "AWS_SECRET_ACCESS_KEY": "testsecret/testsecret/testsecret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for k, v in FAKE_ENV.items():
        monkeypatch.setenv(k, v)
    with moto_bucket("films") as url:
        yield url


def _store(endpoint: str) -> Any:
    from seedance_dsl.assets.store import S3Store, store_config

    return S3Store(
        store_config({"bucket": "films", "endpoint_url": endpoint, "region": "us-east-1"})
    )


def _still(path: Path, colour: tuple[int, int, int]) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (320, 180), colour).save(path)


def _sent(path: Path) -> list[int]:
    conn = sqlite3.connect(path.parent / ".seedance" / "state.db")
    return [r[0] for r in conn.execute("SELECT bytes_sent FROM asset_uploads ORDER BY first_at")]


def test_uploads_once_then_nothing_then_the_changed_file(
    sandbox: Any, shot: Any, render_on: Any, s3: str
) -> None:
    path = shot(SHOT)
    _still(path.parent / "refs" / "hero.png", (220, 30, 30))
    store = _store(s3)
    summary, events = render_on(sandbox, path, store=store)
    assert summary.exit_code == EXIT_OK, summary.to_json()
    first = _sent(path)
    assert len(first) == 1 and first[0] > 0
    import json

    manifest = json.loads((path.parent / "renders" / path.stem / "manifest.json").read_text())
    (entry,) = manifest["storyboard"]["local_files"]
    assert entry["path"].endswith("refs/hero.png") and len(entry["sha256"]) == 64
    assert entry["url"].startswith(s3) and "?" not in entry["url"]
    assert entry["expires_at"] > 0
    assert sandbox.inspect()["tasks_created"] == 1
    # a second render: nothing uploaded, nothing resubmitted
    summary, events = render_on(sandbox, path, store=store)
    assert summary.exit_code == EXIT_OK
    assert _sent(path) == first
    done = [e for e in events if e.kind == "uploads"]
    assert done and done[0].data["bytes_sent"] == 0
    assert sandbox.inspect()["tasks_created"] == 1
    # a changed file: uploaded once, a new request
    _still(path.parent / "refs" / "hero.png", (30, 200, 30))
    summary, _ = render_on(sandbox, path, store=store)
    assert summary.exit_code == EXIT_OK
    assert len(_sent(path)) == 2 and _sent(path)[1] > 0
    assert sandbox.inspect()["tasks_created"] == 2


def test_an_unreachable_store_stops_before_any_submit(
    sandbox: Any, shot: Any, render_on: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seedance_dsl.render.local_assets import LocalUploadError

    for k, v in FAKE_ENV.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("SEEDANCE_ASSET_STORE_TIMEOUT", "2")
    path = shot(SHOT)
    _still(path.parent / "refs" / "hero.png", (220, 30, 30))
    with pytest.raises(LocalUploadError, match="nothing was submitted") as got:
        render_on(sandbox, path, store=_store(f"http://127.0.0.1:{_port()}"))
    assert got.value.exit_code == 2 and got.value.help
    assert sandbox.inspect()["tasks_created"] == 0


def test_the_profile_store_table_is_the_store(
    sandbox: Any,
    shot: Any,
    render_on: Any,
    s3: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[profiles.default.store]\nbucket = "films"\nendpoint_url = "{s3}"\nregion = "us-east-1"\n'
    )
    config.chmod(0o600)
    monkeypatch.setenv("SEEDANCE_CONFIG", str(config))
    monkeypatch.delenv("SEEDANCE_PROFILE", raising=False)
    path = shot(SHOT)
    _still(path.parent / "refs" / "hero.png", (220, 30, 30))
    summary, _ = render_on(sandbox, path)
    assert summary.exit_code == EXIT_OK, summary.to_json()
    assert len(_sent(path)) == 1
    request = summary.clips[0]
    assert request.status == "done"


def test_a_store_that_is_not_a_table_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seedance_dsl.client.config import resolve_config
    from seedance_dsl.client.errors import ConfigError

    config = tmp_path / "config.toml"
    config.write_text('[profiles.default]\nstore = "s3://films"\n')
    with pytest.raises(ConfigError, match="store must be a table"):
        resolve_config(config_path=config, env={})
