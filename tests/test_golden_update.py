"""Golden files are rewritten only by `make golden`, never by a test run and never in CI;
the updater says what it changed."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
UPDATERS = [
    ROOT / "tests" / "syntax" / "golden.py",
    ROOT / "tests" / "compiler" / "compiler_golden.py",
]


def _load(script: Path) -> ModuleType:
    """An updater script as a module of its own (it is run as a script by make)."""
    spec = importlib.util.spec_from_file_location(f"_golden_{script.parent.name}", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return {**env, **extra}


@pytest.mark.parametrize("script", UPDATERS, ids=lambda p: p.parent.name)
@pytest.mark.parametrize("ci", ["true", "1"])
def test_the_updaters_refuse_in_ci(script: Path, ci: str) -> None:
    proc = subprocess.run(
        [sys.executable, str(script), "--update"],
        capture_output=True,
        text=True,
        env=_env(CI=ci),
        timeout=120,
    )
    assert proc.returncode == 2
    assert "refusing to rewrite golden files: CI is set" in proc.stderr
    assert "make golden" in proc.stderr
    assert "changed" not in proc.stdout


def test_the_refusal_is_a_clear_error() -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from golden_update import RefusedInCI, refuse_in_ci

    os.environ.pop("CI", None)
    refuse_in_ci()  # a developer's machine: allowed
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CI", "true")
        with pytest.raises(RefusedInCI, match="make golden"):
            refuse_in_ci()
        mp.setenv("CI", "false")
        refuse_in_ci()


def test_the_compiler_updater_rewrites_and_reports_what_changed(tmp_path: Path) -> None:
    compiler_golden = _load(UPDATERS[1])

    cases = tmp_path / "cases"
    shutil.copytree(compiler_golden.CASES, cases)
    name = compiler_golden.case_names()[0]
    prompt = cases / name / "prompt.txt"
    good = prompt.read_text(encoding="utf-8")
    prompt.write_text("stale\n", encoding="utf-8")
    (cases / name / "diagnostics.txt").unlink()
    report = compiler_golden.update(cases)
    assert sorted(report) == sorted(
        [
            f"changed  {name}/prompt.txt: +{good.count(chr(10))} -1 lines",
            f"new      {name}/diagnostics.txt",
        ]
    )
    assert prompt.read_text(encoding="utf-8") == good
    assert compiler_golden.update(cases) == []  # nothing left to change


def test_the_syntax_updater_rewrites_and_reports_what_changed(tmp_path: Path) -> None:
    golden = _load(UPDATERS[0])

    cases = tmp_path / "cases"
    shutil.copytree(golden.CASES, cases)
    case = golden.case_files(cases)[0]
    concise, _ = golden.expected_paths(case)
    concise.write_text("stale\n", encoding="utf-8")
    (report,) = golden.update(cases)
    assert report.startswith(f"changed  {concise.name}: ")
    assert golden.update(cases) == []


def test_the_old_switch_fails_the_golden_tests_instead_of_writing() -> None:
    target = ROOT / "tests" / "compiler" / "test_golden.py"
    before = {p: p.stat().st_mtime_ns for p in (ROOT / "tests" / "compiler" / "cases").rglob("*")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", str(target)],
        capture_output=True,
        text=True,
        env=_env(SEEDANCE_UPDATE_GOLDEN="1"),
        cwd=ROOT,
        timeout=240,
    )
    assert proc.returncode == 1, proc.stdout
    assert "SEEDANCE_UPDATE_GOLDEN is gone" in proc.stdout
    after = {p: p.stat().st_mtime_ns for p in (ROOT / "tests" / "compiler" / "cases").rglob("*")}
    assert after == before
