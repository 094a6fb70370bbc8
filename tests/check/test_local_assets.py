"""Local assets: a path (no scheme) is a local file, checked at the asset's line and
compiled to a marked placeholder that ``CompiledClip.resolve(assets=...)`` fills."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seedance_dsl.check import check_file
from seedance_dsl.compiler import MissingLocalAsset, compile_file, local_placeholder
from seedance_dsl.compiler.output import to_json
from seedance_dsl.syntax.codes import lookup

SHOT = """storyboard "Local"

asset hero image "refs/hero.png"

clip one {
  start hero
  text "a red card"
}
"""


def _still(path: Path) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 36), (200, 40, 40)).save(path)


def test_a_local_image_checks_clean_and_is_no_longer_shot312(tmp_path: Path) -> None:
    _still(tmp_path / "refs" / "hero.png")
    (tmp_path / "t.shot").write_text(SHOT)
    result = check_file(tmp_path / "t.shot")
    assert result.ok, result.diagnostics
    assert result.storyboard is not None
    local = result.storyboard.assets["hero"].local
    assert local is not None and local.path == str((tmp_path / "refs" / "hero.png").resolve())


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        (lambda p: None, "SHOT260"),
        (lambda p: (p / "refs" / "hero.png").mkdir(parents=True), "SHOT262"),
        (lambda p: (p / "refs").mkdir() or (p / "refs" / "hero.png").write_text("no"), "SHOT266"),
    ],
)
def test_a_local_problem_is_a_diagnostic_at_the_asset_line(
    tmp_path: Path, setup: object, code: str
) -> None:
    setup(tmp_path)  # type: ignore[operator]
    (tmp_path / "t.shot").write_text(SHOT)
    result = check_file(tmp_path / "t.shot")
    assert [d.code for d in result.diagnostics] == [code]
    d = result.diagnostics[0]
    assert d.span is not None and (d.span.line, d.span.column) == (3, 18)
    assert d.help
    assert lookup(code) is not None


def test_the_wrong_kind_names_the_right_declaration(tmp_path: Path) -> None:
    _still(tmp_path / "refs" / "hero.png")
    (tmp_path / "t.shot").write_text(SHOT.replace("hero image", "hero video"))
    result = check_file(tmp_path / "t.shot")
    assert [d.code for d in result.diagnostics][:1] == ["SHOT265"]


def test_the_path_is_relative_to_the_declaring_import(tmp_path: Path) -> None:
    _still(tmp_path / "lib" / "refs" / "hero.png")
    (tmp_path / "lib" / "studio.shot").write_text('asset hero image "refs/hero.png"\n')
    (tmp_path / "t.shot").write_text(
        'storyboard "x"\nimport "lib/studio.shot"\nclip one { start hero text "go" }\n'
    )
    assert check_file(tmp_path / "t.shot").ok


def test_outside_the_project_is_refused(tmp_path: Path) -> None:
    _still(tmp_path / "hero.png")
    (tmp_path / "films").mkdir()
    (tmp_path / "films" / "t.shot").write_text(SHOT.replace("refs/hero.png", "../hero.png"))
    result = check_file(tmp_path / "films" / "t.shot", roots=[])
    assert [d.code for d in result.diagnostics] == ["SHOT261"]


def test_compile_marks_the_placeholder_and_resolve_fills_it(tmp_path: Path) -> None:
    _still(tmp_path / "refs" / "hero.png")
    (tmp_path / "t.shot").write_text(SHOT)
    compiled = compile_file(tmp_path / "t.shot")
    assert compiled.ok
    clip = compiled.clip("one")
    assert clip.payload["image_url"] == local_placeholder("hero", "refs/hero.png")
    assert clip.has_placeholders
    envelope = json.loads(json.dumps(to_json(compiled)))
    (entry,) = envelope["clips"][0]["local_inputs"]
    assert entry["field"] == "image_url" and entry["path"] == "refs/hero.png"
    assert len(entry["sha256"]) == 64
    with pytest.raises(MissingLocalAsset, match=r"refs/hero\.png"):
        clip.resolve({})
    request = clip.resolve({}, assets={"hero": "https://cdn.example.com/sha256/ab.png"})
    assert request.image_url == "https://cdn.example.com/sha256/ab.png"


def test_a_local_reference_in_media_urls_is_filled_by_index(tmp_path: Path) -> None:
    _still(tmp_path / "refs" / "hero.png")
    (tmp_path / "t.shot").write_text(SHOT.replace("start hero", "ref hero as character"))
    clip = compile_file(tmp_path / "t.shot").clip("one")
    request = clip.resolve({}, assets={"hero": "https://cdn.example.com/h.png"})
    assert request.media_urls == ["https://cdn.example.com/h.png"]
