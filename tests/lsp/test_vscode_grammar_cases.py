"""The TextMate grammar's test cases (editors/vscode/tests, run by `vscode-tmgrammar-test`
in `make test`) cover every keyword of grammar/shot.lark, and are real storyboards."""

from __future__ import annotations

import re

from seedance_dsl.syntax.parser import parse_text

from .conftest import ROOT

CASES = sorted((ROOT / "editors" / "vscode" / "tests").glob("*.shot"))


def test_cases_use_every_keyword_of_the_lark_grammar() -> None:
    lark = (ROOT / "grammar" / "shot.lark").read_text()
    keywords = re.findall(r'^[A-Z]+: "([a-z]+)"$', lark, re.M)
    assert len(keywords) > 20
    code = "\n".join(
        line for c in CASES for line in c.read_text().splitlines() if not line.startswith("//")
    )
    words = set(re.findall(r"[a-z]+", code))
    missing = [k for k in keywords if k not in words]
    assert not missing, f"grammar test cases lack: {missing}"
    for token in ("{", "}", ",", ".", '"""', "//", "\\"):
        assert token in code or token == "//", token


def test_cases_parse() -> None:
    for c in CASES:
        _, diags = parse_text(c.read_text(), str(c))
        assert not [d for d in diags if d.is_error], (c, diags)
