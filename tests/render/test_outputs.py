"""Where renders go, what `plan`, `render` and `status` say about them (subprocesses and
in-process renders against the real sandbox on loopback)."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from render_helpers import cli_env, independent, seedance_cmd


def run(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*seedance_cmd(), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def _digests(directory: Path) -> dict[str, str]:
    """The videos and last frames of a directory (not manifest.json: a run rewrites it)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.iterdir())
        if p.is_file() and p.name != "manifest.json"
    }


def _summary(stdout: str) -> dict[str, object]:
    lines = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    assert lines[-1]["event"] == "summary", lines[-1]
    return lines[-1]


# ------------------------------------------------------------------ 9.1: outputs per server


def test_sandbox_preview_never_overwrites_paid_videos(sandbox, shot) -> None:
    """A paid render (a loopback sandbox standing in for the real service, via
    SEEDANCE_BASE_URL) and `render --sandbox` keep their files apart, in both orders."""
    path = shot(independent(2))
    env = cli_env(sandbox)
    cwd = path.parent
    paid_dir = cwd / "renders" / "film"
    box_dir = paid_dir / "sandbox"

    # 1. the sandbox first, then the paid render
    p = run(["render", str(path), "--sandbox", "--format", "json"], env, cwd)
    assert p.returncode == 0, p.stdout + p.stderr
    s = _summary(p.stdout)
    assert Path(str(s["out_dir"])) == box_dir.absolute()
    assert {Path(str(c["video"])).parent for c in s["clips"]} == {box_dir.absolute()}  # type: ignore[union-attr]
    preview = _digests(box_dir)

    p = run(["render", str(path), "--format", "json"], env, cwd)
    assert p.returncode == 0, p.stdout + p.stderr
    s = _summary(p.stdout)
    assert Path(str(s["out_dir"])) == paid_dir.absolute()
    assert s["counts"] == {"done": 2}  # rendered (paid), not "reused" from the sandbox
    paid = _digests(paid_dir)
    assert {"c00.mp4", "c01.mp4"} <= set(paid)
    assert json.loads((paid_dir / "manifest.json").read_text())["server"] != "sandbox"
    assert _digests(box_dir) == preview  # the preview is untouched too

    # 2. the sandbox again: it reuses its own files and leaves the paid ones alone
    p = run(["render", str(path), "--sandbox", "--format", "json"], env, cwd)
    assert p.returncode == 0, p.stdout + p.stderr
    assert _summary(p.stdout)["counts"] == {"reused": 2}
    assert _digests(paid_dir) == paid

    # 3. the sandbox's outputs are gone: plan and status say so, a re-run renders them
    #    again (free) instead of failing on a download from a sandbox that no longer exists
    for f in box_dir.iterdir():
        f.unlink()
    t = run(["plan", str(path), "--sandbox", "--format", "json"], env, cwd)
    assert t.returncode == 0, t.stderr
    plan = json.loads(t.stdout)
    assert [c["action"] for c in plan["clips"]] == ["submit", "submit"]
    assert Path(plan["out_dir"]) == Path("renders") / "film" / "sandbox"
    st = run(["status", str(path), "--sandbox"], env, cwd)
    assert "gone" in st.stdout, st.stdout
    p = run(["render", str(path), "--sandbox", "--format", "json"], env, cwd)
    assert p.returncode == 0, p.stdout + p.stderr
    assert _summary(p.stdout)["counts"] == {"done": 2}
    assert {"c00.mp4", "c01.mp4"} <= set(_digests(box_dir))
    assert _digests(paid_dir) == paid

    # 4. the paid render is reused; `plan` says where each server's outputs go
    p = run(["render", str(path), "--format", "json"], env, cwd)
    assert p.returncode == 0 and _summary(p.stdout)["counts"] == {"reused": 2}
    assert _digests(paid_dir) == paid
    t = run(["plan", str(path)], env, cwd)
    assert "renders/film/" in t.stdout and "sandbox" not in t.stdout.split("outputs")[1]
    t = run(["plan", str(path), "--sandbox"], env, cwd)
    assert "renders/film/sandbox/" in t.stdout
    assert sandbox.inspect()["tasks_created"] == 2  # the paid clips were paid once


def test_no_command_overwrites_another_servers_paid_files(sandbox_factory, shot) -> None:
    """`--out` cannot point a render at a directory holding another server's paid
    videos (whatever the order); a sandbox whose old files were replaced re-renders."""
    first = sandbox_factory()
    second = sandbox_factory()
    path = shot(independent(1))
    cwd = path.parent
    out = cwd / "renders" / "film"

    # the sandbox writes into the default directory of paid renders (as before the split)
    p = run(["render", str(path), "--sandbox", "--out", str(out)], cli_env(first), cwd)
    assert p.returncode == 0, p.stdout + p.stderr
    # a paid render may replace free animatics
    p = run(["render", str(path)], cli_env(first), cwd)
    assert p.returncode == 0, p.stdout + p.stderr
    paid = _digests(out)
    # but neither the sandbox nor another server may replace paid videos
    for env, extra in ((cli_env(first), ["--sandbox"]), (cli_env(second), [])):
        p = run(["render", str(path), *extra, "--out", str(out)], env, cwd)
        assert p.returncode == 2, p.stdout + p.stderr
        assert "would overwrite" in p.stderr and "--out" in p.stderr, p.stderr
        assert "Traceback" not in p.stderr
        assert _digests(out) == paid
    assert second.inspect()["tasks_created"] == 0
    # the sandbox's own records point at files a paid render replaced: it renders again
    # (free) into its own directory
    p = run(["render", str(path), "--sandbox", "--format", "json"], cli_env(first), cwd)
    assert p.returncode == 0, p.stdout + p.stderr
    assert _summary(p.stdout)["counts"] == {"done": 1}
    assert _digests(out) == paid
    assert (out / "sandbox" / "c00.mp4").is_file()
