"""``seedance config`` (effective settings and their sources, the key never shown),
``seedance --version`` and shell completion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from seedance_dsl.cli import main

KEY = "sk_live_s3cr3t_value_9f8e7d"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    assert isinstance(code, int)
    return code, out.out, out.err


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("SEEDANCE_"):
            monkeypatch.delenv(name)
    config = tmp_path / "config.toml"
    monkeypatch.setenv("SEEDANCE_CONFIG", str(config))
    return config


def test_a_key_from_the_environment_is_only_said_to_be_set(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SEEDANCE_API_KEY", KEY)
    code, out, err = run(["config"], capsys)
    assert code == 0, err
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert "set" in lines["api_key"] and "from environment $SEEDANCE_API_KEY" in lines["api_key"]
    assert "from default" in lines["base_url"] and "from default" in lines["profile"]
    assert "(not present)" in lines["config_file"]
    code, out_json, _ = run(["config", "--format", "json"], capsys)
    data = json.loads(out_json)
    assert data["settings"]["api_key"] == {
        "value": "set",
        "source": "environment $SEEDANCE_API_KEY",
    }
    assert KEY not in out + out_json + err
    assert KEY[:8] not in out + out_json  # not even the prefix


def test_values_from_a_profile_of_the_config_file(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.write_text(
        'default_profile = "work"\n\n[profiles.work]\n'
        f'api_key = "{KEY}"\nbase_url = "http://127.0.0.1:8765"\nconnect_timeout = 5\n'
    )
    clean_env.chmod(0o644)  # readable by others: a warning, still no key in it
    code, out, err = run(["config", "--format", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    s = data["settings"]
    assert s["profile"] == {"value": "work", "source": "config file default_profile"}
    assert s["api_key"]["source"] == "config file [profiles.work]"
    assert s["base_url"] == {
        "value": "http://127.0.0.1:8765",
        "source": "config file [profiles.work]",
    }
    assert s["connect_timeout"] == {"value": "5 s", "source": "config file [profiles.work]"}
    assert s["config_file"]["value"] == str(clean_env)
    assert any("chmod 600" in w for w in data["warnings"])
    assert KEY not in out + err


def test_a_profile_from_the_environment_and_a_broken_config(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.write_text('[profiles.ci]\nbase_url = "https://example.org"\n')
    monkeypatch.setenv("SEEDANCE_PROFILE", "ci")
    code, out, _ = run(["config"], capsys)
    assert code == 0
    assert "from environment $SEEDANCE_PROFILE" in out and "https://example.org" in out
    code, out, err = run(["config", "--profile", "nope"], capsys)
    assert code == 2 and "profile 'nope' is not defined" in err and "Traceback" not in err
    clean_env.write_text("this is = = not toml")
    code, out, err = run(["config", "--format", "json"], capsys)
    assert code == 2
    assert json.loads(out)["error"]["kind"] == "config"


def _seedance(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seedance_dsl", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


def test_version() -> None:
    proc = _seedance("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"seedance, version {version('seedance-dsl')}"


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("bash", "complete -o nosort -F"), ("zsh", "compdef"), ("fish", "complete --no-files")],
)
def test_the_documented_completion_scripts_generate(shell: str, marker: str) -> None:
    proc = _seedance(_SEEDANCE_COMPLETE=f"{shell}_source")
    assert proc.returncode == 0, proc.stderr
    assert marker in proc.stdout and "_SEEDANCE_COMPLETE" in proc.stdout
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"_SEEDANCE_COMPLETE={shell}_source seedance" in readme


def test_bash_completes_a_command_name() -> None:
    proc = _seedance(COMP_WORDS="seedance con", COMP_CWORD="1", _SEEDANCE_COMPLETE="bash_complete")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["plain,config"]
