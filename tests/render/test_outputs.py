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


# ------------------------------------------------------------- 9.3 / 9.4: what is said first

SILENT_DIALOGUE = """storyboard "Quiet"

clip a {
  duration 5s
  audio off
  shot { action "a man talks" say "a man" "hello there" }
}
"""


def test_warnings_are_shown_before_anything_is_submitted(sandbox, shot) -> None:
    path = shot(SILENT_DIALOGUE)
    env = cli_env(sandbox)
    cwd = path.parent
    check = run(["check", str(path)], env, cwd)
    assert "warning[SHOT407]" in check.stdout  # what check says, plan and render say too

    p = run(["plan", str(path)], env, cwd)
    assert p.returncode == 0, p.stderr
    assert "warning[SHOT407]" in p.stderr and f"--> {path}:6:" in p.stderr, p.stderr
    j = json.loads(run(["plan", str(path), "--format", "json"], env, cwd).stdout)
    assert [d["code"] for d in j["diagnostics"]] == ["SHOT407"]
    assert j["diagnostics"][0]["span"]["line"] == 6

    p = run(["render", str(path)], env, cwd)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "warning[SHOT407]" in p.stderr and "help: turn `audio on`" in p.stderr, p.stderr
    p = run(["render", str(path), "--take", "1", "--format", "json"], env, cwd)
    assert p.returncode == 0, p.stdout + p.stderr
    events = [json.loads(line) for line in p.stdout.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds.index("warnings") < kinds.index("submitting")
    warn = events[kinds.index("warnings")]
    assert [d["code"] for d in warn["diagnostics"]] == ["SHOT407"]
    assert [d["code"] for d in events[-1]["diagnostics"]] == ["SHOT407"]


def test_a_storyboard_without_clips_gets_a_whole_summary(sandbox, shot) -> None:
    path = shot('storyboard "Empty"\n')
    env = cli_env(sandbox)
    for cmd in (["render"], ["render", "--sandbox"], ["plan"]):
        p = run([*cmd, str(path)], env, path.parent)
        text = p.stdout + p.stderr
        assert "Traceback" not in text
        assert "no clips" in text, text
        lines = [line.strip() for line in p.stdout.splitlines()]
        assert not any(line.startswith((";", ",")) for line in lines), p.stdout
        assert not any(line.startswith("clip ") for line in lines), p.stdout
        assert "videos in" not in p.stdout


# ---------------------------------------------------------------- 9.9: interrupt and resume


def test_ctrl_c_says_once_why_and_the_resume_tells_runs_apart(sandbox_factory, shot) -> None:
    import signal
    import time

    sb = sandbox_factory(time_scale=0.1)  # 2 s renders: Ctrl-C lands while c00 renders
    path = shot(independent(3))
    env = cli_env(sb)
    proc = subprocess.Popen(
        [*seedance_cmd(), "render", str(path), "--concurrency", "1"],
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
    summary = out[out.index("clip  ") :]
    # the long sentence once, not in every row
    assert summary.count("every step so far is saved") == 1, summary
    rows = {line.split()[0]: line for line in summary.splitlines()[1:4]}
    assert set(rows) == {"c00", "c01", "c02"}, summary
    assert "in flight" in rows["c00"] and "not paid again" in rows["c00"], rows
    assert "not started" in rows["c01"] and "not started" in rows["c02"], rows
    assert "videos in" not in summary  # none were made

    again = run(["render", str(path), "--format", "json"], env, path.parent)
    assert again.returncode == 0, again.stdout + again.stderr
    s = _summary(again.stdout)
    by = {c["clip"]: c for c in s["clips"]}  # type: ignore[union-attr]
    earlier = by["c00"]["credits_used"]
    assert earlier > 0 and by["c00"]["charged_by_earlier_run"] is True
    assert s["credits_charged_earlier_runs"] == earlier
    assert s["credits_charged_this_run"] == by["c01"]["credits_used"] + by["c02"]["credits_used"]
    assert sb.inspect()["tasks_created"] == 3


def test_resume_summary_text_separates_this_run_from_earlier_runs() -> None:
    from seedance_dsl.render.events import ClipResult, RenderSummary
    from seedance_dsl.render.progress import summary_text

    summary = RenderSummary(
        storyboard="mv.shot",
        server="sandbox",
        out_dir="renders/mv",
        manifest="renders/mv/manifest.json",
        clips=[
            ClipResult("a", "done", credits_used=144, charged_earlier=True, video_path="a.mp4"),
            ClipResult("b", "done", credits_used=30, video_path="b.mp4"),
        ],
        wall_s=1.0,
    )
    text = summary_text(summary)
    assert "30 credits charged by this run (and 144 by earlier runs" in text, text
    assert "174" not in text


def test_live_summary_names_no_video_directory_when_none_was_made() -> None:
    import io

    from rich.console import Console

    from seedance_dsl.render.events import ClipResult, RenderSummary
    from seedance_dsl.render.progress import LiveProgress

    view = LiveProgress()
    out = io.StringIO()
    view.console = Console(file=out, width=160, color_system=None, force_terminal=False)
    view.finish(
        RenderSummary(
            storyboard="mv.shot",
            server="sandbox",
            out_dir="renders/mv",
            manifest="renders/mv/manifest.json",
            clips=[ClipResult("a", "interrupted", reason="not started")],
            wall_s=1.0,
            interrupted=True,
            message="interrupted (Ctrl-C)",
        )
    )
    text = out.getvalue()
    assert "videos in" not in text and "no videos made" in text, text


def test_max_credits_counts_what_is_committed(sandbox, shot, render_on) -> None:
    """The refusal counts the credits of submits in flight, not only answered ones."""
    path = shot(independent(2).replace("4s", "5s"))
    summary, _ = render_on(sandbox, path, max_credits=50)
    by = {c.clip: c for c in summary.clips}
    assert by["c00"].status == "done" and by["c01"].status == "over_budget"
    assert "(30 committed so far" in by["c01"].reason, by["c01"].reason


# ------------------------------------------------------------- 9.8: a task that never ends


def test_a_task_that_never_finishes_is_reported_stuck_never_resubmitted(
    sandbox_factory, shot, render_on
) -> None:
    from seedance_dsl.render.events import EXIT_FAILED, EXIT_OK
    from seedance_dsl.render.identity import server_namespace
    from seedance_dsl.render.state import StateDB

    # a render that takes 3 s on this sandbox; the ceiling of the first run is 0.6 s
    sb = sandbox_factory(render_time_s=300.0, render_jitter=0.0)
    path = shot(independent(1))
    summary, events = render_on(sb, path, task_timeout_s=0.6)
    assert summary.exit_code == EXIT_FAILED, summary.to_json()
    (clip,) = summary.clips
    assert clip.status == "stuck" and clip.task_id and clip.task_id in clip.reason, clip
    assert "SEEDANCE_TASK_TIMEOUT" in clip.reason and "next run" in clip.reason
    assert summary.wall_s < 3.0  # it did not wait for the task
    assert any(e.kind == "stuck" for e in events)
    db = StateDB.for_storyboard(path)
    (rec,) = db.history(server_namespace(sb.base_url), path.name)
    db.close()
    assert rec.state == "submitted" and rec.task_id == clip.task_id  # kept, to be resumed
    # the next run picks the same task up again (it is paid): no second submit
    summary, events = render_on(sb, path)
    assert summary.exit_code == EXIT_OK, summary.to_json()
    assert summary.clips[0].task_id == clip.task_id
    assert summary.credits_charged_this_run == 0 and summary.credits_charged_earlier > 0
    assert sb.inspect()["tasks_created"] == 1


def test_task_timeout_setting_is_checked(sandbox, shot, render_on, monkeypatch) -> None:
    import pytest

    from seedance_dsl.errors import UsageError

    monkeypatch.setenv("SEEDANCE_TASK_TIMEOUT", "soon")
    with pytest.raises(UsageError, match="SEEDANCE_TASK_TIMEOUT"):  # exit 2, nothing sent
        render_on(sandbox, shot(independent(1)))
    assert sandbox.inspect()["tasks_created"] == 0


# --------------------------------------------------------------------- 9.11: every take


def test_status_shows_every_take(sandbox, shot, render_on) -> None:
    from seedance_dsl.render.commands import status_file

    path = shot(independent(2))
    assert render_on(sandbox, path)[0].exit_code == 0
    assert render_on(sandbox, path, clips=["c00"], take=2)[0].exit_code == 0
    report = status_file(path, base_url=sandbox.base_url)
    rows = [(r.clip, r.take, r.state) for r in report.rows]
    assert rows == [("c00", 0, "done"), ("c00", 2, "done"), ("c01", 0, "done")], rows
    take2 = report.rows[1]
    assert take2.video and take2.video.endswith("c00.take2.mp4")
    assert report.to_json()["clips"][1]["take"] == 2
    p = run(["status", str(path)], cli_env(sandbox), path.parent)
    assert p.returncode == 0, p.stderr
    lines = [line.split() for line in p.stdout.splitlines() if line.startswith("  c0")]
    assert [(cols[0], cols[1]) for cols in lines] == [("c00", "0"), ("c00", "2"), ("c01", "0")]


# ---------------------------------------------------------------- exit codes in --help


def test_each_commands_help_lists_its_own_exit_codes(tmp_path) -> None:
    from seedance_dsl.cli.exit_codes import EXIT_CODES

    env = cli_env_plain()
    for cmd in ("plan", "render", "status"):
        p = run([cmd, "--help"], env, tmp_path)
        assert p.returncode == 0, p.stderr
        text = " ".join(p.stdout.split())
        for code, what in EXIT_CODES[cmd].items():
            assert f"{code} {what}" in text, (cmd, code, text)
        # render's own codes (resume, budget) are not printed by plan or status
        assert ("to resume" in text) == (cmd == "render"), (cmd, text)
        assert ("--max-credits" in text) == (cmd == "render"), (cmd, text)


def cli_env_plain() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["COLUMNS"] = "200"
    return env


def test_sandbox_rerenders_a_chained_clip_whose_files_are_gone(shot, tmp_path) -> None:
    """The child's files are gone and its input is a clip of an earlier (dead) sandbox:
    both render again (free), the child from the parent's new, live output."""
    from render_helpers import chain

    from seedance_dsl.sandbox.settings import SandboxSettings
    from seedance_dsl.workflow import plan_file, render_file

    path = shot(chain(2))
    out = tmp_path / "renders" / "film" / "sandbox"
    fast = SandboxSettings.for_tests()
    first = render_file(path, sandbox=True, sandbox_settings=fast, out_dir=out)
    assert first.exit_code == 0, first.to_json()
    for f in out.glob("c01*"):
        f.unlink()
    plan = plan_file(path, sandbox=True)
    assert [(e.clip, e.action) for e in plan.entries] == [("c00", "submit"), ("c01", "submit")]
    again = render_file(path, sandbox=True, sandbox_settings=fast, out_dir=out)
    assert again.exit_code == 0, again.to_json()
    assert {c.clip: c.status for c in again.clips} == {"c00": "done", "c01": "done"}
    assert (out / "c01.mp4").is_file()
