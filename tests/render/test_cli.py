"""`seedance plan / render / status` as a user runs them (subprocesses)."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from render_helpers import CHAIN, cli_env, independent, seedance_cmd

from seedance_dsl.render.identity import server_namespace
from seedance_dsl.render.lock import RenderLock
from seedance_dsl.render.state import StateDB


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*seedance_cmd(), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_render_json_lines_and_status(sandbox, shot) -> None:
    path = shot(CHAIN)
    env = cli_env(sandbox)
    p = run(["render", str(path), "--format", "json"], env, path.parent)
    assert p.returncode == 0, p.stderr
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    assert lines[0]["event"] == "start"
    assert lines[-1]["event"] == "summary" and lines[-1]["exit_code"] == 0
    assert lines[-1]["counts"] == {"done": 4}
    assert sandbox.api_key not in p.stdout + p.stderr
    videos = [Path(c["video"]) for c in lines[-1]["clips"]]
    assert all(v.is_file() for v in videos)
    assert videos[0].parent == path.parent / "renders" / "film"

    s = run(["status", str(path), "--format", "json"], env, path.parent)
    assert s.returncode == 0, s.stderr
    assert {c["state"] for c in json.loads(s.stdout)["clips"]} == {"done"}

    t = run(["plan", str(path)], env, path.parent)
    assert t.returncode == 0 and "reuse" in t.stdout and "estimate" in t.stdout


def test_compile_error_is_exit_1_and_valid_json(tmp_path, sandbox) -> None:
    path = tmp_path / "bad.shot"
    path.write_text('storyboard "Bad"\n\nclip a {\n  start nowhere.last_frame\n}\n')
    env = cli_env(sandbox)
    p = run(["render", str(path), "--format", "json"], env, tmp_path)
    assert p.returncode == 1  # a storyboard error, as in `seedance check`
    (line,) = p.stdout.splitlines()
    err = json.loads(line)
    assert err["event"] == "error" and err["exit_code"] == 1
    assert err["diagnostics"] and err["diagnostics"][0]["location"].startswith(str(path))
    missing = run(["plan", str(tmp_path / "nope.shot")], env, tmp_path)
    assert missing.returncode == 2 and "file not found" in missing.stderr  # as `check` says
    assert "Traceback" not in missing.stderr + p.stderr


def test_second_render_refused_while_locked(sandbox, shot) -> None:
    path = shot(independent(1))
    with RenderLock(path):
        p = run(["render", str(path)], cli_env(sandbox), path.parent)
    assert p.returncode == 2
    assert "another `seedance render`" in p.stderr
    assert sandbox.inspect()["tasks_created"] == 0


def test_missing_key_is_a_usage_error(tmp_path, sandbox) -> None:
    path = tmp_path / "one.shot"
    path.write_text(independent(1))
    env = cli_env(sandbox)
    env.pop("SEEDANCE_API_KEY")
    p = run(["render", str(path)], env, tmp_path)
    assert p.returncode == 2, p.stderr
    assert "SEEDANCE_API_KEY" in p.stderr and "Traceback" not in p.stderr


def test_ctrl_c_stops_cleanly_and_rerun_resumes(sandbox_factory, shot) -> None:
    # slow renders (2 s) so that Ctrl-C lands while tasks are in flight
    sb = sandbox_factory(time_scale=0.1)
    path = shot(independent(3))
    env = cli_env(sb)
    proc = subprocess.Popen(
        [*seedance_cmd(), "render", str(path)],
        env=env,
        cwd=path.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 20
    for line in proc.stdout:
        if "rendering as task" in line or time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 3, (out, err)
    assert "interrupted" in out and "Traceback" not in err
    db = StateDB.for_storyboard(path)
    states = {r.state for r in db.history(server_namespace(sb.base_url), path.name)}
    db.close()
    assert states <= {"intent", "submitted", "completed", "done"}
    again = run(["render", str(path)], env, path.parent)
    assert again.returncode == 0, again.stdout + again.stderr
    ins = sb.inspect()
    assert ins["tasks_created"] == 3
    assert set(ins["tasks_per_idempotency_key"].values()) == {1}


def test_unusable_directories_and_a_damaged_state_are_clear_errors(sandbox, shot) -> None:
    """No traceback for a bad --out, an unwritable storyboard directory or a damaged
    state database: a message, a help line, exit 2, and valid JSON with --format json."""
    import os
    import stat

    path = shot(independent(1))
    env = cli_env(sandbox)

    blocker = path.parent / "not-a-dir"
    blocker.write_text("a file where --out wants a directory\n")
    p = run(["render", str(path), "--out", str(blocker / "x")], env, path.parent)
    assert p.returncode == 2, p.stderr
    assert "cannot create the output directory" in p.stderr and "help:" in p.stderr
    assert "Traceback" not in p.stderr
    assert sandbox.inspect()["tasks_created"] == 0  # nothing was paid for

    state = path.parent / ".seedance"
    state.mkdir()
    (state / "state.db").write_text("this is not a database\n")
    for cmd in (["render"], ["plan"], ["status"]):
        p = run([*cmd, str(path)], env, path.parent)
        assert p.returncode == 2, (cmd, p.stderr)
        assert "cannot use the render state" in p.stderr, (cmd, p.stderr)
        assert "Traceback" not in p.stderr
    p = run(["plan", str(path), "--format", "json"], env, path.parent)
    assert json.loads(p.stdout)["kind"] == "state"

    if os.geteuid() != 0:  # root may write anywhere: the case cannot be made
        (state / "state.db").unlink()
        state.rmdir()
        mode = path.parent.stat().st_mode
        path.parent.chmod(stat.S_IRUSR | stat.S_IXUSR)
        try:
            p = run(["render", str(path), "--out", str(path.parent.parent / "o")], env, Path("/"))
        finally:
            path.parent.chmod(mode)
        assert p.returncode == 2 and "render state directory" in p.stderr, p.stderr
