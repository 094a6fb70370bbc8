"""Resolution: names, imports, clip graph, defaults merged, values checked."""

from __future__ import annotations

from pathlib import Path

from seedance_dsl.check import (
    STANDARD_PACKAGE,
    ClipOutputRef,
    check_file,
    check_text,
    resolve_text,
)
from seedance_dsl.syntax import nodes as n

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def codes(text: str, path: str = "t.shot") -> list[str]:
    """The resolver's codes for ``text``; SHOT011 (no clips: many snippets here have none)
    is left out — tests/check/test_empty.py is about it."""
    return [d.code for d in resolve_text(text, path).diagnostics if d.code != "SHOT011"]


def test_examples_are_clean() -> None:
    for p in sorted(EXAMPLES.glob("*.shot")):
        result = check_file(p)
        assert result.ok and not result.diagnostics, (p, result.diagnostics)


def test_teaser_graph_settings_and_imports() -> None:
    result = check_file(EXAMPLES / "teaser.shot")
    sb = result.storyboard
    assert sb is not None
    assert sb.title == "Halo Lamp — Launch Teaser"
    assert [c.name for c in sb.clips] == ["reveal", "glow", "app", "packshot"]
    assert sb.clip("glow").depends_on == ("reveal",)
    assert sb.clip("packshot").depends_on == ("app",)
    glow = sb.clip("glow")
    start = glow.roles[0]
    assert start.role == "start" and isinstance(start.source, ClipOutputRef)
    assert start.source.clip == "reveal" and start.source.output == "last_frame"
    # defaults merged; a clip's own setting wins, and its span says where it came from
    app = sb.clip("app")
    assert app.settings["duration"].value.text == "4s"
    assert app.settings["duration"].span.line > sb.clip("reveal").settings["tier"].span.line
    assert app.settings["tier"].value.text == "standard"
    assert (
        "mode" not in app.settings
        and sb.clip("reveal").settings["mode"].value.text == "image-to-video"
    )
    # imported assets and packages are visible, and every file read is in sources
    assert "studio_set" in sb.assets and "studio_look" in sb.packages
    assert any(k.endswith("lib/studio.shot") for k in result.sources)
    packshot = sb.clip("packshot")
    standard = next(u for u in packshot.uses if u.package.name == "standard")
    assert standard.without == ("subtitles",)


def test_builtin_standard_package_is_g8() -> None:
    assert STANDARD_PACKAGE.builtin and STANDARD_PACKAGE.decl is None
    assert [i.name for i in STANDARD_PACKAGE.keep] == ["stable faces", "natural motion"]
    assert [i.name for i in STANDARD_PACKAGE.avoid] == [
        "deformation",
        "watermark",
        "logo",
        "subtitles",
    ]


def test_extend_a_clip_is_its_video() -> None:
    result = check_text('clip a { shot { action "x" } }\nclip b { extend a shot { action "y" } }')
    assert result.ok
    b = result.storyboard.clip("b")  # type: ignore[union-attr]
    assert b.roles[0].role == "extension"
    assert b.roles[0].source == ClipOutputRef("a", "video", b.roles[0].source.span)  # type: ignore[union-attr]
    assert b.depends_on == ("a",)


def test_five_different_mistakes_give_five_precise_diagnostics() -> None:
    text = (EXAMPLES.parent / "tests/syntax/cases/35_five_mistakes.shot").read_text()
    result = check_text(text, "five.shot")
    got = [(d.code, d.span.line if d.span else 0) for d in result.diagnostics]
    assert got == [
        ("SHOT210", 8),
        ("SHOT201", 9),
        ("SHOT202", 10),
        ("SHOT105", 11),
        ("SHOT203", 15),
    ]
    messages = [d.message for d in result.diagnostics]
    assert "did you mean `station`?" in messages[1]
    assert "did you mean `cinematic`?" in messages[2]
    assert "did you mean `camera`?" in messages[3]
    assert "did you mean `arrival`?" in messages[4]


