"""``seedance init [DIR]``: a starter project that checks clean, is canonical, renders on
the sandbox as it is, and never replaces a file."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from seedance_dsl import check_file, render_file
from seedance_dsl.cli import main
from seedance_dsl.compiler import with_rules_check
from seedance_dsl.scaffold import FILES, GITIGNORE_ENTRIES
from seedance_dsl.syntax.format import format_text


def run(*args: str) -> tuple[int, str]:
    """``seedance ARGS`` through the console entry point: (exit code, stdout + stderr)."""
    result = CliRunner().invoke(_entry, list(args))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def _entry(ctx: click.Context) -> None:
    main(list(ctx.args))


def test_init_creates_a_project_that_checks_clean_and_is_canonical(tmp_path: Path) -> None:
    code, out = run("init", str(tmp_path / "film"))
    assert code == 0, out
    root = tmp_path / "film"
    assert {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} == {
        *FILES,
        ".gitignore",
    }
    gitignore = (root / ".gitignore").read_text().splitlines()
    assert all(entry in gitignore for entry in GITIGNORE_ENTRIES)
    assert "# film" in (root / "README.md").read_text()
    for name in ("film.shot", "lib/look.shot"):
        result = with_rules_check(check_file(root / name))
        # the library is told it has no clips of its own (a note, not a problem)
        problems = [d for d in result.diagnostics if d.severity != "note"]
        assert problems == [], result.diagnostics
        text = (root / name).read_text()
        assert format_text(text, name)[0] == text, f"{name} is not in the canonical layout"
    assert "seedance check" in out and "--sandbox" in out


@pytest.mark.slow
def test_the_starter_renders_on_the_sandbox_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init")[0] == 0
    summary = render_file("film.shot", sandbox=True)
    assert summary.exit_code == 0, summary.to_json()
    assert [c.status for c in summary.clips] == ["done", "done"]
    for c in summary.clips:
        assert c.video_path and Path(c.video_path).is_file()
    assert Path("renders/film").is_dir() and Path(".seedance").is_dir()


def test_init_never_replaces_a_file(tmp_path: Path) -> None:
    (tmp_path / "film.shot").write_text("mine\n")
    code, out = run("init", str(tmp_path))
    assert code == 2
    assert "film.shot already exists" in out and "nothing was written" in out
    assert (tmp_path / "film.shot").read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["film.shot"]


def test_an_existing_gitignore_gets_only_the_missing_entries(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.pyc\nrenders\n")
    assert run("init", str(tmp_path))[0] == 0
    lines = (tmp_path / ".gitignore").read_text().splitlines()
    assert lines[:2] == ["*.pyc", "renders"]
    assert lines.count(".seedance/") == 1 and "renders/" not in lines
    assert run("init", str(tmp_path / "again"))[0] == 0


def test_a_file_as_dir_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x").write_text("")
    with pytest.raises(SystemExit) as info:
        main(["init", str(tmp_path / "x")])
    assert info.value.code == 2
    assert "is not a directory" in capsys.readouterr().err
