"""`seedance cut --format json`: one JSON object on success and on every failure (the
file envelope of check/compile/render for an unreadable storyboard), and what cut says
when it stops."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest

from .test_cut import FILM, rendered, run

__all__ = ["rendered"]  # the module-scoped sandbox render of tests/cut/test_cut.py


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    out = capsys.readouterr().out
    doc = json.loads(out)  # exactly one JSON document on stdout
    assert isinstance(doc, dict)
    return doc


def test_a_cut_in_json(rendered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with contextlib.chdir(rendered):
        assert run("cut", "film.shot", "--sandbox", "--format", "json", "--out", "j.mp4") == 0
    doc = _json(capsys)
    assert doc["ok"] is True and doc["exit_code"] == 0 and doc["method"] == "copy"
    assert doc["out"] == "j.mp4" and (rendered / "j.mp4").is_file()
    assert [c["clip"] for c in doc["clips"]] == ["a", "b", "c"]  # type: ignore[attr-defined]
    assert doc["duration_s"] == pytest.approx(13, abs=0.1)


def test_a_missing_storyboard_is_the_file_envelope(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with contextlib.chdir(tmp_path):
        assert run("cut", "nope.shot", "--format", "json") == 2
    doc = _json(capsys)
    assert doc["ok"] is False and doc["exit_code"] == 2 and doc["tool"] == "seedance cut"
    assert doc["error"]["kind"] == "file" and doc["error"]["code"] == "SHOT001"  # type: ignore[index]
    assert doc["valid"] is False and doc["diagnostics"]


def test_a_clip_not_rendered_is_valid_json_naming_it(
    rendered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    more = FILM + '\nclip d {\n  duration 4s\n  shot { action "the end" }\n}\n'
    (rendered / "more.shot").write_text(more, encoding="utf-8")
    with contextlib.chdir(rendered):
        code = run("cut", "more.shot", "--renders", "renders/film/sandbox", "--format", "json")
    doc = _json(capsys)
    assert code == 1 == doc["exit_code"] and doc["ok"] is False
    error = doc["error"]
    assert isinstance(error, dict)
    assert error["kind"] == "cut" and error["clip"] == "d"
    assert "not rendered yet" in error["message"] and "seedance render more.shot" in error["help"]


def test_a_storyboard_with_errors_says_nothing_was_cut(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.shot").write_text('storyboard "t"\nclip a { duraton 5s }\n')
    with contextlib.chdir(tmp_path):
        assert run("cut", "bad.shot") == 1
        err = capsys.readouterr().err
        assert "nothing was cut" in err and "submitted" not in err
        assert run("cut", "bad.shot", "--format", "json") == 1
    doc = _json(capsys)
    error = doc["error"]
    assert isinstance(error, dict)
    assert error["kind"] == "compile" and "nothing was cut" in error["message"]
    assert "submitted" not in json.dumps(doc) and error["diagnostics"]


def test_a_broken_manifest_is_valid_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "film.shot").write_text(FILM, encoding="utf-8")
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "manifest.json").write_bytes(b"[" * 5000)
    with contextlib.chdir(tmp_path):
        assert run("cut", "film.shot", "--renders", "r", "--format", "json") == 2
    error = _json(capsys)["error"]
    assert isinstance(error, dict)
    assert error["kind"] == "manifest" and "nested too deeply" in error["message"]


def test_an_out_that_cannot_be_created_is_an_error_not_a_traceback(
    rendered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (rendered / "afile").write_text("x")
    with contextlib.chdir(rendered):
        code = run("cut", "film.shot", "--sandbox", "--out", "afile/final.mp4", "--format", "json")
    doc = _json(capsys)
    assert code == 1 == doc["exit_code"]
    assert "could not be written" in doc["error"]["message"]  # type: ignore[index]
