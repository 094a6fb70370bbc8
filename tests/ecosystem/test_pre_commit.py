"""``.pre-commit-hooks.yaml``: pre-commit installs this repository and runs its hooks.

``pre-commit try-repo`` is what a consumer's ``.pre-commit-config.yaml`` does (clone the
repository at a revision, build a ``language: python`` environment with ``pip install``,
run the hooks on the staged files), pointed at this checkout; uncommitted changes of
tracked files are included.  Building the environment takes ~15 s with pip's cache warm
(measured: ``time pre-commit try-repo . --files x.shot`` in a temporary git repository).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BAD = 'storyboard "t"\nclip a { duraton 5s }\n'
UGLY = 'storyboard   "t"\nclip a { shot { action "a gull glides" } }\n'
GOOD = 'storyboard "t"\n\nclip a {\n  shot { action "a gull glides" }\n}\n'

pytestmark = pytest.mark.slow


def test_the_manifest_names_both_hooks() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"seedance-check", "seedance-fmt"}
    for h in hooks:
        assert h["language"] == "python" and h["files"] == r"\.shot$"
        assert h["entry"].startswith("seedance ")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, timeout=60)


def test_pre_commit_runs_the_hooks_against_a_temporary_repo(tmp_path: Path) -> None:
    if not (ROOT / ".git").exists():  # pragma: no cover - the tests run from a clone
        pytest.fail("pre-commit needs this repository as a git checkout")
    repo = tmp_path / "films"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "bad.shot").write_text(BAD)
    (repo / "ugly.shot").write_text(UGLY)
    (repo / "notes.txt").write_text(BAD)  # not a .shot file: no hook looks at it
    _git(repo, "add", ".")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "NO_COLOR": "1",
        "PRE_COMMIT_COLOR": "never",
    }
    pre_commit = [sys.executable, "-m", "pre_commit"]

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*pre_commit, "try-repo", str(ROOT), "--files", *files],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )

    first = try_repo("bad.shot", "ugly.shot", "notes.txt")
    out = first.stdout + first.stderr
    assert first.returncode == 1, out
    assert "seedance check" in out and "seedance fmt" in out
    assert "bad.shot:2:10: error[SHOT208]" in out
    assert "notes.txt" not in out.split("seedance check", 1)[1]
    assert (repo / "ugly.shot").read_text() == GOOD  # the fmt hook rewrote it

    (repo / "bad.shot").write_text(GOOD)
    _git(repo, "add", ".")
    second = try_repo("bad.shot", "ugly.shot")
    assert second.returncode == 0, second.stdout + second.stderr
