"""The test session never uses the user's cache directory: tests/conftest.py moves it to
a fresh directory, and fails the session when a test goes back to the real one (which
it is then redirected away from, so nothing is written there)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from seedance_dsl._cache import CACHE_ENV, cache_dir

ROOT = Path(__file__).resolve().parent.parent


def test_this_session_uses_its_own_cache() -> None:
    real = os.environ["SEEDANCE_TEST_REAL_CACHE_DIR"]
    here = cache_dir()
    assert here is not None and os.path.basename(here).startswith("seedance-test-cache-")
    assert not real or os.path.realpath(here) != os.path.realpath(real)


INNER = """
import os
from seedance_dsl._cache import cache_dir

def test_ok():
    assert cache_dir() != os.environ["SEEDANCE_TEST_REAL_CACHE_DIR"]
    with open(os.path.join(cache_dir(), "fine.pickle"), "w") as f:
        f.write("x")

def test_writes_the_real_cache(monkeypatch):
    monkeypatch.delenv("SEEDANCE_CACHE_DIR")  # back to the user's own
    with open(os.path.join(cache_dir(), "stray.pickle"), "w") as f:
        f.write("x")
"""


def _inner_session(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_inner.py").write_text(body, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in (CACHE_ENV, "PYTEST_XDIST_WORKER")}
    env.pop("SEEDANCE_TEST_REAL_CACHE_DIR", None)
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")  # the inner session's "real" cache
    env["PYTHONPATH"] = str(ROOT / "tests")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "conftest",  # tests/conftest.py, on PYTHONPATH
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(ROOT),
            str(tmp_path / "test_inner.py"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def test_a_test_that_writes_the_real_cache_fails_the_session(tmp_path: Path) -> None:
    proc = _inner_session(tmp_path, INNER)
    assert proc.returncode != 0, proc.stdout
    assert "tests used the user's cache" in proc.stdout
    assert "test_writes_the_real_cache" in proc.stdout
    assert not (tmp_path / "xdg").exists()  # redirected: nothing reached the real one


def test_a_session_that_leaves_it_alone_passes(tmp_path: Path) -> None:
    proc = _inner_session(tmp_path, INNER.split("def test_writes")[0])
    assert proc.returncode == 0, proc.stdout + proc.stderr
