"""Keywords are case-sensitive, exactly as in Lark: `Clip`, `SHOT`, `Without` are names (or
values), never keywords, and a name that merely starts or ends like a keyword (`clips`,
`shot_2`, `_end`, `Refs`) is a name.  Checked against Lark's own LALR parser on the same
grammar — the tree when it parses, and when it does not, the error: the token (type,
text, position), the set of tokens expected there, or where the lexer stopped and what it
allowed — on mixed-case and keyword-like inputs, which the other differential tests
(lower-case, generated from valid trees) never contain.  Plus golden cases through
``parse_text``: what the user is told.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Lark
from lark.exceptions import UnexpectedCharacters as LarkUnexpectedCharacters
from lark.exceptions import UnexpectedToken as LarkUnexpectedToken

from seedance_dsl.syntax.grammar import grammar_text
from seedance_dsl.syntax.lalr import LexState, Token, UnexpectedCharacters, UnexpectedToken
from seedance_dsl.syntax.parser import _get_parser, parse_text

from .test_bad_input import SEEDS
from .test_lalr_runtime import _lark_norm, _norm, _Shape

LARK = Lark(grammar_text(), parser="lalr", lexer="contextual", keep_all_tokens=True)
KEYWORDS = sorted(
    {
        m.group(1)
        for m in re.finditer(r'^[A-Z]+: "([a-z]+)"$', grammar_text(), re.MULTILINE)
        if m.group(1).isalpha()
    }
)


def _tok(t: Any) -> tuple[Any, ...]:
    if t.type == "$END":  # (Lark borrows the end token's position from the last token)
        return ("$END",)
    return (t.type, str(t), t.start_pos, t.line, t.column)


def ours(text: str) -> Any:
    """Our runtime's tree, or its first error."""
    parser = _get_parser()
    stack = [parser.t.start_state]
    values: list[Any] = []
    ls = LexState()
    try:
        for tok in parser.tokens(text, ls, stack, None):
            parser.feed(tok, stack, values, _Shape())
        end = Token("$END", "", len(text), 1, 1, 1, 1, len(text))
        return ("tree", _norm(parser.feed(end, stack, values, _Shape())))
    except UnexpectedToken as e:
        return ("token", _tok(e.token), sorted(x for x in e.expected if not x.startswith("__")))
    except UnexpectedCharacters as e:
        allowed = sorted(parser.lexer_for(stack[-1]).allowed)
        return ("chars", e.pos, e.line, e.column, allowed)


def theirs(text: str) -> Any:
    """Lark's tree, or its first error, in the same form."""
    try:
        return ("tree", _lark_norm(LARK.parse(text)))
    except LarkUnexpectedToken as e:
        return ("token", _tok(e.token), sorted(x for x in e.expected if not x.startswith("__")))
    except LarkUnexpectedCharacters as e:
        return ("chars", e.pos_in_stream, e.line, e.column, sorted(e.allowed or ()))


def same(text: str) -> None:
    assert ours(text) == theirs(text), text


def _recase(word: str, how: int) -> str:
    if how == 0:
        return word.capitalize()
    if how == 1:
        return word.upper()
    if how == 2:
        return word[:-1] + word[-1].upper()
    return "".join(c.upper() if i % 2 else c for i, c in enumerate(word))


_AFFIXES = ["s", "_", "1", "_2", "x", "S", "'"]


@st.composite
def keyword_twists(draw: st.DrawFn) -> str:
    """A valid storyboard with some keywords re-cased (`Clip`, `SHOT`, `stArT`) or grown
    into names (`clips`, `_end`, `Shot_2`), and keywords dropped where names go."""
    text = draw(st.sampled_from(SEEDS))
    spots = [m for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_']*", text) if m.group() in KEYWORDS]
    if not spots:
        return text
    chosen = draw(st.lists(st.sampled_from(spots), min_size=1, max_size=4, unique_by=id))
    for m in sorted(chosen, key=lambda m: m.start(), reverse=True):
        word = m.group()
        kind = draw(st.integers(0, 5))
        if kind < 4:
            new = _recase(word, kind)
        elif kind == 4:
            new = word + draw(st.sampled_from(_AFFIXES))
        else:
            new = draw(st.sampled_from(["_", "x", "A"])) + word
        text = text[: m.start()] + new + text[m.end() :]
    return text


def test_keyword_list_is_read_from_the_grammar() -> None:
    assert {"clip", "shot", "use", "without", "as", "say", "trim", "fade"} <= set(KEYWORDS)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keyword_twists())
def test_recased_keywords_parse_and_fail_exactly_like_lark(text: str) -> None:
    same(text)


_SOUP = [
    *KEYWORDS,
    *(k.upper() for k in KEYWORDS),
    *(k.capitalize() for k in KEYWORDS),
    *(k + "s" for k in KEYWORDS),
    *("_" + k for k in KEYWORDS),
    "x",
    "A",
    '"s"',
    "{",
    "}",
    ",",
    ".",
    "5s",
    "16:9",
    "@",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_SOUP), max_size=14))
def test_mixed_case_token_soup_parses_and_fails_exactly_like_lark(parts: list[str]) -> None:
    same(" ".join(parts))


# what the user is told: the word keeps its case, and is a name where a name goes
GOLDEN: list[tuple[str, list[tuple[str, int, int, str]]]] = [
    ("Clip a { }", [("SHOT101", 1, 1, "unknown keyword `Clip` — did you mean `clip`?")]),
    (
        'clip a { Shot { action "x" } }',  # `Shot` is a setting's name here
        [
            ("SHOT101", 1, 15, "expected a value for `Shot`, found `{`"),
            ("SHOT111", 1, 17, "`action` is a shot field, not a clip setting"),
            (
                "SHOT101",
                1,
                30,
                "unexpected `}`: expected `asset`, `character`, `clip`, `cut`, `defaults`, "
                "`import`, `package`, `product` or `template`",
            ),
        ],
    ),
    ("clip a { START x }", []),  # a setting named START, for the checker to reject
    ('clip a { shot { say Ref "hi" } }\nasset Image image "u"', []),  # names like keywords
    ("clip clips { start shots use uses without Without, AS }", []),
    (
        "clip a { ref b AS character }",
        [("SHOT101", 1, 16, "unknown keyword `AS` — did you mean `as`?")],
    ),
    ("clip a { use standard WITHOUT x }", []),  # `WITHOUT x`: a setting named WITHOUT
]


@pytest.mark.parametrize(("text", "want"), GOLDEN, ids=[t for t, _ in GOLDEN])
def test_mixed_case_golden_diagnostics(text: str, want: list[tuple[str, int, int, str]]) -> None:
    same(text)
    _, diags = parse_text(text, "k.shot")
    got = [(d.code, d.span.line, d.span.column, d.message) for d in diags if d.span]
    assert got == want
