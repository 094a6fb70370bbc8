"""Differential test: our LALR runtime (seedance_dsl.syntax.lalr) against Lark itself.

The runtime drives the tables Lark computed for grammar/shot.lark; on any input it must
accept exactly what Lark accepts, with the same tokens and the same tree shape.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Lark, Tree
from lark import Token as LarkToken
from lark.exceptions import UnexpectedInput

from seedance_dsl.syntax.grammar import grammar_text
from seedance_dsl.syntax.lalr import (
    LexState,
    Token,
    UnexpectedCharacters,
    UnexpectedToken,
    build_tables,
    load_tables,
)
from seedance_dsl.syntax.parser import _get_parser

from .test_bad_input import FRAGMENTS, SEEDS, mutated

LARK = Lark(grammar_text(), parser="lalr", lexer="contextual", keep_all_tokens=True)


class _Shape:
    """Callbacks that build (rule, children) tuples, like Lark's tree."""

    def __getattr__(self, name: str) -> Any:
        return lambda children: (name, tuple(children))


def ours(text: str) -> Any:
    parser = _get_parser()
    stack = [parser.t.start_state]
    values: list[Any] = []
    ls = LexState()
    cb = _Shape()
    try:
        for tok in parser.tokens(text, ls, stack, None):
            parser.feed(tok, stack, values, cb)
        end = Token("$END", "", len(text), 1, 1, 1, 1, len(text))
        tree = parser.feed(end, stack, values, cb)
    except (UnexpectedToken, UnexpectedCharacters):
        return None
    return _norm(tree)


def _norm(x: Any) -> Any:
    if isinstance(x, tuple):
        return (x[0], tuple(_norm(c) for c in x[1]))
    assert isinstance(x, Token)
    return (x.type, x.value, x.start_pos, x.line, x.column, x.end_line, x.end_column)


def theirs(text: str) -> Any:
    try:
        tree = LARK.parse(text)
    except UnexpectedInput:
        return None
    return _lark_norm(tree)


def _lark_norm(x: Any) -> Any:
    if isinstance(x, Tree):
        return (x.data, tuple(_lark_norm(c) for c in x.children))
    assert isinstance(x, LarkToken)
    return (x.type, x.value, x.start_pos, x.line, x.column, x.end_line, x.end_column)


def same(text: str) -> None:
    assert ours(text) == theirs(text), text


def test_examples_parse_identically() -> None:
    for text in SEEDS:
        assert ours(text) is not None
        same(text)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_inputs_parse_identically(text: str) -> None:
    same(text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([*FRAGMENTS, *"abcxyz09=:-_{}", "style", "keep"]), max_size=30))
def test_token_soup_parses_identically(parts: list[str]) -> None:
    same(" ".join(parts))


def test_tables_cache_round_trip(tmp_path: Any) -> None:
    # the cache is the fallback for a grammar the shipped tables were not built from
    # (tests/syntax/test_shipped_tables.py): here, one with a comment added
    g = grammar_text() + "\n// not the shipped grammar\n"
    first = load_tables(g, tmp_path)  # builds and writes the cache
    assert [p.suffix for p in tmp_path.iterdir()] == [".pickle"]
    second = load_tables(g, tmp_path)  # reads it back
    assert first == second
    # canonically numbered (lalr.canonical): a fresh build is the same tables
    assert first == build_tables(g)
    # a changed grammar never reads a stale cache
    other = load_tables(g + "\n// changed\n", tmp_path)
    assert other.grammar_hash != first.grammar_hash
    # a corrupt cache file is rebuilt, not trusted
    for f in tmp_path.iterdir():
        f.write_bytes(b"garbage")
    assert load_tables(g, tmp_path).grammar_hash == first.grammar_hash


def test_precompiled_regexes_behave_like_re_compile() -> None:
    import re

    from seedance_dsl.syntax.lalr import _load_regex, sre_key

    tables = build_tables(grammar_text())  # (the shipped tables hold no compiled code)
    assert tables.sre_key == sre_key()
    samples = [*SEEDS, 'x "a\\"b" 16:9 -1 1.5s // c\n{ } , . """m\nl"""', "é@ñ"]
    for spec in (*tables.lexers, tables.root_lexer):
        assert len(spec.compiled) == len(spec.patterns)
        for pattern, compiled in zip(spec.patterns, spec.compiled, strict=True):
            fast, slow = _load_regex(pattern, compiled), re.compile(*pattern)
            assert fast.groupindex == slow.groupindex
            for text in samples:
                for pos in range(0, len(text), 7):
                    a, b = fast.match(text, pos), slow.match(text, pos)
                    assert (a and (a.group(0), a.lastgroup)) == (b and (b.group(0), b.lastgroup))
