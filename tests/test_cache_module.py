"""The cache helpers live in seedance_dsl._cache; the old import paths still work."""

from __future__ import annotations

from pathlib import Path

import pytest

from seedance_dsl import _cache, _files
from seedance_dsl.syntax import grammar


def test_the_old_names_are_the_new_ones() -> None:
    assert grammar.cache_dir is _cache.cache_dir
    assert grammar.safe_to_load is _cache.safe_to_load
    assert _files.safe_to_load is _cache.safe_to_load


def test_cache_subdir_is_private_and_off_means_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDANCE_CACHE_DIR", str(tmp_path / "c"))
    sub = _cache.cache_subdir("templates")
    assert sub == str(tmp_path / "c" / "templates")
    assert Path(sub).stat().st_mode & 0o777 == 0o700
    monkeypatch.setenv("SEEDANCE_CACHE_DIR", "off")
    assert _cache.cache_root() is None and _cache.cache_subdir("templates") is None


def test_the_default_root_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEEDANCE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _cache.cache_root() == str(tmp_path / "seedance-dsl")
