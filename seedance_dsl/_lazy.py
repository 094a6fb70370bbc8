"""Lazy re-exports for package facades.

A facade (``seedance_dsl.compiler``, ``seedance_dsl.api``, ...) names its public API in a
mapping ``name -> submodule`` and calls :func:`lazy_exports`; a name's submodule is
imported on first access, so importing the facade costs nothing.  :func:`lazy_dir` gives
the facade a ``__dir__`` that lists those names too (``dir()``, tab completion), without
importing anything.  This keeps
``seedance check`` free of pydantic, jinja2 and the network stack.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``package.<exports[name]>`` on first use.

    A submodule given with a leading ``seedance_dsl.`` is taken as absolute.
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        target = module if module.startswith("seedance_dsl.") else f"{package}.{module}"
        return getattr(importlib.import_module(target), name)

    return __getattr__


def lazy_dir(namespace: Mapping[str, Any], exports: Iterable[str]) -> Callable[[], list[str]]:
    """A module ``__dir__``: the module's globals plus every lazily exported name.

    Pass the facade's ``globals()`` and its ``__all__`` (or export mapping); the names are
    listed whether or not their submodule has been imported yet.
    """
    names = tuple(exports)

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __dir__


# -- the facades' generated blocks ---------------------------------------------------------
#
# A facade's ``_EXPORTS`` mapping is the one source of its API.  Its ``TYPE_CHECKING``
# imports (for type checkers and editors, which cannot see a lazy ``__getattr__``) and
# its ``__all__`` are generated from the mapping, between the two marker lines below, by
# ``make facades`` (``python tools/facades.py --write``); ``--check`` (and
# tests/test_facades.py) fails when a block and its mapping disagree.

#: the package facades built on :func:`lazy_exports` (their ``__init__.py``)
FACADES = (
    "seedance_dsl",
    "seedance_dsl.api",
    "seedance_dsl.assets",
    "seedance_dsl.client",
    "seedance_dsl.compiler",
    "seedance_dsl.render",
    "seedance_dsl.sandbox",
)
BEGIN = "# BEGIN generated from _EXPORTS by `make facades` (tools/facades.py): do not edit"
END = "# END generated"


def target_module(package: str, module: str) -> str:
    """The absolute name of an ``_EXPORTS`` value (as :func:`lazy_exports` reads it)."""
    return module if module.startswith("seedance_dsl.") else f"{package}.{module}"


def _relative(package: str, target: str) -> str:
    """``target`` as a relative import from inside ``package``'s ``__init__``."""
    here, there = package.split("."), target.split(".")
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    return "." * (len(here) - common + 1) + ".".join(there[common:])


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    import re

    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part
    )


def _kind(name: str) -> int:
    """ruff's order of names: CONSTANTS, then Classes, then everything else."""
    if len(name) > 1 and name.upper() == name and name.lower() != name:
        return 0
    return 1 if name[:1].isupper() else 2


def sorted_all(names: Iterable[str]) -> list[str]:
    """``__all__`` in the order ruff (RUF022) keeps it."""
    return sorted(names, key=lambda n: (_kind(n), _natural(n)))


def generated_block(package: str, exports: Mapping[str, str]) -> str:
    """The text between (and including) the markers for ``package``'s facade."""
    imports = []
    for name, module in exports.items():
        rel = _relative(package, target_module(package, module))
        dots = len(rel) - len(rel.lstrip("."))
        # ruff's isort order: furthest-to-closest, then module, then name
        key = (-dots, _natural(rel[dots:].lower()), _kind(name), _natural(name.lower()))
        imports.append((key, f"    from {rel} import {name} as {name}"))
    lines = [BEGIN, "if TYPE_CHECKING:", *(line for _, line in sorted(imports)), ""]
    lines += ["__all__ = [", *(f'    "{n}",' for n in sorted_all(exports)), "]", END]
    return "\n".join(lines) + "\n"


def facade_path(package: str) -> str:
    import importlib.util
    import os

    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin is not None
    return os.path.realpath(spec.origin)


def read_exports(source: str) -> dict[str, str]:
    """The ``_EXPORTS`` mapping of a facade's source (read, not imported)."""
    import ast

    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id == "_EXPORTS":
            mapping = ast.literal_eval(value)
            return {str(k): str(v) for k, v in mapping.items()}
    raise ValueError("no _EXPORTS mapping")


def regenerate(source: str, package: str) -> str:
    """``source`` with its generated block rewritten from its ``_EXPORTS``."""
    start = source.find(BEGIN.split(" by ")[0])  # the marker, whatever its tail says
    start = source.rfind("\n", 0, start) + 1 if start >= 0 else -1
    end = source.find(END, max(start, 0))
    if start < 0 or end < start:
        raise ValueError(f"{package}: no generated block ({BEGIN!r} ... {END!r})")
    end += len(END) + 1
    return source[:start] + generated_block(package, read_exports(source)) + source[end:]


def main(argv: list[str] | None = None) -> int:
    """``python tools/facades.py --write | --check``: rewrite, or check, every
    facade's generated block.  Exit 1 (``--check``) names the facades that are stale."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if args not in (["--write"], ["--check"]):
        print("usage: python tools/facades.py --write | --check", file=sys.stderr)
        return 2
    stale = []
    for package in FACADES:
        path = facade_path(package)
        with open(path, encoding="utf-8") as f:
            source = f.read()
        try:
            fresh = regenerate(source, package)
        except (ValueError, SyntaxError) as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            return 1
        if fresh == source:
            continue
        stale.append(path)
        if args == ["--write"]:
            with open(path, "w", encoding="utf-8") as f:
                f.write(fresh)
            print(f"rewrote {path}")
    if args == ["--check"] and stale:
        print("stale facade blocks (run `make facades`):", file=sys.stderr)
        for path in stale:
            print(f"  {path}", file=sys.stderr)
        return 1
    return 0
