"""``seedance mcp`` as a command: its exit codes, and `check` not importing the SDK."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .mcp_helpers import server_env


def test_exits_0_when_the_client_closes_stdin(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "seedance_dsl", "mcp"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=server_env(tmp_path),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""  # stdout is the protocol's: nothing else is written there
    assert "sandbox only" in proc.stderr


def test_a_missing_root_is_a_usage_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "seedance_dsl", "mcp", "--root", str(tmp_path / "nope")],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=server_env(tmp_path),
        timeout=60,
    )
    assert proc.returncode == 2
    assert "no such directory" in proc.stderr and "Traceback" not in proc.stderr


def test_check_does_not_import_the_mcp_sdk(tmp_path: Path) -> None:
    (tmp_path / "a.shot").write_text('storyboard "t"\n\nclip a {\n  shot { action "x" }\n}\n')
    code = (
        "import sys\n"
        "from seedance_dsl.cli import main\n"
        "try:\n"
        "    main(['check', 'a.shot'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert 'mcp' not in sys.modules, 'check imported mcp'\n"
        "assert 'seedance_dsl.agents' not in sys.modules\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
