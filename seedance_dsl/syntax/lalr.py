"""A small runtime for the LALR(1) tables that Lark computes from ``grammar/shot.lark``.

Lark is the grammar compiler: it analyses the grammar and builds the parse table and the
contextual lexer.  Importing Lark and loading its parser costs more than the whole rest
of ``seedance check`` (docs/benchmarks.md), so the tables Lark computed are saved as plain
data in the user's cache directory (keyed by the grammar's hash) and driven here by a few
dozen lines of code that reproduce Lark's semantics exactly:

- the contextual lexer: in each parser state only the terminals that state accepts (plus
  the ignored ones) are tried, as one regex alternation in Lark's priority order, with
  Lark's keyword retyping (a NAME that spells a keyword becomes that keyword);
- the LALR automaton: shift / reduce; rules whose name starts with ``_`` (and Lark's
  ``__x_star_n`` helpers) are inlined into their parent, every token is kept
  (``keep_all_tokens``), and every other rule calls the tree builder's method of that name.

A differential test (tests/syntax/test_lalr_runtime.py) checks that the trees and the
errors are those of Lark itself.  When the cache cannot be written, the tables are rebuilt
in memory on each run (correct, only slower).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import pickle
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._files import safe_to_load

if TYPE_CHECKING:
    from pathlib import Path

#: Bump when the layout of :class:`Tables` changes.
TABLES_FORMAT = 2

SHIFT = 0
REDUCE = 1


class Token:
    """A token: its type, its text and where it is (1-based lines/columns, end exclusive)."""

    __slots__ = (
        "column",
        "end_column",
        "end_line",
        "end_pos",
        "line",
        "start_pos",
        "type",
        "value",
    )

    def __init__(
        self,
        type: str,
        value: str,
        start_pos: int,
        line: int,
        column: int,
        end_line: int,
        end_column: int,
        end_pos: int,
    ) -> None:
        self.type = type
        self.value = value
        self.start_pos = start_pos
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column
        self.end_pos = end_pos

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r}, {self.line}:{self.column})"


#: A regex compiled by this interpreter's ``re`` (the arguments of ``_sre.compile``):
#: (pattern, flags, code, groups, groupindex, indexgroup).  Loading these skips parsing and
#: compiling the patterns again, which is most of a cold start's lexer cost.
Compiled = tuple[str, int, tuple[int, ...], int, dict[str, int], tuple[str | None, ...]]


@dataclass(frozen=True, slots=True)
class LexerSpec:
    patterns: tuple[tuple[str, int], ...]  # (alternation regex, flags), in order
    compiled: tuple[Compiled, ...]  # the same, compiled (valid for Tables.sre_key only)
    unless: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # type -> ((text, keyword),)
    newline_types: frozenset[str]
    allowed: frozenset[str]


@dataclass(frozen=True, slots=True)
class Tables:
    grammar_hash: str
    #: state -> {symbol: (SHIFT, next state) | (REDUCE, rule index)}
    states: dict[int, dict[str, tuple[int, int]]]
    #: rule index -> (origin name, expansion length)
    rules: tuple[tuple[str, int], ...]
    start_state: int
    end_state: int
    lexers: tuple[LexerSpec, ...]
    state_lexer: dict[int, int]  # parser state -> index into lexers
    root_lexer: LexerSpec
    ignore: frozenset[str]
    terminals: frozenset[str]
    sre_key: str  # the interpreter whose regex engine compiled LexerSpec.compiled


# ---------------------------------------------------------------------------- building


def sre_key() -> str:
    """Identifies the regex engine's compiled-code format (interpreter version + magic)."""
    import sys

    sre: Any = importlib.import_module("_sre")
    return f"{sys.implementation.cache_tag}/{sys.version}/{sre.MAGIC}/{sre.CODESIZE}"


def _precompile(pattern: str, flags: int) -> Compiled:
    parser: Any = importlib.import_module("re._parser")
    compiler: Any = importlib.import_module("re._compiler")
    p = parser.parse(pattern, flags)
    code = compiler._code(p, flags)
    groupindex = dict(p.state.groupdict)
    indexgroup: list[str | None] = [None] * p.state.groups
    for k, i in groupindex.items():
        indexgroup[i] = k
    ops = tuple(int(x) for x in code)  # opcodes are int subclasses: store plain ints
    return (
        pattern,
        int(flags | p.state.flags),
        ops,
        p.state.groups - 1,
        groupindex,
        tuple(indexgroup),
    )


