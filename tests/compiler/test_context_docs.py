"""The template context is a type (``compiler/context.py``); the table of template
variables in docs/compiler.md is generated from it, and every context the compiler
builds has exactly the keys of the type."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

from seedance_dsl.compiler import compile_file
from seedance_dsl.compiler.context import TemplateContext, variables_table

ROOT = Path(__file__).resolve().parents[2]
START = "<!-- generated from seedance_dsl/compiler/context.py (TemplateContext): variables_table() -->\n"
END = "<!-- end of generated table -->"


def test_docs_table_is_generated_from_the_type() -> None:
    doc = (ROOT / "docs" / "compiler.md").read_text(encoding="utf-8")
    assert START in doc and END in doc
    table = doc.split(START, 1)[1].split(END, 1)[0]
    assert table == variables_table()


def _check(value: Any, tp: Any, path: str) -> None:
    base = typing.get_args(tp)[0] if typing.get_origin(tp) is typing.Annotated else tp
    if isinstance(base, type) and typing.is_typeddict(base):
        hints = typing.get_type_hints(base, include_extras=True)
        assert isinstance(value, dict) and list(value) == list(hints), path
        for key, hint in hints.items():
            _check(value[key], hint, f"{path}.{key}")
    elif typing.get_origin(base) is list:
        (item,) = typing.get_args(base)
        assert isinstance(value, list), path
        for v in value:
            _check(v, item, f"{path}[]")
    else:
        allowed = typing.get_args(base) or (base,)
        allowed = tuple(type(None) if a is None else a for a in allowed)
        assert isinstance(value, allowed), (path, value, allowed)


def test_every_context_the_compiler_builds_has_the_type() -> None:
    examples = sorted((ROOT / "examples").glob("*.shot"))
    assert examples
    seen = 0
    for path in examples:
        for clip in compile_file(path).clips:
            _check(dict(clip.context), TemplateContext, path.name)
            seen += 1
    assert seen
