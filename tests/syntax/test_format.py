"""The formatter: canonical, idempotent, meaning-preserving, comments kept."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings

from seedance_dsl.syntax import nodes as n
from seedance_dsl.syntax.format import format_storyboard, format_text, quote
from seedance_dsl.syntax.parser import parse_text

from .strategies import prose, storyboards

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").rglob("*.shot"))


def fmt(text: str) -> str:
    out, diags = format_text(text)
    assert out is not None, diags
    return out


def test_examples_are_canonical() -> None:
    assert len(EXAMPLES) >= 5
    for path in EXAMPLES:
        text = path.read_text(encoding="utf-8")
        assert fmt(text) == text, f"{path.name} is not in the canonical layout"


MESSY = """\
// file header

storyboard   "Messy"   // the title
defaults{tier standard
aspect 16:9 // wide
}
asset b image "https://x/b.png"
asset longer_name video "https://x/v.mp4" // trailing


asset c image "https://x/c.png"
// about the clip
clip a { // opening
  duration 5s start b ref longer_name as motion
  // before the shot
  shot 2s { action "one" camera "two" } // after the shot
  shot { subject b  // who
    action \"\"\"
        line one
          indented
        \"\"\" }
  use standard without subtitles, "stable faces"
  // closing comment
}
// end of file
"""


def test_messy_input_formats_canonically_and_keeps_every_comment() -> None:
    out = fmt(MESSY)
    before, _ = parse_text(MESSY)
    after, _ = parse_text(out)
    assert before is not None and after is not None
    assert before == after
    assert [c.text.strip() for c in before.comments] == [c.text.strip() for c in after.comments]
    assert fmt(out) == out
    assert "defaults {\n  tier   standard\n  aspect 16:9  // wide\n}" in out
    assert 'asset b           image "https://x/b.png"' in out
    assert "\n\nasset c image" in out  # the blank line between asset groups is kept
    assert "clip a {  // opening" in out
    assert '  shot 2s { action "one"  camera "two" }  // after the shot' in out
    assert (
        '    subject b  // who\n    action  """\n      line one\n        indented\n      """' in out
    )
    assert out.endswith("}\n\n// end of file\n")


def test_long_shots_and_multiline_strings_break_over_lines() -> None:
    text = 'clip a { shot { action "' + "x" * 90 + '" } }'
    out = fmt(text)
    assert "  shot {\n    action" in out


def test_strings_that_cannot_be_triple_quoted_stay_on_one_line() -> None:
    for value in ['a"""b\nc', "  both\n  indented", "tab\\slash\nx", "ws \n  \nx", "a\rb\nc"]:
        literal = quote(value)
        sb, diags = parse_text(f"storyboard {literal}")
        assert not diags and sb is not None and sb.title == n.Text(value), literal


def test_file_with_errors_is_not_formatted() -> None:
    out, diags = format_text('clip a { shot { camra "x" } }')
    assert out is None
    assert [d.code for d in diags] == ["SHOT105"]


def test_empty_and_comment_only_files() -> None:
    assert fmt("") == ""
    assert fmt("// only a comment\n") == "// only a comment\n"
    assert fmt("\n\n// a\n\n// b\n") == "// a\n\n// b\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(storyboards)
def test_generated_trees_round_trip(sb: n.Storyboard) -> None:
    text = format_storyboard(sb)
    parsed, diags = parse_text(text)
    assert not diags, (text, diags)
    assert parsed == sb, text
    # fmt(fmt(x)) == fmt(x), and parse(fmt(x)) == parse(x) for the text form too
    again = format_storyboard(parsed, text)
    assert again == text
    reparsed, _ = parse_text(again)
    assert reparsed == parsed


@settings(max_examples=80, deadline=None)
@given(prose)
def test_quote_reads_back_exactly(t: n.Text) -> None:
    sb, diags = parse_text(f"storyboard {quote(t.value)}")
    assert not diags
    assert sb is not None and sb.title == t


def test_formatting_is_independent_of_input_layout(tmp_path: Path) -> None:
    one_line = 'storyboard "x" asset a image "u" clip c { start a shot 3s { action "go" } }'
    spread = 'storyboard "x"\n\nasset a image "u"\n\nclip c {\n start a\n shot 3s {\n  action "go"\n }\n}\n'
    assert fmt(one_line) == fmt(spread)


def test_cut_block_formats_canonically_and_round_trips() -> None:
    messy = (
        'storyboard "x"\nclip a { }\ncut { a   trim 0.50s..4s\n'
        "  bb fade 0.5s // into bb\n  ccc trim 0s..1.25s fade 0.250s }\n"
    )
    want = (
        'storyboard "x"\n\nclip a {}\n\ncut {\n'
        "  a   trim 0.5s..4s\n"
        "  bb  fade 0.5s  // into bb\n"
        "  ccc trim 0s..1.25s fade 0.25s\n}\n"
    )
    out = fmt(messy)
    assert out == want
    assert fmt(out) == out
    a, _ = parse_text(messy, "a.shot")
    b, _ = parse_text(out, "b.shot")
    assert a == b and a is not None
    cut = a.items[-1]
    assert isinstance(cut, n.CutDecl)
    assert cut.entries[2] == n.CutEntry(
        n.Ident("ccc"), n.Trim(n.Duration(0), n.Duration(1250)), n.Duration(250)
    )
