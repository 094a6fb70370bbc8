"""Each package facade has ONE source of its API, its ``_EXPORTS`` mapping: the
``TYPE_CHECKING`` imports and ``__all__`` are generated from it (``make facades``), and
this test fails when they disagree or when a mapped name does not exist."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from seedance_dsl import _lazy

ROOT = Path(__file__).resolve().parent.parent


def _source(package: str) -> str:
    return Path(_lazy.facade_path(package)).read_text(encoding="utf-8")


def _absolute(package: str, module: str | None, level: int) -> str:
    base = package.split(".")[: len(package.split(".")) - level + 1]
    return ".".join([*base, *([module] if module else [])])


def facade_problems(package: str, source: str) -> list[str]:
    """What is wrong with a facade's source, checked from its meaning (not its text)."""
    exports = _lazy.read_exports(source)
    wanted = {(name, _lazy.target_module(package, mod)) for name, mod in exports.items()}
    typed: set[tuple[str, str]] = set()
    listed: list[str] | None = None
    for node in ast.parse(source).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom), ast.unparse(imp)
                for alias in imp.names:
                    assert alias.asname in (None, alias.name), ast.unparse(imp)
                    typed.add((alias.name, _absolute(package, imp.module, imp.level)))
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "__all__":
            listed = list(ast.literal_eval(node.value))
    problems = [f"TYPE_CHECKING imports {n} from {m}, not mapped" for n, m in typed - wanted]
    problems += [f"{n} (from {m}) has no TYPE_CHECKING import" for n, m in wanted - typed]
    if listed is None or sorted(listed) != sorted(exports):
        problems.append(f"__all__ {listed} is not the mapping's names {sorted(exports)}")
    elif len(set(listed)) != len(listed):
        problems.append("__all__ lists a name twice")
    if _lazy.regenerate(source, package) != source:
        problems.append("the generated block is stale: run `make facades`")
    return problems


@pytest.mark.parametrize("package", _lazy.FACADES)
def test_the_block_and_all_agree_with_the_mapping(package: str) -> None:
    assert facade_problems(package, _source(package)) == []


@pytest.mark.parametrize("package", _lazy.FACADES)
def test_every_mapped_name_exists(package: str) -> None:
    exports = _lazy.read_exports(_source(package))
    facade = importlib.import_module(package)
    for name, module in exports.items():
        target = importlib.import_module(_lazy.target_module(package, module))
        assert hasattr(target, name), f"{package}: {module} has no {name!r}"
        assert getattr(facade, name) is getattr(target, name)
    assert sorted(facade.__all__) == sorted(exports)


def test_every_lazy_facade_is_listed() -> None:
    users = {
        ".".join(p.relative_to(ROOT).parent.parts)
        for p in (ROOT / "seedance_dsl").rglob("__init__.py")
        if "lazy_exports(" in p.read_text(encoding="utf-8")
    }
    assert users == set(_lazy.FACADES)


def test_a_mapping_change_makes_the_block_stale() -> None:
    source = _source("seedance_dsl.render")
    added = source.replace(
        '    "Plan": "plan",\n', '    "Plan": "plan",\n    "PriceTable": "pricing",\n'
    )
    assert added != source
    problems = facade_problems("seedance_dsl.render", added)
    assert "PriceTable (from seedance_dsl.render.pricing) has no TYPE_CHECKING import" in problems
    assert any(p.startswith("__all__") for p in problems)
    assert "the generated block is stale: run `make facades`" in problems
    # ... and regenerating is the fix
    assert (
        facade_problems("seedance_dsl.render", _lazy.regenerate(added, "seedance_dsl.render")) == []
    )


def test_a_hand_edit_of_the_block_is_caught() -> None:
    source = _source("seedance_dsl.sandbox")
    edited = source.replace('    "start_sandbox",\n', "")
    assert facade_problems("seedance_dsl.sandbox", edited) != []


def test_the_command_checks_and_refuses_nonsense() -> None:
    ok = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "facades.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "facades.py")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "usage" in bad.stderr


def test_all_is_sorted_constants_classes_then_the_rest() -> None:
    names = ["zeta", "Alpha", "CONST2", "CONST10", "beta", "__version__", "Beta", "A"]
    assert _lazy.sorted_all(names) == [
        "CONST2",
        "CONST10",
        "A",
        "Alpha",
        "Beta",
        "__version__",
        "beta",
        "zeta",
    ]