def _load_regex(spec_pattern: tuple[str, int], compiled: Compiled | None) -> re.Pattern[str]:
    if compiled is not None:
        try:
            sre: Any = importlib.import_module("_sre")
            pattern, flags, code, groups, groupindex, indexgroup = compiled
            rx: re.Pattern[str] = sre.compile(
                pattern, flags, list(code), groups, groupindex, indexgroup
            )
            return rx
        except Exception:  # pragma: no cover - a different engine: compile normally
            pass
    return re.compile(*spec_pattern)


def grammar_hash(text: str) -> str:
    return hashlib.sha256(f"{TABLES_FORMAT}\0{text}".encode()).hexdigest()


def build_tables(grammar: str) -> Tables:
    """Let Lark analyse the grammar; keep the parse table and lexers as plain data."""
    from lark import Lark
    from lark.lexer import UnlessCallback

    lark = Lark(grammar, parser="lalr", lexer="contextual", keep_all_tokens=True)
    frontend: Any = lark.parser
    table = frontend.parser._parse_table
    rule_index: dict[int, int] = {}
    rules: list[tuple[str, int]] = []
    states: dict[int, dict[str, tuple[int, int]]] = {}
    for state, row in table.states.items():
        out: dict[str, tuple[int, int]] = {}
        for sym, (action, arg) in row.items():
            if action.name == "Shift":
                out[str(sym)] = (SHIFT, int(arg))
            else:
                key = id(arg)
                if key not in rule_index:
                    rule_index[key] = len(rules)
                    opts = arg.options
                    if opts and (opts.expand1 or arg.alias):  # pragma: no cover - not used
                        raise ValueError(f"unsupported rule form: {arg}")
                    rules.append((str(arg.origin.name), len(arg.expansion)))
                out[str(sym)] = (REDUCE, rule_index[key])
        states[int(state)] = out

    def spec(basic: Any) -> LexerSpec:
        scanner = basic.scanner
        patterns = tuple((str(m.pattern), int(m.flags)) for m in scanner._mres)
        try:
            compiled = tuple(_precompile(p, f & ~re.UNICODE) for p, f in patterns)
        except Exception:  # pragma: no cover - private API changed: compile at load time
            compiled = ()
        unless: list[tuple[str, tuple[tuple[str, str], ...]]] = []
        for ttype, cb in basic.callback.items():
            if isinstance(cb, UnlessCallback):
                words = tuple((str(t.pattern.value), str(t.name)) for t in cb.scanner.terminals)
                unless.append((str(ttype), words))
            elif ttype not in basic.user_callbacks:  # pragma: no cover
                raise ValueError(f"unsupported lexer callback for {ttype}")
        return LexerSpec(
            patterns,
            compiled,
            tuple(sorted(unless)),
            frozenset(str(t) for t in basic.newline_types),
            frozenset(str(t) for t in scanner.allowed_types if t not in basic.ignore_types),
        )

    ctx = frontend.lexer
    lexers: list[LexerSpec] = []
    seen: dict[int, int] = {}
    state_lexer: dict[int, int] = {}
    for state, basic in ctx.lexers.items():
        if id(basic) not in seen:
            seen[id(basic)] = len(lexers)
            lexers.append(spec(basic))
        state_lexer[int(state)] = seen[id(basic)]
    return Tables(
        grammar_hash=grammar_hash(grammar),
        states=states,
        rules=tuple(rules),
        start_state=int(table.start_states["start"]),
        end_state=int(table.end_states["start"]),
        lexers=tuple(lexers),
        state_lexer=state_lexer,
        root_lexer=spec(ctx.root_lexer),
        ignore=frozenset(str(t) for t in frontend.lexer_conf.ignore),
        terminals=frozenset(str(t.name) for t in lark.terminals),
        sre_key=sre_key(),
    )


