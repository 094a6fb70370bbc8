"""Mutation test: removing any API rule from api/rules.py makes a golden case fail.

For each rule id, the rule's problems are filtered out of ``body_problems`` (as if the
rule were deleted) and the golden cases that expect its code are re-run: at least one
must then differ from its expected output.  Rules that the checker already stops
before the compiler runs (bad setting words, fractional or out-of-range durations, seed
range) are reached from a .shot file through the checker, which judges a setting's
value with these same rules (the settings table, ``check/settings.py``): their mutants
are caught by tests/check/test_settings_table.py, and test_handbuilt.py pins the
compiler's codes for them.  The four wire-type rules cannot be broken by a .shot file
at all: the compiler writes only documented fields, always a prompt string, booleans
from the table's parsers and a list for media_urls; they guard bodies built in Python
(the pydantic model, the sandbox) and are pinned by test_rules.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from compiler_golden import CASES, case_names, run_case

from seedance_dsl.api import rules
from seedance_dsl.compiler import build
from seedance_dsl.compiler.codes import RULE_CODES

#: Rules a .shot file breaks only before the compiler runs: the checker reports them
#: (SHOT209/210/211) through the settings table, tests/check/test_settings_table.py.
REACHED_THROUGH_CHECK = {
    "mode.allowed",
    "quality_tier.allowed",
    "channel.allowed",
    "aspect_ratio.allowed",
    "resolution.allowed",
    "duration.whole",  # SHOT321 for shot sums
    "seed.range",
}
#: Rules the compiler cannot break by construction (wire types and field names).
WIRE_TYPE_RULES = {
    "fields.unknown",  # the compiler only writes documented fields
    "prompt.required",
    "bool.type",  # the table's parsers of `audio` and `lens` give booleans
    "media_urls.type",
}
NOT_REACHABLE_FROM_SHOT = REACHED_THROUGH_CHECK | WIRE_TYPE_RULES


@contextmanager
def without_rule(rule: str) -> Iterator[None]:
    original = rules.body_problems

    def patched(*args: Any, **kwargs: Any) -> list[rules.RuleProblem]:
        return [p for p in original(*args, **kwargs) if p.rule != rule]

    build.body_problems = patched  # type: ignore[assignment]
    try:
        yield
    finally:
        build.body_problems = original


def cases_expecting(code: str) -> list[str]:
    return [
        n
        for n in case_names()
        if f"[{code}]" in (CASES / n / "diagnostics.txt").read_text(encoding="utf-8")
    ]


@pytest.mark.parametrize("rule", sorted(set(rules.RULES) - NOT_REACHABLE_FROM_SHOT))
def test_removing_the_rule_breaks_a_golden_case(rule: str) -> None:
    names = cases_expecting(RULE_CODES[rule])
    assert names, f"no golden case expects {RULE_CODES[rule]} ({rule})"
    with without_rule(rule):
        changed = [
            n
            for n in names
            if run_case(n)["diagnostics.txt"]
            != (CASES / n / "diagnostics.txt").read_text(encoding="utf-8")
        ]
    assert changed, f"removing {rule} changes no golden case"


def test_unreachable_rules_have_no_golden_case() -> None:
    for rule in NOT_REACHABLE_FROM_SHOT:
        assert not cases_expecting(RULE_CODES[rule]), rule
