"""No function of the compiler is longer than ~80 lines (issue 10): a long function is
where parallel state hides (``plan_clip`` was 202 lines keeping three dicts in sync)."""

from __future__ import annotations

import ast
from pathlib import Path

import seedance_dsl

CHECKED_PACKAGES = ["compiler"]
MAX_LINES = 80


def long_functions(package: str) -> list[str]:
    root = Path(seedance_dsl.__file__).parent / package
    out: list[str] = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                length = node.end_lineno - node.lineno + 1
                if length > MAX_LINES:
                    out.append(
                        f"{path.relative_to(root.parent)}:{node.lineno} {node.name}: {length}"
                    )
    return out


def test_no_function_over_80_lines() -> None:
    for package in CHECKED_PACKAGES:
        assert long_functions(package) == []