def load_tables(grammar: str, cache_dir: str | Path | None) -> Tables:
    """The tables for ``grammar``: from the cache when it matches, else built (and cached)."""
    h = grammar_hash(grammar)
    path = (
        os.path.join(cache_dir, f"shot-tables-{h[:16]}.pickle") if cache_dir is not None else None
    )
    if path is not None:
        try:
            with open(path, "rb") as f:
                # a pickle runs code when loaded: only ever one this user wrote
                tables = pickle.load(f) if safe_to_load(os.fstat(f.fileno())) else None
            if isinstance(tables, Tables) and tables.grammar_hash == h:
                return tables
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
            pass
    tables = build_tables(grammar)
    if path is not None:
        tmp = f"{path}.{os.getpid()}.tmp"
        try:
            with open(tmp, "wb") as f:
                pickle.dump(tables, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except Exception:  # an unwritable cache only costs speed, never the result
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return tables


# ---------------------------------------------------------------------------- errors


class UnexpectedToken(Exception):
    def __init__(self, token: Token, expected: set[str]) -> None:
        super().__init__(f"unexpected {token.type}")
        self.token = token
        self.expected = expected


class UnexpectedCharacters(Exception):
    def __init__(self, pos: int, line: int, column: int) -> None:
        super().__init__(f"unexpected character at {line}:{column}")
        self.pos = pos
        self.line = line
        self.column = column


# ---------------------------------------------------------------------------- lexer


class _Lexer:
    __slots__ = ("allowed", "newline_types", "res", "unless")

    def __init__(self, spec: LexerSpec, precompiled: bool) -> None:
        if precompiled and len(spec.compiled) == len(spec.patterns):
            self.res = [
                _load_regex(p, c) for p, c in zip(spec.patterns, spec.compiled, strict=True)
            ]
        else:
            self.res = [re.compile(p, f) for p, f in spec.patterns]
        self.unless = {t: dict(words) for t, words in spec.unless}
        self.newline_types = spec.newline_types
        self.allowed = spec.allowed


class LexState:
    """Where the lexer is in the text (Lark's LineCounter)."""

    __slots__ = ("column", "line", "line_start", "pos")

    def __init__(self) -> None:
        self.pos = 0
        self.line = 1
        self.column = 1
        self.line_start = 0

    def feed(self, text: str, newlines: bool = True) -> None:
        if newlines:
            count = text.count("\n")
            if count:
                self.line += count
                self.line_start = self.pos + text.rindex("\n") + 1
        self.pos += len(text)
        self.column = self.pos - self.line_start + 1


# ---------------------------------------------------------------------------- parser


class Parser:
    """Drives the tables: ``callbacks`` has one method per (non-inlined) rule name."""

    def __init__(self, tables: Tables) -> None:
        self.t = tables
        self._lexers: dict[int, _Lexer] = {}
        self._root: _Lexer | None = None
        self._precompiled = tables.sre_key == sre_key()

    def lexer_for(self, state: int) -> _Lexer:
        idx = self.t.state_lexer[state]
        lx = self._lexers.get(idx)
        if lx is None:
            lx = self._lexers[idx] = _Lexer(self.t.lexers[idx], self._precompiled)
        return lx

    def root_lexer(self) -> _Lexer:
        if self._root is None:
            self._root = _Lexer(self.t.root_lexer, self._precompiled)
        return self._root

    def next_token(
        self,
        lx: _Lexer,
        text: str,
        ls: LexState,
        on_ignored: Callable[[Token], None] | None,
    ) -> Token | None:
        """The next non-ignored token (None at the end of the text)."""
        ignore = self.t.ignore
        size = len(text)
        while ls.pos < size:
            m = None
            for rx in lx.res:
                m = rx.match(text, ls.pos)
                if m:
                    break
            if m is None:
                raise UnexpectedCharacters(ls.pos, ls.line, ls.column)
            value = m.group(0)
            ttype: str = m.lastgroup  # type: ignore[assignment]
            start, line, col = ls.pos, ls.line, ls.column
            ls.feed(value, ttype in lx.newline_types)
            if ttype in ignore:
                if on_ignored is not None and ttype == "COMMENT":
                    on_ignored(Token(ttype, value, start, line, col, ls.line, ls.column, ls.pos))
                continue
            words = lx.unless.get(ttype)
            if words is not None:
                ttype = words.get(value, ttype)
            return Token(ttype, value, start, line, col, ls.line, ls.column, ls.pos)
        return None

    def tokens(
        self,
        text: str,
        ls: LexState,
        stack: list[int],
        on_ignored: Callable[[Token], None] | None,
    ) -> Iterator[Token]:
        """Tokens for the parser's current state (the contextual lexer).  On a character
        the state's lexer cannot take, the whole grammar's lexer is tried so the error can
        name the token (Lark's behaviour); either way an exception ends the iteration."""
        while True:
            lx = self.lexer_for(stack[-1])
            try:
                tok = self.next_token(lx, text, ls, on_ignored)
            except UnexpectedCharacters as err:
                # `ls` is at the character the state's lexer cannot take (whitespace and
                # comments before it are consumed): try the whole grammar's lexer there
                try:
                    tok = self.next_token(self.root_lexer(), text, ls, None)
                except UnexpectedCharacters:
                    raise err from None
                if tok is None:  # pragma: no cover - there was a character
                    raise err from None
                raise UnexpectedToken(tok, set(lx.allowed)) from None
            if tok is None:
                return
            yield tok

    def feed(self, tok: Token, stack: list[int], values: list[Any], callbacks: Any) -> Any:
        """Feed one token (``$END`` accepts and returns the result)."""
        states = self.t.states
        rules = self.t.rules
        ttype = tok.type
        while True:
            act = states[stack[-1]].get(ttype)
            if act is None:
                raise UnexpectedToken(tok, {s for s in states[stack[-1]] if s.isupper()})
            kind, arg = act
            if kind == SHIFT:
                stack.append(arg)
                values.append(tok)
                return None
            origin, size = rules[arg]
            if size:
                children = values[-size:]
                del stack[-size:]
                del values[-size:]
            else:
                children = []
            value: Any
            if origin[0] == "_":
                # an inlined rule: its children go into its parent.  A list rule is left
                # recursive (`__x: __x item`), so its first child is the list so far: it
                # grows in place (copying it on every item would be quadratic)
                if children and type(children[0]) is _Inline:
                    value = children[0]
                    items = value.items
                    for c in children[1:]:
                        if type(c) is _Inline:
                            items.extend(c.items)
                        else:
                            items.append(c)
                else:
                    value = _Inline(_flatten(children))
            else:
                value = getattr(callbacks, origin)(_flatten(children))
            goto = states[stack[-1]][origin]
            stack.append(goto[1])
            values.append(value)
            if ttype == "$END" and goto[1] == self.t.end_state:
                return value

    def can_shift(self, stack: list[int], ttype: str) -> bool:
        """Would the automaton, in the state ``stack``, shift a token of ``ttype``?"""
        return self.after(stack, ttype) is not None

    def after(self, stack: list[int], ttype: str) -> list[int] | None:
        """The state stack after feeding a token of ``ttype`` in the state ``stack`` (a
        copy; no callback runs), or None when that token is an error there.  For
        ``$END``: the stack once the input is accepted."""
        states = self.t.states
        rules = self.t.rules
        stack = list(stack)
        for _ in range(100_000):
            act = states[stack[-1]].get(ttype)
            if act is None:
                return None
            kind, arg = act
            if kind == SHIFT:
                stack.append(arg)
                return stack
            origin, size = rules[arg]
            if size:
                del stack[-size:]
            goto = states[stack[-1]].get(origin)
            if goto is None:
                return None
            stack.append(goto[1])
            if ttype == "$END" and goto[1] == self.t.end_state:
                return stack
        return None  # pragma: no cover


class _Inline:
    __slots__ = ("items",)

    def __init__(self, items: list[Any]) -> None:
        self.items = items


def _flatten(children: list[Any]) -> list[Any]:
    """``children`` with the items of inlined rules in their place."""
    for c in children:
        if type(c) is _Inline:
            break
    else:
        return children
    flat: list[Any] = []
    for c in children:
        if type(c) is _Inline:
            flat.extend(c.items)
        else:
            flat.append(c)
    return flat
