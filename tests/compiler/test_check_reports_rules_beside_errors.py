"""`seedance check` runs the API rules on the clips the resolver found no error in, so
one run shows every problem it can; a broken top-level declaration stops them."""

from __future__ import annotations

from seedance_dsl.check import check_text
from seedance_dsl.compiler import with_rules_check

BROKEN_CLIP_AND_CLEAN_CLIP = """storyboard "x"
clip a {
  resolution 4k
  start ghost
  shot { action "a glass train crosses a bridge" }
}
clip b {
  resolution 4k
  shot { action "a glass train crosses a bridge" }
}
"""

TOP_LEVEL_ERROR = """storyboard "x"
asset a image "https://x.example/a.png"
asset a image "https://x.example/b.png"
clip b {
  resolution 4k
  shot { action "the train crosses a bridge" }
}
"""


def _codes_by_line(text: str) -> list[tuple[str, int]]:
    result = with_rules_check(check_text(text, "film.shot"))
    return [(d.code, d.span.line if d.span else 0) for d in result.diagnostics]


def test_rules_run_on_clips_without_errors_of_their_own() -> None:
    found = _codes_by_line(BROKEN_CLIP_AND_CLEAN_CLIP)
    assert ("SHOT201", 4) in found  # unknown asset `ghost` in clip a
    assert ("SHOT308", 8) in found  # resolution 4k on a standard clip b
    # clip a has an error of its own: its rules wait until it is fixed
    assert ("SHOT308", 3) not in found


def test_a_top_level_error_stops_the_rules() -> None:
    found = _codes_by_line(TOP_LEVEL_ERROR)
    assert [code for code, _ in found] == ["SHOT204"]
