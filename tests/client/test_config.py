"""Configuration: flag > environment > config file > default; profiles; permissions."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from seedance_dsl.api import CONTRACT
from seedance_dsl.client import (
    ApiKey,
    ConfigError,
    InsecureConfigWarning,
    SeedanceClient,
    Timeouts,
    default_config_path,
    resolve_config,
)

FILE = """
default_profile = "work"

[profiles.default]
api_key = "sk_file_default"

[profiles.work]
api_key = "sk_file_work"
base_url = "https://work.example.com/"
read_timeout = 90

[profiles.sandbox]
api_key = "sk_file_sandbox"
base_url = "http://127.0.0.1:8765"
connect_timeout = 2.5
"""


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(FILE)
    p.chmod(0o600)
    return p


@pytest.mark.parametrize("xdg", [None, "", "   ", "/tmp/xdg-config"])
def test_default_path_is_in_the_user_config_dir(
    xdg: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Linux the path is computed without importing platformdirs: the same path."""
    import platformdirs

    if xdg is None:
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CONFIG_HOME", xdg)
    assert default_config_path() == (
        platformdirs.user_config_path("seedance", appauthor=False) / "config.toml"
    )


def test_file_gives_key_url_and_timeouts_of_the_default_profile(cfg: Path) -> None:
    c = resolve_config(config_path=cfg, env={})
    assert c.profile == "work"
    assert c.api_key == ApiKey("sk_file_work") and c.api_key_source == "config file"
    assert c.base_url == "https://work.example.com" and c.base_url_source == "config file"
    assert c.timeouts.read == 90 and c.timeouts.connect == Timeouts().connect


def test_env_beats_file_and_flag_beats_env(cfg: Path) -> None:
    env = {"SEEDANCE_API_KEY": "sk_env", "SEEDANCE_BASE_URL": "https://env.example.com"}
    c = resolve_config(config_path=cfg, env=env)
    assert c.api_key == ApiKey("sk_env") and c.api_key_source == "environment"
    assert c.base_url == "https://env.example.com" and c.base_url_source == "environment"
    c = resolve_config("sk_flag", base_url="https://flag.example.com", config_path=cfg, env=env)
    assert c.api_key == ApiKey("sk_flag") and c.api_key_source == "argument"
    assert c.base_url == "https://flag.example.com" and c.base_url_source == "argument"


def test_default_base_url_from_the_contract(tmp_path: Path) -> None:
    c = resolve_config("k", config_path=tmp_path / "missing.toml", env={})
    assert c.base_url == CONTRACT.default_base_url and c.base_url_source == "default"
    assert c.profile == "default"


def test_profile_flag_beats_env_beats_file_default(cfg: Path) -> None:
    assert resolve_config(config_path=cfg, env={"SEEDANCE_PROFILE": "default"}).profile == (
        "default"
    )
    c = resolve_config(profile="sandbox", config_path=cfg, env={"SEEDANCE_PROFILE": "default"})
    assert c.profile == "sandbox" and c.base_url == "http://127.0.0.1:8765"
    assert c.timeouts.connect == 2.5


def test_unknown_profile_lists_the_defined_ones(cfg: Path) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_config(profile="nope", config_path=cfg, env={})
    assert "nope" in str(info.value)
    assert info.value.help and "default, sandbox, work" in info.value.help
    assert info.value.exit_code == 3


def test_config_path_from_env(cfg: Path) -> None:
    c = resolve_config(env={"SEEDANCE_CONFIG": str(cfg)})
    assert c.config_path == cfg and c.profile == "work"


def test_missing_key_is_a_config_error_when_needed(tmp_path: Path) -> None:
    c = resolve_config(config_path=tmp_path / "missing.toml", env={})
    assert c.api_key is None  # plan needs no key
    with pytest.raises(ConfigError) as info:
        c.require_key()
    assert "SEEDANCE_API_KEY" in (info.value.help or "")
    with pytest.raises(ConfigError):
        SeedanceClient()  # the autouse fixture points SEEDANCE_CONFIG at a missing file


def test_client_uses_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEEDANCE_API_KEY", "sk_env_client")
    monkeypatch.setenv("SEEDANCE_BASE_URL", "http://127.0.0.1:9/")
    with SeedanceClient() as c:
        assert c.base_url == "http://127.0.0.1:9"
        assert c.config.api_key == ApiKey("sk_env_client")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_readable_config_file_warns(cfg: Path) -> None:
    cfg.chmod(0o644)
    with pytest.warns(InsecureConfigWarning, match="chmod 600"):
        resolve_config(config_path=cfg, env={})
    cfg.chmod(0o600)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resolve_config(config_path=cfg, env={})


def test_invalid_toml_and_bad_settings(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text('[profiles.default]\napi_key = "sk_secret_in_broken_file\n')
    p.chmod(0o600)
    with pytest.raises(ConfigError) as info:
        resolve_config(config_path=p, env={})
    assert "not valid TOML" in str(info.value)
    assert "sk_secret_in_broken_file" not in str(info.value)
    p.write_text('[profiles.default]\napi_kee = "x"\n')
    with pytest.raises(ConfigError, match="unknown setting"):
        resolve_config(config_path=p, env={})


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://seedance2ai.io", "clear text"),
        ("ftp://x.example", "http(s)"),
        ("https://x.example/?a=1", "query"),
        ("not a url", "http(s)"),
    ],
)
def test_bad_base_urls(url: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        resolve_config("k", base_url=url, env={}, config_path="/nonexistent/c.toml")


def test_loopback_http_is_allowed_for_a_sandbox() -> None:
    for url in ("http://127.0.0.1:8765", "http://localhost:1", "http://[::1]:2"):
        assert resolve_config("k", base_url=url, env={}, config_path="/nonexistent").base_url


def test_key_type_never_shows_the_key() -> None:
    k = ApiKey("sk_live_hidden_value")
    for text in (str(k), repr(k), f"{k}", f"{k!r}", f"{k:>30}"):
        assert "sk_live_hidden_value" not in text
    assert k.reveal() == "sk_live_hidden_value"
    assert k == ApiKey("sk_live_hidden_value") and k != ApiKey("other")
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(k)
    with pytest.raises(ValueError):
        ApiKey("  ")
    with pytest.raises(ValueError) as info:
        ApiKey("sk with space")
    assert "sk with space" not in str(info.value)
