"""The one settings table (``seedance_dsl/check/settings.py``) is what the checker and
the compiler both use: the same rule of the language parses a value in both, and the
API's own rules judge it.  Every API rule a setting can break is reached from a .shot
file through the checker (removing the rule from ``api/rules.py`` makes the checker
miss the value)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from seedance_dsl.api import rules
from seedance_dsl.check import check_text
from seedance_dsl.check.settings import DSL_KEY, SETTINGS, parse_setting, setting_problems
from seedance_dsl.compiler import compile_checked
from seedance_dsl.syntax import nodes

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "compiler"))
from compiler_builders import clip, setting, shot, storyboard

TEXT = "A lighthouse in a storm, waves breaking over the rocks"

#: rule id -> (the clip's setting line, the checker's code, a fragment of its message)
REACHED_BY_CHECK: dict[str, tuple[str, str, str]] = {
    "mode.allowed": ("mode video-to-video", "SHOT209", "is not a valid `mode`"),
    "quality_tier.allowed": ("tier ultra", "SHOT209", "is not a valid `tier`"),
    "channel.allowed": ("channel fast", "SHOT209", "is not a valid `channel`"),
    "aspect_ratio.allowed": ("aspect 2:1", "SHOT209", "is not a valid `aspect`"),
    "resolution.allowed": ("resolution 8k", "SHOT209", "is not a valid `resolution`"),
    "duration.whole": ("duration 5.5s", "SHOT210", "must be whole seconds, not 5.5s"),
    "duration.range": ("duration 20s", "SHOT210", "must be between 4s and 15s, not 20s"),
    "seed.range": ("seed -2", "SHOT211", "seed -2 is out of range"),
}


def shot_file(line: str) -> str:
    return f'storyboard "Case"\nclip a {{\n  {line}\n  shot {{ text "{TEXT}" }}\n}}\n'


@contextmanager
def without_rule(rule: str) -> Iterator[None]:
    original = rules.field_problems

    def patched(*args: Any, **kwargs: Any) -> list[rules.RuleProblem]:
        return [p for p in original(*args, **kwargs) if p.rule != rule]

    rules.field_problems = patched  # type: ignore[assignment]
    try:
        yield
    finally:
        rules.field_problems = original


@pytest.mark.parametrize("rule", sorted(REACHED_BY_CHECK))
def test_the_rule_is_reached_from_a_shot_file(rule: str) -> None:
    line, code, message = REACHED_BY_CHECK[rule]
    found = [d for d in check_text(shot_file(line), "case.shot").diagnostics if d.code == code]
    assert [d.message for d in found if message in d.message], found
    with without_rule(rule):  # the mutant: the rule deleted from api/rules.py
        again = check_text(shot_file(line), "case.shot").diagnostics
    assert not [d for d in again if d.code == code and message in d.message]


def test_every_setting_rule_is_reached_or_cannot_be_broken() -> None:
    """The rules of the table are the ones above, plus bool.type: the parsers of `audio`
    and `lens` only ever produce booleans (no .shot file can break it)."""
    named = {r for s in SETTINGS.values() for r in s.rules}
    assert named == set(REACHED_BY_CHECK) | {"bool.type"}
    for key in ("audio", "lens"):
        for word in SETTINGS[key].vocabulary:
            assert isinstance(parse_setting(key, word), bool)


def test_the_table_covers_every_setting_key() -> None:
    assert {k: s.field for k, s in SETTINGS.items()} == nodes.SETTING_KEYS
    assert {v: k for k, v in nodes.SETTING_KEYS.items()} == DSL_KEY
    for s in SETTINGS.values():
        assert set(s.rules) <= set(rules.RULES)


def test_vocabulary_comes_from_the_contract() -> None:
    for key, spec in SETTINGS.items():
        for word in spec.vocabulary:
            assert setting_problems(key, parse_setting(key, word)) == [], (key, word)


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("audio", "yes"),
        ("audio", "true"),
        ("audio", "ON"),
        ("lens", "on"),
        ("lens", "true"),
        ("duration", "5.0001s"),
        ("duration", "5"),
    ],
)
def test_compiler_and_checker_parse_alike(key: str, text: str) -> None:
    """The stricter language rule in both: the checker rejects these, and so does the
    compiler given a hand-built model (it used to read `yes` as on and 5.0001s as 5 s)."""
    kind: nodes.SettingValueKind = "duration" if key == "duration" else "word"
    checked = check_text(shot_file(f"{key} {text}"), "case.shot")
    assert not checked.ok
    s = setting(key, text, kind)
    compiled = compile_checked(storyboard(clip("a", settings=(s,), shots=(shot(text=TEXT),))))
    assert [d.span for d in compiled.diagnostics if d.code == "SHOT322"] == [s.value.span]
    assert not compiled.ok
