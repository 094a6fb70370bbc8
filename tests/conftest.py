"""Shared pytest configuration."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from seedance_dsl import _cache
from seedance_dsl._cache import CACHE_ENV, cache_root
from seedance_dsl.sandbox.pytest_plugin import sandbox, sandbox_factory  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
#: Copies of the spec files the tests read, so a clone without ../shared still tests;
#: tests/test_spec_copies.py proves they equal ../shared/spec whenever it is there.
SPEC = ROOT / "tests" / "fixtures" / "spec"


@pytest.fixture
def repo_root() -> Path:
    return ROOT


#: what a test may never leave in the checkout (renders and state belong in tmp_path)
_LITTER = ("renders", ".seedance")


@pytest.fixture(autouse=True, scope="session")
def _no_renders_in_the_checkout() -> object:
    before = {name for name in _LITTER if (ROOT / name).exists()}
    yield None
    left = sorted(name for name in _LITTER if (ROOT / name).exists() and name not in before)
    assert not left, f"a test wrote {left} into the checkout: give it an out_dir in tmp_path"


#: The user's real cache directory, found before the tests move it (kept in the
#: environment so that pytest-xdist's workers, which inherit the moved one, know it too).
_REAL_CACHE_ENV = "SEEDANCE_TEST_REAL_CACHE_DIR"
_TEST_CACHE: str | None = None
#: the tests that asked for the real cache dir anyway (they got the session's instead)
_ESCAPES: list[str] = []


def _same_dir(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def pytest_configure(config: pytest.Config) -> None:
    """Point the cache (grammar tables, compiled templates) at a fresh directory for the
    whole session, before collection imports anything: no test, and no `seedance`
    subprocess a test starts (they inherit the environment), uses the user's cache.  A
    test that goes back to the real one (e.g. deletes the variable) is redirected to the
    session's cache and fails the session (`_the_real_cache_is_left_alone`)."""
    global _TEST_CACHE
    if _REAL_CACHE_ENV not in os.environ:
        os.environ[_REAL_CACHE_ENV] = cache_root() or ""
    _TEST_CACHE = tempfile.mkdtemp(prefix="seedance-test-cache-")
    os.environ[CACHE_ENV] = _TEST_CACHE
    real, session = os.environ[_REAL_CACHE_ENV], _TEST_CACHE
    unguarded = _cache.cache_root

    def guarded_cache_root() -> str | None:
        root = unguarded()
        if root is not None and real and _same_dir(root, real):
            _ESCAPES.append(os.environ.get("PYTEST_CURRENT_TEST", "(outside a test)"))
            return session
        return root

    _cache.cache_root = guarded_cache_root  # type: ignore[assignment]


def pytest_unconfigure(config: pytest.Config) -> None:
    if _TEST_CACHE is not None:
        shutil.rmtree(_TEST_CACHE, ignore_errors=True)


@pytest.fixture(autouse=True, scope="session")
def _the_real_cache_is_left_alone() -> object:
    yield None
    escapes = sorted(set(_ESCAPES))
    assert not escapes, (
        f"tests used the user's cache {os.environ.get(_REAL_CACHE_ENV)} (redirected to "
        f"the session's): {escapes[:5]}; leave ${CACHE_ENV} set, or monkeypatch it to a "
        "directory in tmp_path"
    )
