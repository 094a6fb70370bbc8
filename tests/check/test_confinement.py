"""Storyboard files are confined (docs/language.md, "Which files a storyboard may read").

`import` and `template` read only regular files, inside the top-level storyboard's
directory tree (or a root of SEEDANCE_ROOTS), up to a size cap; the file named on the
command line must be a regular file under the cap.  Nothing may hang or blow up the
memory, and a refused path never shows any of its content.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from seedance_dsl.check import check_file
from seedance_dsl.cli import cli
from seedance_dsl.compiler import compile_file
from seedance_dsl.errors import SeedanceDSLError

pytestmark = pytest.mark.timeout(20)

CLIP = 'clip a { shot { action "a cat jumps" } }\n'
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
needs_proc = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="no /proc")
needs_dev = pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")


def run(*args: str) -> tuple[int, str]:
    """Exit code and output (stdout + stderr) of a command, as `seedance` shows them."""
    result = CliRunner().invoke(cli, list(args))
    if isinstance(result.exception, SeedanceDSLError):  # what `main` prints and exits with
        return result.exception.exit_code, result.output + result.exception.format()
    assert result.exception is None or isinstance(result.exception, SystemExit), result
    return result.exit_code, result.output


def film(tmp_path: Path, head: str) -> Path:
    p = tmp_path / "proj" / "film.shot"
    p.parent.mkdir(exist_ok=True)
    p.write_text(f'storyboard "F"\n{head}\n{CLIP}')
    return p


def diag(path: Path, code: str) -> str:
    """The one diagnostic of ``code`` (message + help), after checking it is at line 2."""
    result = check_file(path)
    found = [d for d in result.diagnostics if d.code == code]
    assert found, result.diagnostics
    assert not result.ok
    d = found[0]
    assert d.span is not None and d.span.line == 2 and d.span.file == str(path)
    return f"{d.message}\n{d.help}"


# ------------------------------------------------------------------ outside the project


@pytest.mark.parametrize("stmt", ["import", "template"])
def test_a_path_outside_the_project_is_refused_without_showing_it(
    tmp_path: Path, stmt: str
) -> None:
    secret = tmp_path / "secret.shot"
    secret.write_text("TOPSECRET-CONTENT asset x image\n")
    p = film(tmp_path, f'{stmt} "../secret.shot"')
    text = diag(p, "SHOT008")
    assert "outside the project" in text and "SEEDANCE_ROOTS" in text
    code, out = run("check", str(p))
    assert code == 1 and "TOPSECRET" not in out and "SHOT008" in out
    code, out = run("compile", str(p))
    assert code == 1 and "TOPSECRET" not in out


@pytest.mark.parametrize("stmt", ["import", "template"])
def test_absolute_and_dotdot_system_paths_are_refused(tmp_path: Path, stmt: str) -> None:
    for target in ("/etc/passwd", "../../../../../../../../etc/passwd"):
        p = film(tmp_path, f'{stmt} "{target}"')
        assert "outside the project" in diag(p, "SHOT008")
        code, out = run("compile", "--format", "json", str(p))
        assert code == 1 and "root:" not in out
        assert "SHOT008" in [d["code"] for d in json.loads(out)["diagnostics"]]


@needs_proc
@pytest.mark.parametrize("stmt", ["import", "template"])
def test_proc_self_environ_is_never_read(
    tmp_path: Path, stmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDANCE_API_KEY", "sk-NEVER-SHOWN-1234")
    p = film(tmp_path, f'{stmt} "/proc/self/environ"')
    diag(p, "SHOT008")
    # even when the user made `/` a root, /proc, /sys and /dev stay out of reach
    monkeypatch.setenv("SEEDANCE_ROOTS", "/")
    diag(p, "SHOT008")
    for cmd in ("check", "compile"):
        code, out = run(cmd, str(p))
        assert code == 1 and "sk-NEVER-SHOWN" not in out


@pytest.mark.parametrize("stmt", ["import", "template"])
def test_a_symlink_leaving_the_project_is_refused(tmp_path: Path, stmt: str) -> None:
    outside = tmp_path / "elsewhere.shot"
    outside.write_text('asset x image "https://cdn.example.com/x.png"\n')
    p = film(tmp_path, f'{stmt} "link.shot"')
    (p.parent / "link.shot").symlink_to(outside)
    assert "outside the project" in diag(p, "SHOT008")


def test_a_symlink_inside_the_project_and_subdirectories_are_fine(tmp_path: Path) -> None:
    p = film(tmp_path, 'import "lib/link.shot"')
    (p.parent / "lib").mkdir()
    real = p.parent / "lib" / "real.shot"
    real.write_text("package house { avoid watermark }\n")
    (p.parent / "lib" / "link.shot").symlink_to(real)
    result = check_file(p)
    assert result.ok, result.diagnostics


def test_seedance_roots_allows_a_shared_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "team.shot").write_text("package house { avoid watermark }\n")
    (shared / "house.j2").write_text("HOUSE {{ shots[0].action }}\n")
    p = film(tmp_path, 'import "../shared/team.shot"\ntemplate "../shared/house.j2"')
    assert not check_file(p).ok
    monkeypatch.setenv("SEEDANCE_ROOTS", f"{tmp_path / 'nowhere'}{os.pathsep}{shared}")
    assert check_file(p).ok
    assert compile_file(p).clips[0].prompt == "HOUSE a cat jumps"
    # the Python API takes the roots explicitly too (and then ignores the variable)
    monkeypatch.delenv("SEEDANCE_ROOTS")
    assert check_file(p, roots=[shared]).ok
    assert compile_file(p, roots=[shared]).ok


def test_a_template_include_cannot_leave_the_project(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("TOPSECRET\n")
    p = film(tmp_path, 'template "house.j2"')
    (p.parent / "inc.txt").symlink_to(tmp_path / "secret.txt")
    (p.parent / "house.j2").write_text('{% include "inc.txt" %} {{ shots[0].action }}\n')
    compiled = compile_file(p)
    assert not compiled.ok
    assert all("TOPSECRET" not in c.prompt for c in compiled.clips)
    assert "outside the project" in " ".join(d.message for d in compiled.diagnostics)
    (p.parent / "ok.txt").write_text("INCLUDED")
    (p.parent / "house.j2").write_text('{% include "ok.txt" %} {{ shots[0].action }}\n')
    assert compile_file(p).clips[0].prompt == "INCLUDED a cat jumps"


# ------------------------------------------------------------------ special files


@needs_fifo
@pytest.mark.parametrize("stmt", ["import", "template"])
def test_a_fifo_in_the_project_is_refused_without_blocking(tmp_path: Path, stmt: str) -> None:
    p = film(tmp_path, f'{stmt} "pipe"')
    os.mkfifo(p.parent / "pipe")
    assert "not a regular file" in diag(p, "SHOT009")
    code, out = run("compile", str(p))
    assert code == 1 and "SHOT009" in out


@needs_dev
@pytest.mark.parametrize("stmt", ["import", "template"])
def test_dev_zero_is_refused(tmp_path: Path, stmt: str) -> None:
    p = film(tmp_path, f'{stmt} "/dev/zero"')
    diag(p, "SHOT008")
    p = film(tmp_path, f'{stmt} "zero"')
    (p.parent / "zero").symlink_to("/dev/zero")
    diag(p, "SHOT008")


@pytest.mark.parametrize("stmt", ["import", "template"])
def test_a_file_over_the_cap_is_refused_at_the_line(
    tmp_path: Path, stmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = film(tmp_path, f'{stmt} "big"')
    (p.parent / "big").write_text("// " + "x" * 5000 + "\n")
    env = "SEEDANCE_MAX_FILE_BYTES" if stmt == "import" else "SEEDANCE_MAX_TEMPLATE_BYTES"
    monkeypatch.setenv(env, "4096")
    text = diag(p, "SHOT010")
    assert env in text and "4096" in text


# ------------------------------------------------------------------ the command-line file


@needs_dev
@pytest.mark.parametrize("cmd", ["check", "compile", "fmt"])
def test_dev_zero_on_the_command_line(cmd: str) -> None:
    code, out = run(cmd, "/dev/zero")
    assert code in (1, 2) and "not a regular file" in out


@needs_fifo
@pytest.mark.parametrize("cmd", ["check", "compile", "fmt"])
def test_a_fifo_on_the_command_line(tmp_path: Path, cmd: str) -> None:
    os.mkfifo(tmp_path / "pipe.shot")
    code, out = run(cmd, str(tmp_path / "pipe.shot"))
    assert code in (1, 2) and "not a regular file" in out


@needs_fifo
def test_a_fifo_as_the_template_override(tmp_path: Path) -> None:
    p = film(tmp_path, "")
    os.mkfifo(tmp_path / "t.j2")
    code, out = run("compile", str(p), "--template", str(tmp_path / "t.j2"))
    assert code in (1, 2) and "not a regular file" in out


def test_the_template_override_may_live_anywhere_but_is_capped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = film(tmp_path, "")
    (tmp_path / "t.j2").write_text("OVERRIDE {{ shots[0].action }}\n")
    code, out = run("compile", str(p), "--template", str(tmp_path / "t.j2"))
    assert code == 0 and "OVERRIDE a cat jumps" in out
    monkeypatch.setenv("SEEDANCE_MAX_TEMPLATE_BYTES", "8")
    code, out = run("compile", str(p), "--template", str(tmp_path / "t.j2"))
    assert code == 2 and "SHOT010" in out and "SEEDANCE_MAX_TEMPLATE_BYTES" in out


def test_a_big_command_line_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.shot"
    big.write_text('storyboard "B"\n' + "// padding\n" * 1000 + CLIP)
    monkeypatch.setenv("SEEDANCE_MAX_FILE_BYTES", "1000")
    for cmd in ("check", "compile", "fmt"):
        code, out = run(cmd, str(big))
        assert code in (1, 2) and "SHOT010" in out and "SEEDANCE_MAX_FILE_BYTES" in out, cmd


def test_a_bad_size_limit_setting_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = film(tmp_path, "")
    monkeypatch.setenv("SEEDANCE_MAX_FILE_BYTES", "lots")
    code, out = run("check", str(p))
    assert code == 1 and "SEEDANCE_MAX_FILE_BYTES='lots' is not a positive number" in out
    assert "Traceback" not in out


@needs_proc
def test_proc_is_never_read_even_when_named_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDANCE_API_KEY", "sk-NEVER-SHOWN-1234")
    p = film(tmp_path, "")
    for args in (
        ["check", "/proc/self/environ"],
        ["fmt", "/proc/self/environ"],
        ["compile", "/proc/self/environ"],
        ["compile", str(p), "--template", "/proc/self/environ"],
    ):
        code, out = run(*args)
        assert code in (1, 2) and "inside /proc" in out and "sk-NEVER-SHOWN" not in out, args
