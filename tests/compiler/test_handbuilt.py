"""Rules the checker already stops (bad setting words, fractional durations, wrong
asset kinds...) are still the compiler's to enforce on any CheckedStoryboard: these
tests build one by hand (no parser) and assert the compiler's own diagnostic."""

from __future__ import annotations

import pytest
from compiler_builders import asset, clip, output, role, setting, shot, storyboard

from seedance_dsl.compiler import compile_checked, rules_check
from seedance_dsl.compiler.codes import CODES, RULE_CODES
from seedance_dsl.syntax.codes import lookup

TEXT = "A lighthouse in a storm, waves breaking over the rocks"


@pytest.mark.parametrize(
    ("key", "value", "kind", "code"),
    [
        ("mode", "video-to-video", "word", "SHOT301"),
        ("tier", "ultra", "word", "SHOT302"),
        ("channel", "fast", "word", "SHOT303"),
        ("aspect", "2:1", "ratio", "SHOT304"),
        ("resolution", "8k", "word", "SHOT305"),
        ("duration", "5.5s", "duration", "SHOT306"),
        ("duration", "20s", "duration", "SHOT307"),
        ("seed", "-2", "number", "SHOT309"),
        ("audio", "maybe", "word", "SHOT322"),
        ("lens", "wobbly", "word", "SHOT322"),
        ("seed", "lucky", "word", "SHOT322"),
    ],
)
def test_setting_rule_at_the_setting(key: str, value: str, kind: str, code: str) -> None:
    s = setting(key, value, kind)  # type: ignore[arg-type]
    c = clip("a", settings=(s,), shots=(shot(text=TEXT),))
    compiled = compile_checked(storyboard(c))
    found = [d for d in compiled.diagnostics if d.code == code]
    assert found, compiled.diagnostics
    assert found[0].span in (s.span, s.value.span)
    assert found[0].help
    assert not compiled.ok and not compiled.clips[0].valid
    # the cheap check (no template) reports the same
    assert code in {d.code for d in rules_check(storyboard(c))}


def test_role_of_the_wrong_kind_SHOT326() -> None:
    v = asset("clip_v", "video", "https://cdn.example.com/v.mp4")
    r = role("start", v)
    compiled = compile_checked(storyboard(clip("a", roles=(r,), shots=(shot(text=TEXT),))))
    assert [(d.code, d.span) for d in compiled.diagnostics if d.code == "SHOT326"] == [
        ("SHOT326", r.decl.span)
    ]


def test_two_start_frames_SHOT328() -> None:
    a = asset("one", "image", "https://cdn.example.com/1.png")
    b = asset("two", "image", "https://cdn.example.com/2.png")
    r1, r2 = role("start", a), role("start", b)
    compiled = compile_checked(storyboard(clip("a", roles=(r1, r2), shots=(shot(text=TEXT),))))
    (d,) = [d for d in compiled.diagnostics if d.code == "SHOT328"]
    assert d.span == r2.decl.span and d.labels[0].span == r1.decl.span
    assert compiled.clips[0].payload["image_url"] == "https://cdn.example.com/1.png"


def test_outputs_become_placeholders_and_slots() -> None:
    first = clip("first", shots=(shot(text=TEXT),))
    r = role("start", output("first", "last_frame"))
    second = clip("second", roles=(r,), shots=(shot(action="the storm clears"),))
    compiled = compile_checked(storyboard(first, second))
    c2 = compiled.clip("second")
    assert c2.payload["image_url"] == "<last frame of clip first>"
    assert c2.depends_on == ("first",)
    assert compiled.graph == {"first": (), "second": ("first",)}
    assert c2.source_map["image_url"] == r.decl.span
    assert c2.valid and compiled.ok  # placeholders are not URL errors


def test_every_code_has_an_explanation() -> None:
    for code, (title, text) in CODES.items():
        info = lookup(code)
        assert info is not None and info.title == title and len(text) > 40
    assert set(RULE_CODES.values()) <= set(CODES)


def test_every_code_used_in_the_compiler_is_registered() -> None:
    import re
    from pathlib import Path

    import seedance_dsl.compiler as pkg

    used: set[str] = set()
    for f in Path(pkg.__file__).parent.glob("*.py"):
        used |= set(re.findall(r"SHOT\d{3}", f.read_text()))
    from seedance_dsl.syntax.codes import all_codes

    # the file-level codes (SHOT0xx: a template outside the project, a FIFO, too big) are
    # the language's, shared with `import`
    files = {c.code for c in all_codes() if c.code.startswith("SHOT0")}
    assert used <= set(CODES) | files


def test_raw_prompt_matches_the_builtin_template() -> None:
    """build.raw_prompt (used by rules_check, no jinja2) equals the template's output."""
    from compiler_golden import CASES, case_names

    from seedance_dsl.compiler import compile_file
    from seedance_dsl.compiler.build import raw_prompt

    seen = 0
    for name in case_names():
        if (CASES / name / "cli-template.j2").exists():
            continue
        compiled = compile_file(CASES / name / "case.shot")
        for c in compiled.clips:
            if c.context.get("clip", {}).get("raw") and c.prompt:
                assert raw_prompt(c.context) == c.prompt, name
                seen += 1
    assert seen >= 5


def test_check_reports_the_prompt_length_of_raw_clips() -> None:
    from seedance_dsl.check import check_text
    from seedance_dsl.compiler import with_rules_check

    result = with_rules_check(check_text('storyboard "S"\nclip a { shot { text "ok" } }\n'))
    assert [d.code for d in result.diagnostics] == ["SHOT402"]


def test_one_code_per_api_rule() -> None:
    from seedance_dsl.api.rules import RULES

    assert set(RULE_CODES) == set(RULES)
    assert len(set(RULE_CODES.values())) == len(RULE_CODES)
