"""`seedance check`, `seedance fmt`, `seedance explain`: exit codes, formats, safety."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from seedance_dsl.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(str(p) for p in (ROOT / "examples").glob("*.shot"))
GOOD = 'storyboard "x"\n\nclip a {\n  shot { action "go" }\n}\n'
UGLY = 'storyboard "x" clip a { shot { action "go" } }'
BAD = 'clip a { shot { camra "x" } }\n'
#: an example that names no template (`check` of one that does loads jinja2)
PLAIN = next(p for p in EXAMPLES if "\ntemplate " not in Path(p).read_text(encoding="utf-8"))


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_check_examples_clean() -> None:
    code, out = run("check", *EXAMPLES)
    assert code == 0, out
    assert out.strip().endswith(f"no problems in {len(EXAMPLES)} files")


def test_check_errors_exit_1_with_all_formats(tmp_path: Path) -> None:
    bad = tmp_path / "bad.shot"
    bad.write_text(BAD)
    code, out = run("check", str(bad))
    assert code == 1
    assert "error[SHOT105]: unknown field `camra` — did you mean `camera`?" in out
    assert f"--> {bad}:1:17" in out and "^^^^^" in out and "\x1b[" not in out
    code, out = run("check", "--format", "concise", str(bad))
    assert code == 1
    assert out == f"{bad}:1:17: error[SHOT105]: unknown field `camra` — did you mean `camera`?\n"
    code, out = run("check", "--format", "json", str(bad))
    env = json.loads(out)
    assert code == 1 and env["valid"] is False and env["counts"]["error"] == 1


def test_check_json_stays_valid_for_missing_and_binary_files(tmp_path: Path) -> None:
    binary = tmp_path / "b.shot"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    code, out = run(
        "check", "--format", "json", str(tmp_path / "missing.shot"), str(binary), EXAMPLES[0]
    )
    env = json.loads(out)
    assert code == 1
    assert [d["code"] for d in env["diagnostics"]] == ["SHOT001", "SHOT002"]
    assert [d["file"] for d in env["diagnostics"]] == [str(tmp_path / "missing.shot"), str(binary)]
    assert [f["valid"] for f in env["files"]] == [False, False, True]


def test_check_usage_errors_exit_2() -> None:
    code, _ = run("check")
    assert code == 2
    code, _ = run("check", "--format", "xml", EXAMPLES[0])
    assert code == 2


def test_explain() -> None:
    code, out = run("explain", "shot105")
    assert code == 0 and out.startswith("SHOT105: unknown shot field\n\n")
    code, out = run("explain", "--list")
    assert code == 0 and "SHOT001  file not found" in out


def test_explain_unknown_code_exits_2() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "seedance_dsl", "explain", "SHOT998"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "diagnostic code SHOT998 does not exist" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_fmt_rewrites_atomically_and_keeps_mode(tmp_path: Path) -> None:
    f = tmp_path / "a.shot"
    f.write_text(UGLY)
    f.chmod(0o640)
    code, _ = run("fmt", "--check", str(f))
    assert code == 3 and f.read_text() == UGLY  # --check writes nothing
    code, out = run("fmt", "--diff", str(f))
    assert code == 3 and "+clip a {" in out and f.read_text() == UGLY
    code, _ = run("fmt", str(f))
    assert code == 0 and f.read_text() == GOOD
    assert f.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.shot"]  # no temp file left
    code, _ = run("fmt", "--check", str(f))
    assert code == 0


def test_fmt_never_writes_a_file_with_errors(tmp_path: Path) -> None:
    f = tmp_path / "bad.shot"
    f.write_text(BAD)
    code, out = run("fmt", str(f))
    assert code == 1 and f.read_text() == BAD
    assert "SHOT105" in out and "was not formatted" in out
    code, _ = run("fmt", str(tmp_path / "missing.shot"))
    assert code == 1


def test_fmt_failure_mid_write_leaves_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seedance_dsl.cli import fmt_cmd

    f = tmp_path / "a.shot"
    f.write_text(UGLY)

    def boom(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fmt_cmd.os, "replace", boom)
    code, out = run("fmt", str(f))
    assert code == 1 and "No space left on device" in out
    assert f.read_text() == UGLY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.shot"]


def test_examples_are_formatted() -> None:
    lib = [str(p) for p in (ROOT / "examples").rglob("*.shot")]
    code, out = run("fmt", "--check", *lib)
    assert code == 0, out


HEAVY = ["httpx", "rich", "starlette", "av", "pydantic", "jinja2", "uvicorn", "PIL"]


@pytest.mark.parametrize("module", ["check_cmd", "fmt_cmd", "explain_cmd"])
def test_language_commands_import_no_heavy_modules(module: str) -> None:
    code = (
        f"import sys, seedance_dsl.cli.{module}\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert proc.stdout.strip() == "", f"{module} imports {proc.stdout.strip()}"


def test_check_run_in_a_process_imports_no_heavy_modules(tmp_path: Path) -> None:
    """A check run does not even import Lark: not with a fresh cache directory (the
    tables ship with the package, syntax/_tables.py), nor later."""
    heavy = [*HEAVY, "lark", "logging"]
    code = (
        "import sys\n"
        "from seedance_dsl.cli import main\n"
        "try:\n"
        f"    main(['check', '--format', 'concise', {PLAIN!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('LOADED=' + ','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    env = {**os.environ, "SEEDANCE_CACHE_DIR": str(tmp_path / "cache")}
    cold = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert cold.stdout.rstrip().endswith("LOADED="), cold.stdout  # nothing, not even lark
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").glob("*.pickle"))
    warm = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert warm.stdout.rstrip().endswith("LOADED="), warm.stdout
