"""House templates: the bytecode cache never serves a stale template, caching can be
switched off, and template errors point at the template's file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from seedance_dsl.compiler import compile_text

SHOT = 'storyboard "T"\ntemplate "house.j2"\nclip a { shot { action "a cat jumps" } }\n'


@pytest.mark.parametrize("cache", ["on", "off"])
def test_an_edited_template_is_never_served_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: str
) -> None:
    monkeypatch.setenv("SEEDANCE_CACHE_DIR", str(tmp_path / "cache") if cache == "on" else "off")
    (tmp_path / "house.j2").write_text("FIRST {{ shots[0].action }}\n")
    path = str(tmp_path / "film.shot")
    assert compile_text(SHOT, path).clips[0].prompt == "FIRST a cat jumps"
    (tmp_path / "house.j2").write_text("SECOND {{ shots[0].action | upper }}\n")
    assert compile_text(SHOT, path).clips[0].prompt == "SECOND A CAT JUMPS"
    cached = list((tmp_path / "cache" / "templates").glob("*")) if cache == "on" else []
    assert bool(cached) == (cache == "on")


def test_template_error_snippet_source_is_kept(tmp_path: Path) -> None:
    (tmp_path / "house.j2").write_text("line one\n{{ clip.nmae }}\n")
    compiled = compile_text(SHOT, str(tmp_path / "film.shot"))
    (d,) = compiled.diagnostics
    assert d.code == "SHOT503" and d.span is not None
    assert d.span.file.endswith("house.j2") and d.span.line == 2
    assert compiled.sources[d.span.file].startswith("line one")
    assert d.labels and d.labels[0].span.line == 2  # the `template` line of the .shot
    assert not compiled.ok and not compiled.clips[0].valid


def test_cli_template_overrides_the_declared_one(tmp_path: Path) -> None:
    (tmp_path / "house.j2").write_text("HOUSE\n")
    (tmp_path / "other.j2").write_text("OTHER {{ clip.mode }}\n")
    compiled = compile_text(SHOT, str(tmp_path / "film.shot"), template=tmp_path / "other.j2")
    assert compiled.clips[0].prompt == "OTHER text-to-video"
