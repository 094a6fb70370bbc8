"""`seedance -q ...` / `seedance -v ...`: one verbosity level for every command.

Quiet: only errors (and the output asked for: JSON, `compile`'s, `fmt --diff`'s, `plan`'s
table).  Verbose: more where there is more to say (`check`: a line per file; `fmt`: the
files left as they were; `render`: every request, retry and poll).  Exit codes never
change.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from seedance_dsl.api.spec import CONTRACT
from seedance_dsl.cli import cli

GOOD = 'storyboard "x"\n\nclip a {\n  shot { action "go" }\n}\n'
#: clean but for one warning (SHOT206, an unused asset)
WARN = 'storyboard "x"\n\nasset hero image "https://cdn.example.com/hero.png"\n\nclip a {\n  shot { action "go" }\n}\n'
BAD = 'storyboard "x"\n\nasset hero image "https://cdn.example.com/hero.png"\n\nclip a {\n  shot { camra "x" }\n}\n'
UGLY = 'storyboard "x" clip a { shot { action "go" } }'
TWO = """storyboard "Two"

clip one {
  duration 4s
  shot { action "a harbour at dawn" }
}

clip two {
  duration 4s
  shot { action "gulls over the water" }
}
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


# ------------------------------------------------------------------ the options


def test_quiet_and_verbose_together_is_a_usage_error(tmp_path: Path) -> None:
    good = write(tmp_path, "good.shot", GOOD)
    code, _, err = run("-q", "-v", "check", good)
    assert code == 2
    assert "--quiet" in err and "--verbose" in err and "Traceback" not in err


def test_the_options_may_follow_the_command(tmp_path: Path) -> None:
    warn = write(tmp_path, "warn.shot", WARN)
    assert run("check", "-q", warn) == run("-q", "check", warn) == (0, "", "")
    assert run("check", warn, "--quiet") == (0, "", "")
    code, out, _ = run("check", "-v", warn)
    assert code == 0 and f"{warn}: 1 warning, 1 clip" in out
    code, _, err = run("-v", "check", "-q", warn)  # one level, said once
    assert code == 2 and "cannot be used together" in err
    code, _, err = run("check", "-q", "-v", warn)
    assert code == 2 and "cannot be used together" in err
    assert "-q, --quiet" in run("check", "--help")[1]


def test_top_level_help_lists_the_options() -> None:
    code, out, _ = run("--help")
    assert code == 0
    assert "-q, --quiet" in out and "-v, --verbose" in out


# ------------------------------------------------------------------ check


def test_quiet_check_prints_nothing_when_clean_or_only_warned(tmp_path: Path) -> None:
    good, warn = write(tmp_path, "good.shot", GOOD), write(tmp_path, "warn.shot", WARN)
    assert run("-q", "check", good) == (0, "", "")
    assert run("--quiet", "check", warn) == (0, "", "")
    assert run("-q", "check", warn, "--format", "concise") == (0, "", "")
    # without -q the warning and the summary are there
    code, out, _ = run("check", warn)
    assert code == 0 and "SHOT206" in out and "1 warning in 1 file" in out


