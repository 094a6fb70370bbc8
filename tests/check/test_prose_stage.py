"""The prose lints (G4, G3, S1, S4: SHOT403–407) are a stage of the checker's own
(``check/prose.py``), and the checker reaches the compiler only through its public
facade (``seedance_dsl.compiler``), never into its modules."""

from __future__ import annotations

import ast
from pathlib import Path

from seedance_dsl.check import check_text, resolve_text
from seedance_dsl.check.prose import clip_prose_diagnostics, prose_diagnostics

CHECK = Path(__file__).resolve().parents[2] / "seedance_dsl" / "check"
PROSE_CODES = {"SHOT403", "SHOT404", "SHOT405", "SHOT406", "SHOT407"}

STORYBOARD = """storyboard "Prose"
asset host image "https://cdn.example.com/host.png"
asset take_3 video "https://cdn.example.com/take3.mp4"
package look { style "grainy, see https://example.com/ref.png" }
clip a {
  audio off
  use look
  ref host as character
  text "host walks in; @image1 behind"
  shot {
    subject host
    action "take_3 replays, asset://abc"
    camera "fast dolly-in"
    camera "whip pan left"
    say host "Welcome back."
  }
}
"""


def imported_modules(path: Path) -> list[str]:
    """The modules ``path`` imports, relative imports resolved inside seedance_dsl.check."""
    out: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = ["seedance_dsl", "check"][: 2 - (node.level - 1)] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            out.append(module)
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names]
    return out


def test_check_reaches_the_compiler_only_through_its_facade() -> None:
    for path in sorted(CHECK.glob("*.py")):
        for module in imported_modules(path):
            if module.startswith("seedance_dsl.compiler"):
                assert module == "seedance_dsl.compiler", (path.name, module)


def test_the_prose_stage_imports_no_compiler() -> None:
    mods = imported_modules(CHECK / "prose.py")
    assert not [m for m in mods if m.startswith("seedance_dsl.compiler")]


def test_the_stage_gives_exactly_the_prose_lints_check_reports() -> None:
    checked = check_text(STORYBOARD, "prose.shot")
    reported = sorted(
        (d.code, d.message, d.span) for d in checked.diagnostics if d.code in PROSE_CODES
    )
    assert {c for c, _, _ in reported} == PROSE_CODES

    resolved = resolve_text(STORYBOARD, "prose.shot")
    assert resolved.storyboard is not None
    sb = resolved.storyboard
    (clip,) = sb.clips
    from seedance_dsl.check.prose import asset_name_pattern

    class Host:
        role = "character"
        phrase = "the character in reference image 1"

    audio = clip.settings["audio"]
    staged = clip_prose_diagnostics(
        clip, asset_name_pattern(sb), {"host": Host()}, audio_off=audio.span
    )
    # package prose is also checked in every clip that uses it; check reports it once
    assert sorted({(d.code, d.message, d.span) for d in staged}) == reported


def test_prose_diagnostics_of_one_literal() -> None:
    resolved = resolve_text(STORYBOARD, "prose.shot")
    assert resolved.storyboard is not None
    (clip,) = resolved.storyboard.clips
    (text,) = clip.texts
    assert [d.code for d in prose_diagnostics(text.text, None)] == ["SHOT404"]
