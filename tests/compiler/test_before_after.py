"""The "Done when" comparison of issue 11: docs/examples/night_shift_before.shot (the first
edition's way) and night_shift_after.shot (cast and shared defaults) send the same
references in the same order, and the 'after' describes each member once per clip."""

from __future__ import annotations

from pathlib import Path

from seedance_dsl.compiler import compile_file

DOCS = Path(__file__).resolve().parents[2] / "docs" / "examples"
LOOKS = (
    "a nurse in her thirties, short dark hair, navy scrubs",
    "a tall man in his thirties, grey hoodie, a kind tired face",
    "a white ring-shaped lamp with a brushed-steel base",
)


def _code_lines(p: Path) -> int:
    lines = p.read_text(encoding="utf-8").splitlines()
    return sum(1 for x in lines if x.strip() and not x.strip().startswith("//"))


def test_before_and_after_send_the_same_references() -> None:
    before = compile_file(DOCS / "night_shift_before.shot")
    after = compile_file(DOCS / "night_shift_after.shot")
    assert not before.diagnostics and not after.diagnostics
    assert [c.name for c in before.clips] == [c.name for c in after.clips]
    assert len(after.clips) == 6
    for b, a in zip(before.clips, after.clips, strict=True):
        assert b.payload.get("media_urls") == a.payload.get("media_urls"), a.name
        assert b.payload["mode"] == a.payload["mode"]
        for look in LOOKS:
            assert a.prompt.count(look) <= 1, (a.name, look)
        assert "mara" not in a.prompt and "theo" not in a.prompt and "halo " not in a.prompt
    dance = next(c for c in after.clips if c.name == "dance")
    assert all(dance.prompt.count(look) == 1 for look in LOOKS)


def _lines(p: Path) -> tuple[int, int]:
    lines = p.read_text(encoding="utf-8").splitlines()
    return len(lines), sum(1 for x in lines if x.strip())


def test_both_check_clean_and_are_canonical() -> None:
    from seedance_dsl.check import check_file
    from seedance_dsl.syntax.format import format_text

    for name in (
        "night_shift_before.shot",
        "night_shift_after.shot",
        "duet_before.shot",
        "duet_after.shot",
    ):
        path = DOCS / name
        assert check_file(path).diagnostics == (), name
        text = path.read_text(encoding="utf-8")
        assert format_text(text)[0] == text, f"{name} is not in the canonical layout"


def test_the_after_is_shorter() -> None:
    """The second edition drops every repeated `ref`, `use` and description line.  What
    is left in both files is the same: the packages, the settings and the 8 shots (about
    half of the 'before' by themselves), so the 'after' is ~80 % of it, not half
    (docs/language.md, "The cast")."""
    before, before_code = _lines(DOCS / "night_shift_before.shot")
    after, after_code = _lines(DOCS / "night_shift_after.shot")
    assert after <= 0.81 * before, (after, before)
    assert after_code <= 0.78 * before_code, (after_code, before_code)
    assert _code_lines(DOCS / "night_shift_after.shot") < _code_lines(
        DOCS / "night_shift_before.shot"
    )


DUET_LOOKS = (
    "a nurse in her thirties, short dark hair",
    "a tall man in his thirties, grey hoodie",
    "a white ring-shaped lamp with a brushed-steel base",
)


def test_a_cast_in_every_clip_is_half_the_lines() -> None:
    """Issue 11's "Done when": six clips, two recurring characters and a product in every
    one (docs/examples/duet_*.shot).  The first edition repeats four `ref` lines, two
    `use` lines and three descriptions per clip; the second says them once.  Both send
    the same references; the 'after' names each member by role and position and
    describes it once, where the 'before' called Mara's second photo another character."""
    before = compile_file(DOCS / "duet_before.shot")
    after = compile_file(DOCS / "duet_after.shot")
    assert not before.diagnostics and not after.diagnostics
    assert len(after.clips) == 6
    for b, a in zip(before.clips, after.clips, strict=True):
        assert b.payload.get("media_urls") == a.payload.get("media_urls"), a.name
        assert len(a.payload["media_urls"]) == 4
        for look in DUET_LOOKS:
            assert a.prompt.count(look) == 1, (a.name, look)
        assert "The character in reference images 1 and 2 is a main character" in a.prompt
        assert "The product in reference image 4 is" in a.prompt
        assert "reference image 2 is a main character" in b.prompt  # the first edition's
    total_b, code_b = _lines(DOCS / "duet_before.shot")
    total_a, code_a = _lines(DOCS / "duet_after.shot")
    assert total_a <= 0.6 * total_b, (total_a, total_b)
    assert code_a <= 0.56 * code_b, (code_a, code_b)
