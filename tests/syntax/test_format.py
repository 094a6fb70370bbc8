"""The formatter: canonical, idempotent, meaning-preserving, comments kept."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# ---------------------------------------------------------------------------- comments
# (the generated trees above have no comments: these cases and the property below put
# comments everywhere one can go, and every one must come out, once, where it belongs)

SECOND_COMMENT = """\
clip a {
  ref x // one
    as character // two
  duration 5s
}
clip b {
  duration 5s
  ref x // three
    as character // four
}
"""
SECOND_COMMENT_FORMATTED = """\
clip a {
  ref      x as character  // one
  // two
  duration 5s
}

clip b {
  duration 5s
  ref      x as character  // three
  // four
}
"""

CLOSING = """\
defaults { tier standard
  // closing defaults
}
package p { style "s"
  // closing package
  // and a second line
}
clip a { shot { action "x"
    // closing shot
  }
  // closing clip
}
cut { a
  // closing cut
}
"""
CLOSING_FORMATTED = """\
defaults {
  tier standard
  // closing defaults
}

package p {
  style "s"
  // closing package
  // and a second line
}

clip a {
  shot {
    action "x"
    // closing shot
  }
  // closing clip
}

cut {
  a
  // closing cut
}
"""


def test_a_second_comment_on_a_statement_is_kept() -> None:
    assert fmt(SECOND_COMMENT) == SECOND_COMMENT_FORMATTED
    assert fmt(SECOND_COMMENT_FORMATTED) == SECOND_COMMENT_FORMATTED


def test_closing_comments_of_every_kind_of_block_are_kept() -> None:
    assert fmt(CLOSING) == CLOSING_FORMATTED
    assert fmt(CLOSING_FORMATTED) == CLOSING_FORMATTED
    # the same in blocks that hold nothing but the comment
    empty = CLOSING.replace(' style "s"', "").replace(" tier standard", "")
    out = fmt(empty)
    for word in ("defaults", "package", "shot", "clip", "cut"):
        assert out.count(f"// closing {word}") == 1, (word, out)
    assert fmt(out) == out


def _comment_spots(sb: n.Storyboard, text: str) -> list[tuple[int, str]]:
    """Where a comment can go in ``text`` (the formatted ``sb``): after the end of any
    node (a token's end: a trailing comment, also in the middle of a statement), and on
    a line of its own before any block's `}` (a closing comment)."""
    spots: set[tuple[int, str]] = set()

    def walk(node: object) -> None:
        span = getattr(node, "span", None)
        if span is not None and span.end_pos > span.start_pos:
            spots.add((span.end_pos, "trail"))
            if isinstance(
                node, n.Defaults | n.PackageDecl | n.MemberDecl | n.ClipDecl | n.Shot | n.CutDecl
            ):
                spots.add((span.end_pos - 1, "close"))
        for name in getattr(node, "__dataclass_fields__", {}):
            value = getattr(node, name)
            for child in value if isinstance(value, tuple) else (value,):
                if hasattr(child, "__dataclass_fields__") and not isinstance(child, n.Span):
                    walk(child)

    for item in sb.items:
        walk(item)
    if sb.title is not None:
        walk(sb.title)
    return sorted(spots)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(storyboards, st.data())
def test_generated_trees_with_comments_keep_every_comment(
    sb: n.Storyboard, data: st.DataObject
) -> None:
    text = format_storyboard(sb)
    spanned, _ = parse_text(text)
    assert spanned is not None
    spots = _comment_spots(spanned, text)
    if not spots:
        return
    chosen = data.draw(st.lists(st.sampled_from(spots), unique=True, max_size=8))
    commented = text
    for i, (pos, kind) in enumerate(sorted(chosen, reverse=True)):
        comment = f"// c{i}\n" if kind == "trail" else f"\n// c{i}\n"
        commented = commented[:pos] + " " + comment + commented[pos:]
    before, diags = parse_text(commented)
    assert before is not None and not diags, (commented, diags)
    assert before == sb, commented  # comments change nothing else
    out = fmt(commented)
    after, _ = parse_text(out)
    assert after == sb, (commented, out)
    want = sorted(c.text.strip() for c in before.comments)
    assert sorted(c.text.strip() for c in after.comments) == want, (commented, out)
    assert fmt(out) == out, (commented, out)
