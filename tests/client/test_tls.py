"""client/tls.py: the verified TLS context, built in a thread ahead of need."""

from __future__ import annotations

import importlib
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from seedance_dsl.client import tls as tls_module


@pytest.fixture
def tls() -> Iterator[ModuleType]:
    """A fresh copy of the module's state (one context per process otherwise)."""
    yield importlib.reload(tls_module)
    importlib.reload(tls_module)


def test_the_context_verifies_certificates_and_is_built_once(tls: ModuleType) -> None:
    tls.prepare()
    ctx = tls.context()
    assert isinstance(ctx, ssl.SSLContext)
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert ctx.cert_store_stats()["x509_ca"] > 0  # the CA bundle was read
    assert tls.context() is ctx


def test_prepare_builds_it_in_another_thread(
    tls: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    where: list[str] = []
    real = tls._build

    def build() -> ssl.SSLContext:
        where.append(threading.current_thread().name)
        return real()

    monkeypatch.setattr(tls, "_build", build)
    tls.prepare()
    tls.prepare()  # once per process
    tls.context()
    assert where == ["seedance-tls"]


def test_a_failed_or_slow_thread_costs_no_more_than_a_build_here(
    tls: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    calls: list[str] = []
    real = tls._build

    def build() -> ssl.SSLContext:
        calls.append(threading.current_thread().name)
        if threading.current_thread().name == "seedance-tls":
            release.wait(10)  # a thread stuck on a slow disk
            raise OSError("no CA bundle")
        return real()

    monkeypatch.setattr(tls, "_build", build)
    monkeypatch.setattr(tls, "WAIT_S", 0.05)
    tls.prepare()
    ctx = tls.context()  # does not wait for the stuck thread
    assert isinstance(ctx, ssl.SSLContext)
    assert calls == ["seedance-tls", threading.current_thread().name]
    release.set()


def test_the_clients_use_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from seedance_dsl.client import SeedanceClient

    made = ssl.create_default_context()
    monkeypatch.setattr(tls_module, "context", lambda: made)
    with SeedanceClient("sk_test_x", base_url="http://127.0.0.1:9") as c:
        transport = c._http._transport  # type: ignore[attr-defined]
        assert transport._pool._ssl_context is made


def test_an_unreadable_ca_bundle_is_a_config_error_not_a_traceback(
    tls: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from seedance_dsl.client.errors import ConfigError

    missing = tmp_path / "no-such-ca.pem"
    monkeypatch.setenv("SSL_CERT_FILE", str(missing))
    with pytest.raises(ConfigError) as info:
        tls.context()
    assert f"SSL_CERT_FILE={missing}" in info.value.message
    assert info.value.help and "SSL_CERT_FILE" in info.value.help


def test_render_with_an_unreadable_ca_bundle_says_so_in_json(tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    film = tmp_path / "film.shot"
    film.write_text('storyboard "T"\n\nclip a {\n  shot { action "a kite rises" }\n}\n')
    env = dict(
        os.environ,
        SSL_CERT_FILE=str(tmp_path / "no-such-ca.pem"),
        SEEDANCE_BASE_URL="http://127.0.0.1:9",
        SEEDANCE_API_KEY="sk_test_tlsbundle",
        SEEDANCE_CACHE_DIR=str(tmp_path / "cache"),
    )
    p = subprocess.run(
        [sys.executable, "-m", "seedance_dsl.cli", "render", str(film), "--format", "json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 2, p.stderr
    (line,) = p.stdout.splitlines()
    err = json.loads(line)
    assert err["kind"] == "config" and "TLS certificates" in err["message"]
    assert "Traceback" not in p.stderr and "sk_test_tlsbundle" not in p.stdout + p.stderr
