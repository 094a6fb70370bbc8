"""Shared pytest configuration."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

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


def pytest_configure(config: pytest.Config) -> None:
    """Point the cache (grammar tables, compiled templates) at a fresh directory for the
    whole session, before collection imports anything: no test, and no `seedance`
    subprocess a test starts, reads or writes the user's cache."""
    global _TEST_CACHE
    if _REAL_CACHE_ENV not in os.environ:
        os.environ[_REAL_CACHE_ENV] = cache_root() or ""
    _TEST_CACHE = tempfile.mkdtemp(prefix="seedance-test-cache-")
    os.environ[CACHE_ENV] = _TEST_CACHE


def pytest_unconfigure(config: pytest.Config) -> None:
    if _TEST_CACHE is not None:
        shutil.rmtree(_TEST_CACHE, ignore_errors=True)


def cache_fingerprint(root: str) -> frozenset[tuple[str, int, int]]:
    """Every file under ``root`` (path, size, mtime); empty when there is none."""
    found: set[tuple[str, int, int]] = set()
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            found.add((path, st.st_size, st.st_mtime_ns))
    return frozenset(found)


@pytest.fixture(autouse=True, scope="session")
def _the_real_cache_is_left_alone() -> object:
    real = os.environ.get(_REAL_CACHE_ENV) or None
    existed = real is not None and os.path.isdir(real)
    before = cache_fingerprint(real) if real is not None else frozenset()
    yield None
    if real is None:
        return
    after = cache_fingerprint(real)
    changed = sorted(p for p, *_ in after - before)
    assert not changed and existed == os.path.isdir(real), (
        f"a test wrote into the user's cache {real}: {changed[:5]}; "
        f"use the session's cache (${CACHE_ENV}) or monkeypatch it to tmp_path"
    )
