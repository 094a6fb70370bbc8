"""Mutation test: removing any API rule from api/rules.py makes a golden case fail.

For each rule id, the rule's problems are filtered out of ``body_problems`` (as if the
rule were deleted) and the golden cases that expect its code are re-run: at least one
must then differ from its expected output.  Rules that the checker already stops
before the compiler runs (bad setting words, fractional or out-of-range durations, seed
range) cannot reach the compiler from a .shot file; they are pinned by
test_handbuilt.py (and the model by test_rules.py) instead, and listed here.
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

#: Rules a .shot file cannot break past the checker (or the compiler never produces).
NOT_REACHABLE_FROM_SHOT = {
    "mode.allowed",  # SHOT209 in check
    "quality_tier.allowed",
    "channel.allowed",
    "aspect_ratio.allowed",
    "resolution.allowed",
    "duration.whole",  # SHOT210 in check; SHOT321 for shot sums
    "seed.range",  # SHOT211 in check
    "fields.unknown",  # the compiler only writes documented fields
    "prompt.required",
    "bool.type",
    "media_urls.type",
}


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
