"""The shared analysis: a per-clip re-check of an edit says what a full check says about
the edited clip, at the same places; the context scanner never fails."""

from __future__ import annotations

import random

from seedance_dsl.check import check_text
from seedance_dsl.lsp.analysis import analyse
from seedance_dsl.lsp.context import cursor_context
from seedance_dsl.lsp.positions import LineIndex
from seedance_dsl.syntax.diagnostics import Diagnostic


def storyboard(clips: int) -> str:
    out = ['storyboard "g"', "defaults { tier standard  duration 5s }"]
    out += [f'asset a{i} image "https://cdn.example.com/{i}.png"' for i in range(5)]
    for c in range(clips):
        out.append(f"clip c{c} {{")
        out.append("  mode image-to-video")
        out.append("  start a0" if c == 0 else f"  start c{c - 1}.last_frame")
        out.append("  use standard")
        out.append(f'  shot 2s {{ action "walks through scene {c}"  camera "slow dolly-in" }}')
        out.append(f'  shot 3s {{ subject a{c % 5}  action "turns around {c}" }}')
        out.append("}")
    return "\n".join(out) + "\n"


def key(d: Diagnostic) -> tuple[object, ...]:
    s = d.span
    where = (s.line, s.column, s.end_line, s.end_column, s.start_pos, s.end_pos) if s else ()
    return (d.code, d.message, d.help, where, tuple((lb.message, str(lb.span)) for lb in d.labels))


EDITS = [
    ('walks through scene 7"', 'runs through scene 7"'),
    (
        '  use standard\n  shot 2s { action "walks through scene 3',
        '  use standrd\n  shot 2s { action "walks through scene 3',
    ),
    ("start c11.last_frame", "start c11.last_fram"),
    ("start c4.last_frame", "start nope"),
    (
        'shot 3s { subject a2  action "turns around 7" }',
        'shot 3s { subject a2  action "turns around 7" }\n  tier ultra\n\n',
    ),
    ('"turns around 9" }', '"turns around 9" } shot 20s { action "x" }'),
    ('action "walks through scene 5"', 'actoin "walks through scene 5"'),
]


def test_per_clip_recheck_equals_full_check() -> None:
    text = storyboard(20)
    base = analyse(text, "/p/g.shot", 1)
    assert base.diagnostics == check_text(text, "/p/g.shot").diagnostics
    prev = base
    for v, (old, new) in enumerate(EDITS, 2):
        assert old in text, old
        text = text.replace(old, new, 1)
        a = analyse(text, "/p/g.shot", v, prev)
        assert not a.exact, "the edit stays in one clip: a per-clip re-check"
        assert sorted(map(key, a.diagnostics)) == sorted(
            map(key, check_text(text, "/p/g.shot").diagnostics)
        ), (old, new)
        prev = a


def test_edit_outside_a_clip_is_a_full_check() -> None:
    text = storyboard(3)
    base = analyse(text, "/p/g.shot", 1)
    base.diagnostics  # noqa: B018
    text2 = text.replace("tier standard", "tier ultra")
    a = analyse(text2, "/p/g.shot", 2, base)
    assert a.exact
    assert a.diagnostics == check_text(text2, "/p/g.shot").diagnostics


def test_random_edits_never_break_the_per_clip_recheck() -> None:
    rng = random.Random(7)
    text = storyboard(6)
    prev = analyse(text, "/p/g.shot", 1)
    prev.diagnostics  # noqa: B018
    for v in range(2, 60):
        i = rng.randint(0, len(text))
        text = (
            text[:i]
            + rng.choice(["x", " ", "}", "{", '"', "\n", "shot {", ".", ""])
            + text[i + rng.randint(0, 3) :]
        )
        a = analyse(text, "/p/g.shot", v, prev)
        got = sorted(map(key, a.diagnostics))
        if a.exact:
            continue
        want = sorted(map(key, check_text(text, "/p/g.shot").diagnostics))
        mine = {k for k in got}
        # every diagnostic of the edited clip matches; the full check may add follow-ons
        # in other clips (made exact when typing stops)
        assert mine <= set(want), (v, mine - set(want))
        prev = a


def test_positions_round_trip_utf16() -> None:
    text = "a😀b\nxé\n"
    li = LineIndex(text)
    assert li.position(2) == (0, 3)  # the emoji is two UTF-16 units
    assert li.offset(0, 3) == 2
    assert LineIndex(text, encoding="utf-8").position(5) == (1, 1)
    assert LineIndex(text, encoding="utf-32").position(2) == (0, 2)


def test_context_scanner_never_fails() -> None:
    rng = random.Random(3)
    alphabet = 'clip shot { } " """ // \n , . use without as ref x 1s..2s'
    for _ in range(300):
        text = "".join(rng.choice([*alphabet.split(" "), " ", "\n"]) for _ in range(40))
        for off in range(0, len(text) + 1, 7):
            cursor_context(text, off)
    c = cursor_context("clip a {\n  ref hero as ", 100)
    assert c.block == "clip" and c.words == ("ref", "hero", "as") and c.clip == "a"


def test_cast_members_are_declarations_and_their_uses_are_found() -> None:
    from seedance_dsl.lsp.symbols import declarations, occurrences
    from seedance_dsl.syntax.parser import parse_text

    text = (
        'asset face image "https://cdn.example.com/f.png"\n'
        'character mara { ref face  look "x" }\n'
        "product halo { ref face }\n"
        "defaults { cast halo }\n"
        'clip a {\n  omit halo\n  cast mara\n  shot { subject mara  say mara "hi" }\n}\n'
    )
    tree, diags = parse_text(text)
    assert tree is not None and not diags
    decls = declarations(tree)
    assert ("character", "mara") in decls and ("product", "halo") in decls
    uses = [(o.name, o.context) for o in occurrences(tree) if not o.is_decl]
    assert ("face", "ref") in uses and ("halo", "cast") in uses and ("halo", "omit") in uses
    assert [c for name, c in uses if name == "mara"] == ["cast", "subject", "say"]


def test_completion_knows_the_cast() -> None:
    from seedance_dsl.lsp.complete import complete

    text = (
        'asset face image "https://cdn.example.com/f.png"\n'
        'asset moves video "https://cdn.example.com/m.mp4"\n'
        'character mara { ref face  look "x" }\n'
        "product halo { ref face }\n"
        "clip a {\n  cast mara\n  ref moves as camera\n}\n"
        "character theo {\n  ref face\n}\n"
    )  # valid text (a file with errors completes from its last good analysis)
    a = analyse(text, "/p/c.shot", 1)

    def labels(marker: str) -> set[str]:
        return {i.label for i in complete(a, text.index(marker) + len(marker))}

    assert {"mara", "halo"} <= labels("  cast ")
    assert {"product", "camera", "motion"} <= labels("ref moves as ")
    got = labels("theo {\n  ref ")
    assert "face" in got and "moves" not in got  # a member's refs are images
    assert {"cast", "omit"} <= labels("clip a {\n")
