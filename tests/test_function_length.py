"""No function longer than ~80 lines in the packages listed here (issue 10).

A long function is where state machines hide; the renderer was split into parts
(lifecycle, control, netwatch, assembly) and the compiler's ``plan_clip`` (202 lines
keeping three dicts in sync) into steps, so that each fits on a screen.  Extend
:data:`CHECKED_PACKAGES` as other packages get there (``check/resolver.py`` is next:
``_resolve`` is 141 lines).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "seedance_dsl"

#: packages of seedance_dsl/ whose functions are held to MAX_LINES
CHECKED_PACKAGES = ["render", "compiler"]
MAX_LINES = 80


def long_functions(package: str, limit: int = MAX_LINES, root: Path = ROOT) -> list[str]:
    out: list[str] = []
    for path in sorted((root / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                n = (node.end_lineno or node.lineno) - first + 1
                if n > limit:
                    out.append(
                        f"{path.relative_to(root.parent)}:{node.lineno} {node.name}: {n} lines"
                    )
    return out


@pytest.mark.parametrize("package", CHECKED_PACKAGES)
def test_no_function_over_the_limit(package: str) -> None:
    too_long = long_functions(package)
    assert not too_long, f"functions over {MAX_LINES} lines:\n" + "\n".join(too_long)


def test_the_checker_sees_a_long_function(tmp_path: Path) -> None:
    pkg = tmp_path / "seedance_dsl" / "pkg"
    pkg.mkdir(parents=True)
    body = "\n".join(f"        x{i} = {i}" for i in range(MAX_LINES - 1))
    (pkg / "m.py").write_text(
        f"class C:\n    @staticmethod\n    async def f() -> None:\n{body}\n"
        "\n\ndef short() -> None:\n    pass\n"
    )
    found = long_functions("pkg", root=tmp_path / "seedance_dsl")
    assert found == [f"seedance_dsl/pkg/m.py:3 f: {MAX_LINES + 1} lines"]
