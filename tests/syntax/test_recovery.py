"""Error recovery: one `check` reports every problem it can.

After a syntax error the parser drops the broken statement (or closes the block that was
left open, or stands in for a missing string) and goes on; ``check`` resolves the
statements that parsed, so name and value errors elsewhere in the file are reported in the
same run.  A `#` or `/* */` comment is one diagnostic, not a cascade.
"""

from __future__ import annotations

from seedance_dsl.check import check_text
from seedance_dsl.syntax import nodes as n
from seedance_dsl.syntax.parser import parse_text

FIVE_INDEPENDENT = """\
storyboard "Five independent mistakes"

asset station image "https://cdn.example.com/station.png"

clip a {
  duration 5s
  start
  shot { action "a train arrives" }
}

clip b {
  shot { action "a train leaves" camera }
}

clip c {
  start statoin
  shot { action "the platform empties" }
}

clip d {
  aspect 16:10
  start station
  shot { action "night falls" }
}

clip e {
  start a.last_frame
  shot { action "the end" "x" }
}
"""


def codes(text: str) -> list[str]:
    return [d.code for d in check_text(text, "t.shot").diagnostics]


def test_syntax_name_and_value_errors_are_all_reported_in_one_check() -> None:
    got = check_text(FIVE_INDEPENDENT, "t.shot").diagnostics
    assert [(d.code, d.span.line if d.span else 0) for d in got] == [
        ("SHOT101", 8),  # `start` without a name (found `shot`)
        ("SHOT101", 12),  # `camera` without a value (found `}`)
        ("SHOT201", 16),  # unknown asset `statoin`
        ("SHOT209", 21),  # `16:10` is not a valid aspect
        ("SHOT101", 28),  # a stray string in a shot
    ]


def test_parse_text_partial_keeps_every_statement_that_parsed() -> None:
    whole, diags = parse_text(FIVE_INDEPENDENT, "t.shot")
    assert whole is None and diags  # the default: no tree when the grammar failed
    sb, diags2 = parse_text(FIVE_INDEPENDENT, "t.shot", partial=True)
    assert sb is not None and diags2 == diags
    assert [c.name.name for c in sb.clips] == ["a", "b", "c", "d", "e"]
    a = sb.clips[0]
    assert [type(i).__name__ for i in a.items] == ["Setting", "Shot"]  # `start` dropped
    b_shot = sb.clips[1].shots[0]
    assert [f.key for f in b_shot.items if isinstance(f, n.ShotField)] == ["action"]


def test_a_block_left_open_is_closed_and_kept() -> None:
    text = (
        'asset station image "https://cdn.example.com/s.png"\n'
        "clip a {\n"
        "  start station\n"
        '  shot { action "a train arrives"\n'
        "clip b {\n"
        "  start a.last_frame\n"
        "  aspect 4:4\n"
        '  shot { action "it leaves" }\n'
        "}\n"
        "clip c {\n"
        "  start b.last_frame\n"
        '  shot { action "still open at the end" }\n'
    )
    got = check_text(text, "t.shot").diagnostics
    # the missing `}`s are reported; `a` and `c` are still clips, so `a.last_frame` is
    # known, the bad aspect of `b` is reported and `station` counts as used
    assert [d.code for d in got] == ["SHOT104", "SHOT209", "SHOT104"]
    sb, _ = parse_text(text, "t.shot", partial=True)
    assert sb is not None and [c.name.name for c in sb.clips] == ["a", "b", "c"]
    assert len(sb.clips[0].shots) == 1 and len(sb.clips[2].shots) == 1


def test_a_missing_string_is_stood_in_for_so_the_declaration_stays() -> None:
    text = (
        "asset station image\n"
        "clip a {\n  start station\n  seed abc\n  shot { subject station }\n}\n"
        'import\nclip b { shot { action "x" } }\n'
    )
    got = check_text(text, "t.shot").diagnostics
    # no "unknown asset `station`" echo, no attempt to import an empty path
    assert [d.code for d in got] == ["SHOT101", "SHOT211", "SHOT101"]


def test_the_rest_of_a_broken_statement_is_kept_when_it_is_whole() -> None:
    text = 'clip a {\n  use standard without\n  shot { action "x" }\n}\n'
    sb, diags = parse_text(text, "t.shot", partial=True)
    assert [d.code for d in diags] == ["SHOT101"]
    assert sb is not None
    use = sb.clips[0].items[0]
    assert isinstance(use, n.UsePackage) and use.package.name == "standard"


def test_a_hash_comment_is_one_diagnostic_and_parsing_goes_on() -> None:
    text = (
        "# the clip shows the station\n"
        "clip a {\n"
        "  duration 5s   # five seconds, as in the clip before\n"
        "  aspect 3:2\n"
        '  shot { action "a train arrives" }\n'
        "}\n"
    )
    got = check_text(text, "t.shot").diagnostics
    assert [(d.code, d.span.line if d.span else 0) for d in got] == [
        ("SHOT102", 1),
        ("SHOT102", 3),
        ("SHOT209", 4),  # the next real mistake is still found
    ]
    first = got[0]
    assert "//" in first.message and first.span is not None
    assert (first.span.column, first.span.end_column) == (1, 29)  # the whole comment


def test_a_block_comment_is_one_diagnostic() -> None:
    text = (
        "/* clip old {\n"
        "     shot { } , ; @\n"
        "   } */\n"
        "clip a {\n"
        '  shot { action "x" }  /* trailing */\n'
        "  tier platinum\n"
        "}\n"
    )
    got = check_text(text, "t.shot").diagnostics
    assert [(d.code, d.span.line if d.span else 0) for d in got] == [
        ("SHOT102", 1),
        ("SHOT102", 5),
        ("SHOT209", 6),
    ]
    assert all("//" in d.message for d in got[:2])
    assert got[0].span is not None and (got[0].span.end_line, got[0].span.end_column) == (3, 8)


def test_an_unclosed_block_comment_is_one_diagnostic() -> None:
    text = 'clip a { shot { action "x" } }\n/* never closed\nclip b { shot { } }\n'
    _, diags = parse_text(text, "t.shot")
    assert [d.code for d in diags] == ["SHOT102"]
    assert "never closed" in diags[0].message


def test_recovery_still_stops_after_many_errors() -> None:
    many = "\n".join(f"asset a{i} imgae\nclip c{i} {{ start }}" for i in range(200))
    sb, diags = parse_text(many, "t.shot", partial=True)
    assert sb is None and diags[-1].code == "SHOT113"
