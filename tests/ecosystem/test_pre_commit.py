"""``.pre-commit-hooks.yaml``: pre-commit installs this repository and runs its hooks.

The test is what a consumer does: a ``.pre-commit-config.yaml`` names this repository
(copied with its uncommitted edits into a temporary git repository, as ``pre-commit
try-repo`` would) at a revision; pre-commit clones it, builds the ``language: python``
environment with ``pip install`` once, and runs the hooks.  Building the environment
takes ~16 s with pip's cache warm (measured: ``time pre-commit try-repo . --files x.shot``
in a temporary git repository, twice: try-repo builds it anew on every call, which is why
the test uses a config and one ``PRE_COMMIT_HOME`` for its two runs).
"""

from __future__ import annotations

import os
import shutil
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


def _hook_source(tmp_path: Path) -> tuple[Path, str]:
    """This checkout as a hook repository: its tracked files as they are in the working
    tree (uncommitted edits included, as ``pre-commit try-repo`` does), in one commit."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True, timeout=60
    ).stdout.decode()
    src = tmp_path / "seedance-dsl"
    for name in filter(None, listed.split("\0")):
        origin = ROOT / name
        if origin.is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, src / name)
    _git(src, "init", "-q")
    _git(src, "add", "-A")
    _git(src, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "hooks")
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=src, check=True, capture_output=True, text=True
    ).stdout.strip()
    return src, rev


def test_pre_commit_runs_the_hooks_against_a_temporary_repo(tmp_path: Path) -> None:
    """A consumer's .pre-commit-config.yaml names this repository at a revision;
    pre-commit clones it, builds the hooks' virtualenv once, runs them on the files."""
    if not (ROOT / ".git").exists():  # pragma: no cover - the tests run from a clone
        pytest.fail("pre-commit needs this repository as a git checkout")
    src, rev = _hook_source(tmp_path)
    repo = tmp_path / "films"
    repo.mkdir()
    _git(repo, "init", "-q")
    config = {
        "repos": [
            {
                "repo": str(src),
                "rev": rev,
                "hooks": [{"id": "seedance-fmt"}, {"id": "seedance-check"}],
            }
        ]
    }
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
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

    def pre_commit_run(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--files", *files],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )

    first = pre_commit_run("bad.shot", "ugly.shot", "notes.txt")
    out = first.stdout + first.stderr
    assert first.returncode == 1, out
    assert "seedance check" in out and "seedance fmt" in out
    # fmt runs first (the config lists it first) and lays bad.shot out; check then reports
    assert "bad.shot:4:3: error[SHOT208]" in out
    assert "notes.txt" not in out
    assert (repo / "ugly.shot").read_text() == GOOD  # the fmt hook rewrote it

    (repo / "bad.shot").write_text(GOOD)
    _git(repo, "add", ".")
    second = pre_commit_run("bad.shot", "ugly.shot")  # the environment is reused
    assert second.returncode == 0, second.stdout + second.stderr
    assert second.stdout.count("Passed") == 2
