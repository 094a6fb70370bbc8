"""Pins every private internal of Lark and CPython that seedance_dsl/syntax/lalr.py touches.

Our LALR runtime stays (docs/benchmarks.md, "Parser runtime": faster than Lark's
standalone generator at start-up and in throughput, measured side by side).  The price
is that exporting the tables (``lalr.build_tables``) reads Lark's private structures,
and loading them fast (``lalr._precompile`` / ``_load_regex``) uses CPython's private
regex compiler.  ``pyproject.toml`` pins ``lark>=1.2,<2``; when an upgrade of either
changes one of these, THIS test fails and names it — rather than a user's first run
(Lark's side would raise) or a silent fallback to the slow path (CPython's side).
"""

from __future__ import annotations

import importlib
import re
import sys
import types
from typing import Any

import pytest

from seedance_dsl.syntax import lalr
from seedance_dsl.syntax.grammar import grammar_text


@pytest.fixture(scope="module")
def frontend() -> Any:
    from lark import Lark

    lark = Lark(grammar_text(), parser="lalr", lexer="contextual", keep_all_tokens=True)
    assert isinstance(lark.terminals, list) and all(isinstance(t.name, str) for t in lark.terminals)
    return lark.parser


def test_lark_version_is_within_the_pin() -> None:
    import lark

    major, minor = (int(x) for x in lark.__version__.split(".")[:2])
    assert (1, 2) <= (major, minor) < (2, 0), lark.__version__


def test_lark_parse_table_internals(frontend: Any) -> None:
    # lalr.build_tables: frontend.parser._parse_table.{states,start_states,end_states}
    table = frontend.parser._parse_table
    assert isinstance(table.states, dict) and table.states
    assert isinstance(table.start_states["start"], int)
    assert isinstance(table.end_states["start"], int)
    kinds: set[str] = set()
    for state, row in table.states.items():
        assert isinstance(state, int)
        for sym, (action, arg) in row.items():
            assert isinstance(sym, str)
            kinds.add(action.name)  # the action's .name: "Shift" or "Reduce"
            if action.name == "Shift":
                assert isinstance(arg, int)
            else:  # a Rule: .origin.name, .expansion, .options.expand1, .alias
                assert action.name == "Reduce"
                assert isinstance(arg.origin.name, str)
                assert isinstance(len(arg.expansion), int)
                assert arg.options is None or hasattr(arg.options, "expand1")
                assert hasattr(arg, "alias")
    assert kinds == {"Shift", "Reduce"}


def test_lark_contextual_lexer_internals(frontend: Any) -> None:
    from lark.lexer import UnlessCallback  # lalr.build_tables tells keyword retyping by it

    ctx = frontend.lexer
    assert isinstance(frontend.lexer_conf.ignore, list | tuple | set | frozenset)
    assert isinstance(ctx.lexers, dict) and ctx.lexers
    table_states = set(frontend.parser._parse_table.states)
    assert set(ctx.lexers) <= table_states
    saw_unless = False
    for basic in (*ctx.lexers.values(), ctx.root_lexer):
        scanner = basic.scanner  # ._mres: the alternations, in Lark's priority order
        assert scanner._mres and all(isinstance(m, re.Pattern) for m in scanner._mres)
        assert all(isinstance(t, str) for t in scanner.allowed_types)
        assert all(isinstance(t, str) for t in basic.newline_types)
        assert all(isinstance(t, str) for t in basic.ignore_types)
        assert isinstance(basic.user_callbacks, dict)
        for ttype, cb in basic.callback.items():
            assert isinstance(ttype, str)
            assert isinstance(cb, UnlessCallback) or ttype in basic.user_callbacks
            if isinstance(cb, UnlessCallback):
                saw_unless = True
                for t in cb.scanner.terminals:  # TerminalDef: .name, .pattern.value
                    assert isinstance(t.name, str) and isinstance(t.pattern.value, str)
    assert saw_unless  # the keywords are retyped names, as the runtime assumes


def test_cpython_regex_compiler_internals() -> None:
    # lalr.sre_key / _precompile / _load_regex
    sre: Any = importlib.import_module("_sre")
    parser: Any = importlib.import_module("re._parser")
    compiler: Any = importlib.import_module("re._compiler")
    assert isinstance(sre.MAGIC, int) and isinstance(sre.CODESIZE, int)
    assert isinstance(sys.implementation.cache_tag, str)
    p = parser.parse(r"(?P<A>a+)|(?P<B>b)", 0)
    assert isinstance(p.state.groupdict, dict) and isinstance(p.state.groups, int)
    assert isinstance(p.state.flags, int)
    code = compiler._code(p, 0)
    assert all(isinstance(x, int) for x in code)
    compiled = lalr._precompile(r"(?P<A>a+)|(?P<B>b)", 0)
    pattern, flags, ops, groups, groupindex, indexgroup = compiled
    rx = sre.compile(pattern, flags, list(ops), groups, groupindex, indexgroup)
    m = rx.match("aab")
    assert m is not None and m.group(0) == "aa" and m.lastgroup == "A"


def test_fresh_tables_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # a change in CPython's private compiler makes build_tables / _load_regex fall back
    # quietly (correct, slower): here that fallback is an error
    tables = lalr.build_tables(grammar_text())
    assert tables.sre_key == lalr.sre_key()
    for spec in (*tables.lexers, tables.root_lexer):
        assert len(spec.compiled) == len(spec.patterns), "re._compiler changed: no precompile"

    def no_compile(*_: object) -> object:
        raise AssertionError("_load_regex fell back to re.compile: _sre.compile changed")

    monkeypatch.setattr(lalr, "re", types.SimpleNamespace(compile=no_compile))
    for spec in (*tables.lexers, tables.root_lexer):
        for pattern, compiled in zip(spec.patterns, spec.compiled, strict=True):
            assert lalr._load_regex(pattern, compiled).pattern == pattern[0]
