"""A storyboard that contains the API key: refused before anything is sent, and nothing
written (state, manifest, cache) contains the key."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from render_helpers import cli_env, seedance_cmd

from seedance_dsl.render.commands import plan_file, render_file
from seedance_dsl.render.state import StateDB
from seedance_dsl.secret import ApiKey, SecretInData, ensure_no_secret, secret_path

KEY = "sk_live_leaky_0123456789abcdef"

LEAKY = f"""storyboard "Leaky"

clip fine {{
  duration 4s
  shot {{ action "a quiet harbour at dawn" }}
}}

clip leak {{
  duration 4s
  shot {{ action "a sign that reads {KEY} in neon" }}
}}
"""


def _everything_under(*roots: Path) -> bytes:
    data = b""
    for root in roots:
        if root.is_file():
            data += root.read_bytes()
        elif root.is_dir():
            for p in root.rglob("*"):
                if p.is_file():
                    data += p.read_bytes()
    return data


def test_a_storyboard_with_the_key_is_refused_before_anything_is_sent(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("SEEDANCE_CACHE_DIR", str(cache))
    monkeypatch.setenv("SEEDANCE_API_KEY", KEY)
    path = tmp_path / "film.shot"
    path.write_text(LEAKY, encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(SecretInData) as info:
        render_file(path, base_url=sandbox.base_url, api_key=KEY, out_dir=out)
    err = info.value
    assert err.exit_code == 2
    assert "clip leak" in err.message and "`prompt`" in err.message
    assert f"{path}:" in err.message  # where: the source line
    assert KEY not in err.format() and KEY not in json.dumps(err.to_json())
    ins = sandbox.inspect()
    assert ins["tasks_created"] == 0
    # nothing written anywhere holds the key
    written = _everything_under(out, tmp_path / ".seedance", cache)
    assert KEY.encode() not in written
    with pytest.raises(SecretInData):
        plan_file(path, base_url=sandbox.base_url)  # the plan would print the request


def test_the_cli_refuses_without_showing_the_key(sandbox: Any, tmp_path: Path) -> None:
    path = tmp_path / "film.shot"
    path.write_text(LEAKY, encoding="utf-8")
    env = cli_env(sandbox, SEEDANCE_API_KEY=KEY, SEEDANCE_CACHE_DIR=str(tmp_path / "cache"))
    for args in (["render", str(path)], ["render", str(path), "--format", "json"]):
        p = subprocess.run(
            [*seedance_cmd(), *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert p.returncode == 2, p.stderr
        assert KEY not in p.stdout + p.stderr
        assert "contains the API key" in p.stdout + p.stderr
        assert "Traceback" not in p.stderr
    assert sandbox.inspect()["tasks_created"] == 0
    assert KEY.encode() not in _everything_under(tmp_path / ".seedance", tmp_path / "renders")


def test_state_and_manifest_writes_refuse_the_key(tmp_path: Path) -> None:
    ApiKey(KEY)  # a key made in this process is remembered
    from seedance_dsl.render.manifest import write_manifest

    with StateDB(tmp_path / "state.db") as db:
        with pytest.raises(SecretInData):
            db.record_intent(
                server="s",
                storyboard="f.shot",
                clip="c",
                take=0,
                attempt=0,
                request_hash="h",
                idempotency_key="k" * 16,
                request_json=json.dumps({"prompt": KEY}),
            )
        rec = db.record_intent(
            server="s",
            storyboard="f.shot",
            clip="c",
            take=0,
            attempt=0,
            request_hash="h",
            idempotency_key="k" * 16,
            request_json=json.dumps({"prompt": "fine"}),
        )
        with pytest.raises(SecretInData):
            db.update(rec.id, video_url=f"https://cdn.example/v.mp4?key={KEY}")
    with pytest.raises(SecretInData):
        write_manifest(tmp_path / "manifest.json", storyboard={"t": KEY}, server="s", clips=[])
    assert not (tmp_path / "manifest.json").exists()
    assert KEY.encode() not in _everything_under(tmp_path)


def test_a_template_holding_the_key_is_never_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seedance_dsl.compiler.prompt import load_template

    ApiKey(KEY)
    cache = tmp_path / "cache"
    monkeypatch.setenv("SEEDANCE_CACHE_DIR", str(cache))
    leaky = tmp_path / "leaky.j2"
    leaky.write_text("{{ clip.name }} " + KEY + "\n", encoding="utf-8")
    fine = tmp_path / "fine.j2"
    fine.write_text("{{ clip.name }} fine\n", encoding="utf-8")
    load_template(leaky)
    load_template(fine)
    entries = list((cache / "templates").iterdir())
    assert len(entries) == 1  # the fine template is cached, the leaky one is not
    assert KEY.encode() not in _everything_under(cache)


def test_the_guard_finds_the_field_and_json_escaped_forms() -> None:
    ApiKey(KEY)
    assert secret_path({"prompt": "x", "media_urls": ["a", f"https://h/{KEY}"]}) == (
        "media_urls[1]"
    )
    assert secret_path({"prompt": "nothing here"}) is None
    ensure_no_secret("nothing here", where="w")
    with pytest.raises(SecretInData) as info:
        ensure_no_secret(json.dumps({"p": KEY}).encode(), where="the body of clip c")
    assert KEY not in info.value.format()
