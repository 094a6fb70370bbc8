"""The `cut { ... }` block's checks (more in tests/syntax/cases/44_cut_block.shot)."""

from __future__ import annotations

from seedance_dsl.check import check_text

BASE = """storyboard "x"

clip a {
  duration 4s
  shot { action "one" }
}

clip b {
  shot 2s { action "two" }
  shot 2s { action "three" }
}
"""


def codes(block: str) -> list[str]:
    return [d.code for d in check_text(BASE + block, "f.shot").diagnostics]


def test_a_block_that_fits_is_clean() -> None:
    assert codes("cut {\n  b trim 0s..3s\n  a fade 2.9s\n}\n") == []
    assert codes("cut {}\n") == []


def test_a_clip_lasts_its_shots_when_it_has_no_duration() -> None:
    assert codes("cut { b trim 1s..4.5s }\n") == ["SHOT232"]  # b's shots: 4 s


def test_a_fade_after_an_unknown_clip_is_not_called_the_first() -> None:
    assert codes("cut {\n  x\n  a fade 1s\n}\n") == ["SHOT230"]
    assert codes("cut {\n  b trim 0s..3s\n  a fade 3s\n}\n") == ["SHOT233"]  # b keeps 3 s
