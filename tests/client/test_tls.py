"""client/tls.py: the verified TLS context, built in a thread ahead of need."""

from __future__ import annotations

import importlib
import ssl
import threading
from collections.abc import Iterator
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
