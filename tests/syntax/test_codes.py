"""Every diagnostic code used anywhere in the package has a long explanation."""

from __future__ import annotations

import re
from pathlib import Path

from seedance_dsl.syntax.codes import all_codes, lookup, register

PACKAGE = Path(__file__).resolve().parents[2] / "seedance_dsl"
CODE_RE = re.compile(r"\bSHOT\d{3}\b")


def codes_in_source() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*"):
        if path.suffix in (".py", ".lark", ".j2") and path.is_file():
            found |= set(CODE_RE.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_used_code_has_an_explanation() -> None:
    used = codes_in_source()
    assert len(used) > 30
    missing = sorted(c for c in used if lookup(c) is None)
    assert not missing, f"codes without an explanation: {missing}"
    for code in used:
        info = lookup(code)
        assert info is not None
        assert info.title and len(info.explanation) >= 60, code


def test_registry_api() -> None:
    codes = [c.code for c in all_codes()]
    assert codes == sorted(codes) and len(codes) == len(set(codes))
    assert lookup("shot101") == lookup("SHOT101")
    assert lookup("SHOT999") is None
    # the language's ranges are all here; the compiler's are merged in lazily
    assert {c[:5] for c in codes} >= {"SHOT0", "SHOT1", "SHOT2"}
    info = register("SHOT101", lookup("SHOT101").title, "same title: allowed")  # type: ignore[union-attr]
    assert info.code == "SHOT101"
    register("SHOT101", "syntax error", lookup("SHOT101").explanation)  # type: ignore[union-attr]


def test_language_codes_are_documented_in_docs() -> None:
    doc = (PACKAGE.parent / "docs" / "language.md").read_text(encoding="utf-8")
    for info in all_codes():
        if info.code[4] in "012":
            assert info.code in doc, f"{info.code} missing from docs/language.md"
