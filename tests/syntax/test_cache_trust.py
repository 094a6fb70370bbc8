"""The grammar cache holds pickles (code): one that another user could have written is
never loaded, and a cache directory others can write to is not used at all."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from seedance_dsl.syntax import grammar, lalr

FLAG = "SEEDANCE_TEST_PICKLE_RAN"


class _Hostile:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, (f"import os; os.environ[{FLAG!r}] = '1'",))


#: a grammar the shipped tables (syntax/_tables.py) were not built from: only such a
#: grammar's tables are read from the cache
TEXT = grammar.grammar_text() + "\n// not the shipped grammar\n"


def _plant(cache: Path, mode: int) -> None:
    text = TEXT
    path = cache / f"shot-tables-{lalr.grammar_hash(text)[:16]}.pickle"
    path.write_bytes(pickle.dumps(_Hostile()))
    path.chmod(mode)


@pytest.fixture(autouse=True)
def _no_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FLAG, raising=False)


def test_a_cache_file_others_can_write_is_not_loaded(tmp_path: Path) -> None:
    tmp_path.chmod(0o700)
    _plant(tmp_path, 0o666)
    tables = lalr.load_tables(TEXT, tmp_path)
    assert FLAG not in os.environ
    assert isinstance(tables, lalr.Tables)  # rebuilt instead


def test_the_check_matters_a_private_file_is_loaded(tmp_path: Path) -> None:
    # the same planted file, private: it is loaded (and rejected only after running) —
    # which is why files others could write must never reach pickle.load
    tmp_path.chmod(0o700)
    _plant(tmp_path, 0o600)
    tables = lalr.load_tables(TEXT, tmp_path)
    assert os.environ.get(FLAG) == "1"
    assert isinstance(tables, lalr.Tables)


def test_a_cache_dir_others_can_write_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("SEEDANCE_CACHE_DIR", str(shared))
    assert grammar.cache_dir() is None
    private = tmp_path / "mine"
    monkeypatch.setenv("SEEDANCE_CACHE_DIR", str(private))
    assert grammar.cache_dir() == str(private)
    assert private.stat().st_mode & 0o777 == 0o700