def test_quiet_check_prints_only_the_errors(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.shot", BAD)
    code, out, _ = run("-q", "check", bad)
    assert code == 1
    assert "error[" in out and "camra" in out
    assert "warning" not in out and "in 1 file" not in out
    code, out, _ = run("-q", "check", bad, "--format", "concise")
    assert code == 1 and out.strip() and all("error[" in line for line in out.splitlines())


def test_json_and_sarif_do_not_depend_on_verbosity(tmp_path: Path) -> None:
    warn, bad = write(tmp_path, "warn.shot", WARN), write(tmp_path, "bad.shot", BAD)
    for fmt in ("json", "sarif"):
        outs = {
            flags: run(*flags, "check", warn, bad, "--format", fmt)
            for flags in ((), ("-q",), ("-v",))
        }
        assert len({o for o in outs.values()}) == 1, fmt
        code, out, _ = outs[()]
        assert code == 1 and json.loads(out)


def test_verbose_check_says_how_each_file_went(tmp_path: Path) -> None:
    good, warn = write(tmp_path, "good.shot", GOOD), write(tmp_path, "warn.shot", WARN)
    code, out, _ = run("-v", "check", good, warn)
    assert code == 0
    lines = out.splitlines()
    assert f"{good}: ok, 1 clip" in lines
    assert f"{warn}: 1 warning, 1 clip" in lines
    assert lines[-1].endswith("1 warning in 2 files")
    assert run("-vv", "check", good)[0] == 0
    # normal verbosity has no per-file lines
    assert f"{good}: ok" not in run("check", good, warn)[1]


# ------------------------------------------------------------------ fmt


def test_quiet_fmt_writes_but_says_nothing(tmp_path: Path) -> None:
    ugly = write(tmp_path, "ugly.shot", UGLY)
    code, out, err = run("-q", "fmt", ugly)
    assert (code, out, err) == (0, "", "")
    assert Path(ugly).read_text(encoding="utf-8") != UGLY  # it was formatted
    ugly2 = write(tmp_path, "ugly2.shot", UGLY)
    code, _, err = run("fmt", ugly2)
    assert code == 0 and f"formatted {ugly2}" in err


def test_quiet_fmt_keeps_what_was_asked_for(tmp_path: Path) -> None:
    ugly = write(tmp_path, "ugly.shot", UGLY)
    code, out, err = run("-q", "fmt", "--diff", ugly)
    assert code == 3 and out.startswith("---") and "+++" in out  # the diff is the output
    assert "would be reformatted" not in err
    code, out, err = run("-q", "fmt", "--check", ugly)
    assert code == 3 and err == f"would reformat {ugly}\n"  # the answer, no count line
    bad = write(tmp_path, "bad.shot", 'clip a { shot { action "x" }')
    code, _, err = run("-q", "fmt", bad)
    assert code == 1 and "error" in err  # errors are never quiet


def test_verbose_fmt_names_the_files_left_alone(tmp_path: Path) -> None:
    good = write(tmp_path, "good.shot", GOOD)
    ugly = write(tmp_path, "ugly.shot", UGLY)
    code, _, err = run("-v", "fmt", good, ugly)
    assert code == 0
    assert f"unchanged {good}" in err and f"formatted {ugly}" in err
    assert "unchanged" not in run("fmt", good)[2]


# ------------------------------------------------------------------ compile, plan, init


def test_quiet_compile_keeps_the_output_and_errors_but_not_warnings(tmp_path: Path) -> None:
    warn = write(tmp_path, "warn.shot", WARN)
    code, out, err = run("-q", "compile", warn)
    assert code == 0 and err == ""
    assert out == run("compile", warn)[1]
    assert "SHOT206" in run("compile", warn)[2]
    bad = write(tmp_path, "bad.shot", BAD)
    code, _, err = run("-q", "compile", bad)
    assert code == 1 and "camra" in err and "SHOT206" not in err


def test_quiet_plan_is_the_table_without_warnings(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    warn = write(tmp_path, "warn.shot", WARN)
    code, out, err = run("-q", "plan", warn)
    assert code == 0 and err == ""
    assert "submit" in out and "total:" in out
    assert "credit figures are estimates" not in out  # the footnote is the normal view's
    assert "SHOT206" in run("plan", warn)[2]


def test_quiet_init_says_nothing(tmp_path: Path) -> None:
    code, out, err = run("-q", "init", str(tmp_path / "proj"))
    assert (code, out, err) == (0, "", "")
    assert (tmp_path / "proj" / "film.shot").is_file()


# ------------------------------------------------------------------ render (sandbox)


def _env(sandbox: Any) -> dict[str, str]:
    st = sandbox.settings
    env = dict(os.environ)
    env.update(
        SEEDANCE_BASE_URL=sandbox.base_url,
        SEEDANCE_API_KEY=sandbox.api_key,
        SEEDANCE_RATE_LIMIT=f"{st.rate_limit_requests}/{st.scaled(st.rate_limit_window_s)}",
        SEEDANCE_CONFIG=str(Path(sys.prefix) / "no-such-config.toml"),
        PYTHONUNBUFFERED="1",
    )
    env.pop("SEEDANCE_PROFILE", None)
    return env


def seedance(args: list[str], sandbox: Any, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seedance_dsl.cli", *args],
        env=_env(sandbox),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_quiet_render_prints_one_line(sandbox: Any, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "film.shot",
        TWO.replace('"Two"\n', '"Two"\n\nasset hero image "https://cdn.example.com/h.png"\n'),
    )
    p = seedance(["-q", "render", path], sandbox, tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""  # no warnings, no progress
    (line,) = p.stdout.splitlines()
    assert line.startswith("2 done;") and "credits charged" in line


def test_quiet_render_still_says_what_failed(sandbox_factory: Any, tmp_path: Path) -> None:
    box = sandbox_factory(fail_fraction=1.0)
    path = write(tmp_path, "film.shot", TWO)
    p = seedance(["-q", "render", path], box, tmp_path)
    assert p.returncode == 1
    (line,) = p.stdout.splitlines()
    assert line.startswith("2 failed;")
    failed = [ln for ln in p.stderr.splitlines() if ": failed" in ln]
    assert {ln.split(":")[0] for ln in failed} == {"one", "two"}, p.stderr


def test_verbose_render_shows_every_request(sandbox: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "film.shot", TWO)
    p = seedance(["-v", "render", path], sandbox, tmp_path)
    assert p.returncode == 0, p.stderr
    http = [ln for ln in p.stdout.splitlines() if "] http: " in ln]
    submits = [ln for ln in http if f"POST {CONTRACT.submit_path} -> HTTP 2" in ln]
    assert len(submits) == 2, p.stdout
    assert any("GET " in ln and "-> HTTP 200" in ln for ln in http), p.stdout
    assert sandbox.api_key not in p.stdout + p.stderr
    # the summary is the same as without -v
    assert "2 done;" in p.stdout
    normal = seedance(["render", path, "--take", "1"], sandbox, tmp_path)
    assert normal.returncode == 0 and "] http: " not in normal.stdout


def test_json_render_does_not_depend_on_verbosity(sandbox: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "film.shot", TWO)
    kinds = []
    for flags in ([], ["-v"], ["-q"]):
        p = seedance([*flags, "render", path, "--format", "json"], sandbox, tmp_path)
        assert p.returncode == 0, p.stderr
        events = [json.loads(line) for line in p.stdout.splitlines()]
        kinds.append([e["event"] for e in events if e["event"] not in ("polled",)])
    # the first run submits, the next two reuse: compare the reruns, and their shape
    assert kinds[1] == kinds[2]
    assert kinds[0][0] == "start" and kinds[0][-1] == "summary"


# ------------------------------------------------------------------ sandbox serve


@pytest.mark.parametrize("quiet", [True, False], ids=["quiet", "normal"])
def test_sandbox_serve_banner(quiet: bool) -> None:
    args = [sys.executable, "-m", "seedance_dsl.cli", *(["-q"] if quiet else [])]
    args += ["sandbox", "serve", "--port", "0", "--time-scale", "0.01"]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        lines.append(proc.stdout.readline())  # bounded: the pytest timeout
        assert lines[0].startswith("Seedance sandbox listening on http://127.0.0.1:")
        while not quiet and "Press Ctrl-C" not in lines[-1]:
            lines.append(proc.stdout.readline())
            assert lines[-1], lines
    finally:
        proc.terminate()
        assert proc.stdout is not None
        rest = proc.stdout.read()  # until the process exits
        proc.wait(timeout=30)
    out = "".join(lines[1:]) + rest
    if quiet:
        assert out == "", out  # no key lines, no curl lines, no "stopped"
    else:
        assert "API key" in out and "Try:" in out and "Sandbox stopped." in out


def test_verbose_render_shows_the_retries(sandbox_factory: Any, tmp_path: Path) -> None:
    box = sandbox_factory(post_500_fraction=0.5, seed=3)
    path = write(tmp_path, "film.shot", TWO)
    p = seedance(["-v", "render", path], box, tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    lines = p.stdout.splitlines()
    assert any(f"http: POST {CONTRACT.submit_path} -> HTTP 500" in ln for ln in lines), p.stdout
    assert any("retrying (internal_error), next attempt in" in ln for ln in lines), p.stdout
    assert box.api_key not in p.stdout + p.stderr


def test_client_event_lines_hold_no_secret() -> None:
    from seedance_dsl.client import ClientEvent
    from seedance_dsl.render.progress import client_event_text

    signed = "https://cdn.example.com/v/one.mp4?X-Signature=s3cr3t&exp=1#frag"
    assert client_event_text(ClientEvent("download_resume", "GET", signed, detail="4096")) == (
        "http: GET https://cdn.example.com/v/one.mp4: download resumes at byte 4096"
    )
    assert client_event_text(
        ClientEvent("rate_limited", "GET", "/api/v1/tasks/t1", 429, 2, 3.25, "rate_limited")
    ) == ("http: GET /api/v1/tasks/t1: HTTP 429 rate limited (rate_limited), next attempt in 3.2 s")
    assert client_event_text(
        ClientEvent("request", "POST", "/p", None, 1, code="connect_error")
    ) == ("http: POST /p -> no answer (connect_error) (attempt 1)")
    assert client_event_text(ClientEvent("service_busy", "POST", "/p", 503, 5)).endswith(
        "HTTP 503 busy, giving up"
    )


def test_quiet_mcp_has_no_banner(tmp_path: Path) -> None:
    def mcp(*flags: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "seedance_dsl.cli", *flags, "mcp"]
        return subprocess.run(
            cmd, cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
        )

    normal, quiet = mcp(), mcp("-q")
    assert normal.returncode == quiet.returncode == 0
    assert "seedance mcp: serving" in normal.stderr
    assert quiet.stderr == "" and quiet.stdout == ""


def test_live_view_prints_client_lines_only_when_verbose() -> None:
    import io

    from rich.console import Console

    from seedance_dsl.client import ClientEvent
    from seedance_dsl.render.events import RenderEvent
    from seedance_dsl.render.progress import LiveProgress, QuietProgress, make_progress

    ev = ClientEvent("request", "POST", CONTRACT.submit_path, 202, 1)
    shown = {}
    for verbose in (True, False):
        view = LiveProgress(verbose=verbose)
        out = io.StringIO()
        view.console = Console(file=out, width=160, color_system=None, force_terminal=False)
        view(RenderEvent("start", 0.0, message="rendering 1 clip(s)", data={"clips": ["a"]}))
        view.client_event(ev)
        shown[verbose] = out.getvalue()
    assert f"http: POST {CONTRACT.submit_path} -> HTTP 202 (attempt 1)" in shown[True]
    assert "http:" not in shown[False]
    assert isinstance(make_progress("text", tty=True, verbosity=-1), QuietProgress)
    assert type(make_progress("json", verbosity=-1)).__name__ == "JsonProgress"
