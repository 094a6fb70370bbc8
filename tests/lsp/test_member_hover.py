"""Hover on the cast: a member's name and a member's inline ``ref "https://..."``."""

from __future__ import annotations

from seedance_dsl.lsp.analysis import analyse
from seedance_dsl.lsp.hover import hover

TEXT = """\
storyboard "h"
character mara { ref "https://cdn.example.com/mara-face.png", "https://cdn.example.com/m2.png"  look "a nurse" }
clip a { shot { subject mara  action "waves" } }
"""


def test_hover_on_an_inline_ref_names_the_implicit_asset() -> None:
    a = analyse(TEXT, "/p/h.shot", 1)
    v = hover(a, TEXT.index("m2.png"))
    assert v is not None
    assert "image asset `mara#2`" in v and "character `mara`" in v and "m2.png" in v
    v = hover(a, TEXT.index("mara-face"))
    assert v is not None and "image asset `mara`" in v


def test_hover_on_a_member_shows_its_look_refs_and_clips() -> None:
    a = analyse(TEXT, "/p/h.shot", 1)
    v = hover(a, TEXT.index("subject mara") + 9)
    assert v is not None
    assert "**character `mara`**" in v and "a nurse" in v and "mara-face.png" in v
    assert "In clips: `a`" in v
