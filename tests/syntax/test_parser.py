"""The parser: the tree it builds, spans, strings, comments, layout freedom."""

from __future__ import annotations

from pathlib import Path

from seedance_dsl.syntax import nodes as n
from seedance_dsl.syntax.parser import parse_file, parse_text

ROOT = Path(__file__).resolve().parents[2]


def parse_ok(text: str) -> n.Storyboard:
    sb, diags = parse_text(text, "t.shot")
    assert sb is not None and not diags, diags
    return sb


def test_sketch_example_parses_to_the_expected_tree() -> None:
    sb = parse_ok(
        """
storyboard "Glass Train"
defaults { tier standard aspect 16:9 audio on }
asset station image "https://cdn.example.com/station.png"
package cinematic {
  style "35mm film"
  keep stable faces, natural motion
  avoid deformation, watermark
}
clip arrival {
  duration 8s
  start station
  ref conductor as character
  use cinematic
  shot 3s { subject "a glass train" camera "slow aerial dolly-in" }
}
clip departure {
  start arrival.last_frame
  extend arrival
  use standard without subtitles, "stable faces"
  shot { action "the train pulls away"  camera "static wide" }
}
"""
    )
    assert sb.title == n.Text("Glass Train")
    defaults, asset, package, arrival, departure = sb.items
    assert defaults == n.Defaults(
        (
            n.Setting(n.Ident("tier"), n.SettingValue("standard", "word")),
            n.Setting(n.Ident("aspect"), n.SettingValue("16:9", "ratio")),
            n.Setting(n.Ident("audio"), n.SettingValue("on", "switch")),
        )
    )
    assert asset == n.AssetDecl(
        n.Ident("station"), "image", n.Text("https://cdn.example.com/station.png")
    )
    assert package.items[1] == n.ConstraintItem(
        "keep", (n.Ident("stable faces"), n.Ident("natural motion"))
    )
    assert arrival.items[2] == n.RoleDecl("character", n.Ident("conductor"))
    assert arrival.shots[0] == n.Shot(
        n.Duration(3000),
        (
            n.ShotField("subject", n.Text("a glass train")),
            n.ShotField("camera", n.Text("slow aerial dolly-in")),
        ),
    )
    assert departure.items[0] == n.RoleDecl("start", n.ClipOutput(n.Ident("arrival"), "last_frame"))
    assert departure.items[1] == n.RoleDecl("extension", n.Ident("arrival"))
    assert departure.items[2] == n.UsePackage(
        n.Ident("standard"), (n.Ident("subtitles"), n.Ident("stable faces"))
    )


def test_spans_are_one_based_and_exclusive() -> None:
    sb = parse_ok('clip a {\n  shot { camera "dolly" }\n}\n')
    clip = sb.clips[0]
    field = clip.shots[0].items[0]
    assert (field.span.line, field.span.column, field.span.end_line, field.span.end_column) == (
        2,
        10,
        2,
        24,
    )
    assert field.span.file == "t.shot"
    assert clip.span.line == 1 and clip.span.end_line == 3
    text = 'clip a {\n  shot { camera "dolly" }\n}\n'
    assert text[field.span.start_pos : field.span.end_pos] == 'camera "dolly"'


def test_layout_is_free() -> None:
    one = parse_ok('clip a { duration 5s shot 2s { action "x" camera "y" } }')
    many = parse_ok('clip a {\n duration\n 5s\n shot\n 2s\n {\n action\n "x"\n camera "y"\n }\n}')
    assert one == many


def test_strings_escapes_and_dedented_multiline() -> None:
    sb = parse_ok(
        'storyboard "a \\"q\\" \\\\ \\n \\t \\u00e9"\n'
        'clip c { text """\n    first\n      second\n\n    third\n    """ }\n'
    )
    assert sb.title == n.Text('a "q" \\ \n \t é')
    clip_text = sb.clips[0].items[0]
    assert clip_text == n.ClipText(n.Text("first\n  second\n\nthird"))


def test_library_file_without_header_and_comments_collected() -> None:
    sb = parse_ok('// lib\nasset a image "u" // the hero\npackage p { avoid logo }\n')
    assert sb.title is None
    assert [c.text for c in sb.comments] == [" lib", " the hero"]
    assert sb.comments[1].span.line == 2


def test_url_with_double_slash_is_not_a_comment() -> None:
    sb = parse_ok('asset a image "https://x.example/a//b.png"')
    assert sb.comments == ()


def test_statement_words_can_be_names_where_unambiguous() -> None:
    sb = parse_ok('asset end image "u"\nclip c { start end shot { subject end style "s" } }')
    assert sb.clips[0].items[0] == n.RoleDecl("start", n.Ident("end"))


def test_durations() -> None:
    sb = parse_ok("clip c { shot 1.5s {} shot 0.25s {} shot 12s {} }")
    assert [s.duration.millis for s in sb.clips[0].shots if s.duration] == [1500, 250, 12000]


def test_every_error_of_a_file_is_reported() -> None:
    text = (
        'asset a imgae "u"\n'
        'clip b { shot 3 { camra "x" } start a.frame }\n'
        "clip c { ref a as hero  tier @ standard }\n"
        'clip d { shot { action "open\n'
    )
    sb, diags = parse_text(text, "t.shot")
    assert sb is None
    assert [d.code for d in diags] == [
        "SHOT108",
        "SHOT106",
        "SHOT105",
        "SHOT109",
        "SHOT110",
        "SHOT102",
        "SHOT103",
        "SHOT104",
    ]


def test_parse_file_reports_missing_and_binary_files(tmp_path: Path) -> None:
    sb, diags = parse_file(tmp_path / "none.shot")
    assert sb is None and [d.code for d in diags] == ["SHOT001"]
    (tmp_path / "bin.shot").write_bytes(b"\xff\xfe\x00")
    sb, diags = parse_file(tmp_path / "bin.shot")
    assert sb is None and [d.code for d in diags] == ["SHOT002"]
    (tmp_path / "bom.shot").write_bytes('\ufeffstoryboard "x"'.encode())
    sb, diags = parse_file(tmp_path / "bom.shot")
    assert sb is not None and sb.title == n.Text("x") and not diags
    sb, diags = parse_file(tmp_path)
    assert sb is None and [d.code for d in diags] == ["SHOT005"]


def test_examples_parse() -> None:
    for p in sorted((ROOT / "examples").rglob("*.shot")):
        sb, diags = parse_file(p)
        assert sb is not None and not diags, (p, diags)
