"""The ``seedance`` process around a render (issue 12): the console script exits fast
after its command (atexit handlers run, stdout flushed, the code kept), the timing
trace (``SEEDANCE_TIMING``) costs nothing when off, and the CLI never imports httpx's
own command line (rich, pygments)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEASER = ROOT / "examples" / "teaser.shot"


def _run(args: list[str], tmp: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "SEEDANCE_STATE_DIR": str(tmp / "state"),
        "SEEDANCE_CACHE_DIR": str(tmp / "cache"),
    }
    return subprocess.run(
        [sys.executable, "-m", "seedance_dsl", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, **env},
        cwd=tmp,
    )


def test_exit_codes_and_output_survive_the_fast_exit(tmp_path: Path) -> None:
    got = _run(["plan", str(TEASER), "--sandbox", "--format", "json"], tmp_path)
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["clips"]  # every byte of stdout was flushed
    missing = _run(["render", str(tmp_path / "nope.shot"), "--sandbox"], tmp_path)
    assert missing.returncode == 2
    assert "nope.shot" in missing.stderr and "Traceback" not in missing.stderr


def test_the_timing_trace_marks_the_phases_and_atexit_still_runs(tmp_path: Path) -> None:
    trace = tmp_path / "trace"
    got = _run(["plan", str(TEASER), "--sandbox"], tmp_path, SEEDANCE_TIMING=str(trace))
    assert got.returncode == 0, got.stderr
    labels = [line.split()[1] for line in trace.read_text().splitlines()]
    assert labels[0] == "python_up"
    assert labels[-1] == "exit"  # the atexit handler ran before the fast exit
    times = [float(line.split()[0]) for line in trace.read_text().splitlines()]
    assert times == sorted(times)


def test_no_trace_without_the_variable(tmp_path: Path) -> None:
    got = _run(["plan", str(TEASER), "--sandbox"], tmp_path)
    assert got.returncode == 0, got.stderr
    assert not list(tmp_path.glob("*trace*"))
    code = "import seedance_dsl._timing as t; t.mark('x'); print(t.enabled())"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "SEEDANCE_TIMING"},
    )
    assert out.stdout.strip() == "False"


def test_the_cli_never_imports_httpx_command_line() -> None:
    code = (
        "import sys, seedance_dsl.cli, httpx\n"
        "print(sorted(m for m in ('rich', 'pygments', 'httpx._main') if sys.modules.get(m)))\n"
    )
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert got.returncode == 0, got.stderr
    assert got.stdout.strip() == "[]"


def test_the_finishing_imports_start_once_every_submit_is_answered(
    sandbox: Any, shot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PyAV (the provenance stamp) is imported in a thread once, when every submit has
    been answered and the loop waits for the renders: not while submits are still in
    flight (the import holds the GIL and would delay their answers, hence every first
    poll), nor when the first clip completes."""
    from render_helpers import independent

    from seedance_dsl.render import runner
    from seedance_dsl.render.commands import load_storyboard, render_storyboard
    from seedance_dsl.render.identity import server_namespace

    events: list[Any] = []
    calls: list[tuple[int, int]] = []
    real = runner._import_finishing

    def counting() -> None:
        kinds = [e.kind for e in events]
        calls.append((kinds.count("submitted"), kinds.count("completed")))
        real()

    monkeypatch.setattr(runner, "_import_finishing", counting)
    st = sandbox.settings
    path = shot(independent(3, "Warm-up imports"))
    summary = render_storyboard(
        load_storyboard(path),
        out_dir=path.parent / "renders",
        server=server_namespace(sandbox.base_url),
        api_key=sandbox.api_key,
        base_url=sandbox.base_url,
        rate_limit=(st.rate_limit_requests, st.scaled(st.rate_limit_window_s)),
        on_event=events.append,
    )
    assert summary.exit_code == 0, summary.to_json()
    assert calls == [(3, 0)]
