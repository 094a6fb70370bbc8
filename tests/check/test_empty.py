"""A file with nothing to render is SHOT011 (9.4): an error for an empty storyboard, a
note for a library file, and nothing at all for an imported library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from seedance_dsl.check import check_file
from seedance_dsl.cli import cli
from seedance_dsl.compiler import compile_file

LIBRARY = 'asset logo image "https://cdn.example.com/logo.png"\npackage house { avoid watermark }\n'


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "text", ["", "\n\n", "// only a comment\n", 'storyboard "Empty"\n', "defaults { tier pro }\n"]
)
def test_a_storyboard_with_no_clips_is_an_error(tmp_path: Path, text: str) -> None:
    p = tmp_path / "empty.shot"
    p.write_text(text)
    result = check_file(p)
    assert not result.ok
    assert [(d.code, d.severity) for d in result.diagnostics if d.code == "SHOT011"] == [
        ("SHOT011", "error")
    ]
    code, out = run("check", str(p))
    assert code == 1 and "SHOT011" in out and "no clips" in out
    code, out = run("compile", "--format", "json", str(p))
    assert code == 1 and "SHOT011" in [d["code"] for d in json.loads(out)["diagnostics"]]
    assert not compile_file(p).ok


def test_a_library_file_warns_and_an_imported_one_says_nothing(tmp_path: Path) -> None:
    lib = tmp_path / "lib.shot"
    lib.write_text(LIBRARY)
    result = check_file(lib)
    assert result.ok
    assert [(d.code, d.severity) for d in result.diagnostics] == [("SHOT011", "note")]
    code, out = run("check", str(lib))
    assert code == 0 and "SHOT011" in out
    film = tmp_path / "film.shot"
    film.write_text('import "lib.shot"\nclip a { use house shot { action "a cat jumps" } }\n')
    result = check_file(film)
    assert result.ok and "SHOT011" not in {d.code for d in result.diagnostics}
    assert compile_file(film).ok


def test_a_clip_lost_to_a_syntax_error_is_not_no_clips(tmp_path: Path) -> None:
    # error recovery drops the broken clip; the syntax error is the one diagnostic
    p = tmp_path / "typo.shot"
    p.write_text('storyboard "t"\n\nclp a { shot { action "a cat" } }\n')
    codes = [d.code for d in check_file(p).diagnostics]
    assert "SHOT101" in codes and "SHOT011" not in codes
