"""The compiled-template cache holds code (marshalled by jinja2): an entry that another
user could have written, or that does not belong to this user, is never loaded; a cache
directory others can write to is not used.  (The grammar pickle has the same tests in
tests/syntax/test_cache_trust.py.)"""

from __future__ import annotations

import marshal
import os
import pickle
from pathlib import Path

import pytest
from jinja2.bccache import bc_magic

from seedance_dsl.compiler import compile_text

FLAG = "SEEDANCE_TEST_TEMPLATE_CODE_RAN"
SHOT = 'storyboard "T"\ntemplate "house.j2"\nclip a { shot { action "a cat jumps" } }\n'


@pytest.fixture(autouse=True)
def _no_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FLAG, raising=False)


def _compile(tmp_path: Path) -> str:
    compiled = compile_text(SHOT, str(tmp_path / "film.shot"))
    assert compiled.ok, compiled.diagnostics
    return compiled.clips[0].prompt


def _tamper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Compile once (which writes the cache entry), then replace the entry with code that
    sets FLAG and then does what the template did: a valid entry, but not the user's."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("SEEDANCE_CACHE_DIR", str(cache))
    (tmp_path / "house.j2").write_text("HOUSE {{ shots[0].action }}\n")
    assert _compile(tmp_path) == "HOUSE a cat jumps"
    (entry,) = (cache / "templates").iterdir()
    with entry.open("rb") as f:
        assert f.read(len(bc_magic)) == bc_magic
        checksum = pickle.load(f)
        original = marshal.load(f)
    hostile = compile(
        f"import os, marshal\nos.environ[{FLAG!r}] = '1'\n"
        f"exec(marshal.loads({marshal.dumps(original)!r}))\n",
        "<planted>",
        "exec",
    )
    with entry.open("wb") as f:
        f.write(bc_magic)
        pickle.dump(checksum, f, 2)
        marshal.dump(hostile, f)
    return entry


def test_the_check_matters_a_private_entry_is_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the planted entry, private and the user's: it is loaded and its code runs — which
    # is why an entry someone else could have written must never be loaded
    entry = _tamper(tmp_path, monkeypatch)
    entry.chmod(0o600)
    assert _compile(tmp_path) == "HOUSE a cat jumps"
    assert os.environ.get(FLAG) == "1"


def test_an_entry_others_can_write_is_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = _tamper(tmp_path, monkeypatch)
    entry.chmod(0o666)
    assert _compile(tmp_path) == "HOUSE a cat jumps"  # compiled afresh instead
    assert FLAG not in os.environ


def test_an_entry_that_is_not_the_users_is_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = _tamper(tmp_path, monkeypatch)
    entry.chmod(0o600)
    # the entry belongs to someone else: as root, give it away; otherwise the entry's
    # (only the entry's) fstat says so — the directory stays the user's
    if os.getuid() == 0:
        os.chown(entry, 4242, 4242)
    else:
        inode = entry.stat().st_ino
        real_fstat = os.fstat

        def fstat(fd: int) -> os.stat_result:
            st = real_fstat(fd)
            if st.st_ino != inode:
                return st
            fields = list(st)
            fields[4] = st.st_uid + 1  # st_uid
            return os.stat_result(fields)

        monkeypatch.setattr(os, "fstat", fstat)
    assert _compile(tmp_path) == "HOUSE a cat jumps"
    assert FLAG not in os.environ


def test_a_templates_dir_others_can_write_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = _tamper(tmp_path, monkeypatch)
    entry.chmod(0o600)
    entry.parent.chmod(0o777)
    assert _compile(tmp_path) == "HOUSE a cat jumps"
    assert FLAG not in os.environ
