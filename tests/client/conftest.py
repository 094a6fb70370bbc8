"""Fixtures of the client tests: a real loopback API server, and a way to run the same
test through the synchronous and the asynchronous client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from client_helpers import Runner
from client_testserver import ApiServer


@pytest.fixture
def api() -> Iterator[ApiServer]:
    srv = ApiServer().start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(autouse=True)
def _isolated_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No test reads the developer's real config file or environment."""
    for var in ("SEEDANCE_API_KEY", "SEEDANCE_BASE_URL", "SEEDANCE_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SEEDANCE_CONFIG", str(tmp_path / "no-config.toml"))


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def run(mode: str, api: ApiServer) -> Runner:
    return Runner(mode, api.base_url)