def test_imports_are_relative_to_the_importing_file(tmp_path: Path) -> None:
    (tmp_path / "films" / "lib" / "deep").mkdir(parents=True)
    (tmp_path / "films" / "lib" / "team.shot").write_text(
        'import "deep/base.shot"\npackage house { style "x" }\n'
    )
    (tmp_path / "films" / "lib" / "deep" / "base.shot").write_text(
        'asset hero image "https://cdn.example.com/hero.png"\n'
    )
    main = tmp_path / "films" / "film.shot"
    main.write_text('import "lib/team.shot"\nclip a { start hero use house shot { action "x" } }\n')
    result = check_file(main)
    assert result.ok, result.diagnostics
    assert set(result.storyboard.assets) == {"hero"}  # type: ignore[union-attr]
    # the hash covers the imports: changing a library changes it
    before = result.storyboard.source_hash  # type: ignore[union-attr]
    (tmp_path / "films" / "lib" / "deep" / "base.shot").write_text(
        'asset hero image "https://cdn.example.com/hero-2.png"\n'
    )
    assert check_file(main).storyboard.source_hash != before  # type: ignore[union-attr]


def test_import_cycle_is_reported_not_looped(tmp_path: Path) -> None:
    (tmp_path / "a.shot").write_text('import "b.shot"\nasset x image "https://cdn.example.com/u"\n')
    (tmp_path / "b.shot").write_text('import "a.shot"\n')
    (tmp_path / "main.shot").write_text('import "a.shot"\nclip c { start x shot {} }\n')
    result = check_file(tmp_path / "main.shot")
    assert [d.code for d in result.diagnostics] == ["SHOT004"]
    assert "a.shot → b.shot → a.shot" in result.diagnostics[0].message
    # a file importing itself
    (tmp_path / "self.shot").write_text('import "self.shot"\n')
    self_diags = check_file(tmp_path / "self.shot").diagnostics
    assert [d.code for d in self_diags if d.code != "SHOT011"] == ["SHOT004"]


def test_template_path_is_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "f.shot").write_text('template "t/house.j2"\n')
    sb = check_file(tmp_path / "f.shot").storyboard
    assert sb is not None and sb.template_path == str(tmp_path / "t" / "house.j2")


def test_role_kinds() -> None:
    assert codes(
        'asset v video "https://cdn.example.com/u"\nasset i image "https://cdn.example.com/u"\n'
        "clip a { start v end i ref i as motion ref v as character source i shot {} }"
    ) == ["SHOT207", "SHOT207", "SHOT207"]


def test_setting_values_come_from_the_contract() -> None:
    from seedance_dsl.api.spec import CONTRACT

    for tier in CONTRACT.quality_tiers:
        assert codes(f"defaults {{ tier {tier} }}") == []
    for aspect in CONTRACT.aspect_ratios:
        assert codes(f"defaults {{ aspect {aspect} }}") == []
    assert codes(f"defaults {{ duration {CONTRACT.duration_max}s seed {CONTRACT.seed_max} }}") == []
    assert codes(f"defaults {{ duration {CONTRACT.duration_max + 1}s }}") == ["SHOT210"]
    assert codes(f"defaults {{ seed {CONTRACT.seed_min - 1} }}") == ["SHOT211"]
    assert codes('defaults { aspect "16:9" }') == []  # quoting a word is fine


def test_unused_assets_warn_only_when_nothing_else_is_wrong() -> None:
    result = resolve_text('asset a image "https://cdn.example.com/u"\nclip c { shot {} }')
    assert [(d.code, d.severity) for d in result.diagnostics] == [("SHOT206", "warning")]
    assert result.ok
    assert codes('asset a image "https://cdn.example.com/u"\nclip c { use nope shot {} }') == [
        "SHOT202"
    ]


def test_clip_in_checked_model_keeps_syntax() -> None:
    result = check_text('clip a { text "hello" shot 2s { action "x" } }')
    clip = result.storyboard.clip("a")  # type: ignore[union-attr]
    assert clip.texts == (n.ClipText(n.Text("hello")),)
    assert clip.shots[0].duration == n.Duration(2000)
