"""Error recovery: drive the LALR parser token by token, and go on after an error.

On a token the grammar cannot take, the error is reported (:mod:`.messages` says what)
and the parser recovers at statement level: it drops the innermost unfinished part of
the broken statement, as little as possible, and resumes at the next token the grammar
accepts there (standing in for a missing string or `}` where that makes it fit), so every
error of a file is reported in one run.  While recovering (no token taken since the last
error) further errors are echoes and stay quiet.  A lexer error (a character no token
starts with, a string never closed, a `#` comment) is reported and skipped the same way.

All state is per parse (:class:`Recovering`, :class:`PState`): the tables
(:class:`.lalr.Parser`) are read-only, so parses may run on many threads at once.
"""

from __future__ import annotations

import contextlib
from typing import Any

from . import nodes as n
from .build import Synthetic, TreeBuilder
from .diagnostics import Diagnostic, Label
from .lalr import LexState, Parser, Token, UnexpectedCharacters, UnexpectedToken

__all__ = ["MAX_SYNTAX_ERRORS", "PState", "Recovering", "innermost_lbrace"]

# `.messages` (the table of what errors say) is imported by the methods that report an
# error, when the first one happens: a file without syntax errors never loads it.

#: Stop after this many syntax errors in one file (the rest are usually echoes).
MAX_SYNTAX_ERRORS = 50


class Recovering:
    """Drives the LALR parser token by token, with statement-level error recovery."""

    def __init__(self, parser: Parser, builder: TreeBuilder, text: str) -> None:
        self.parser = parser
        self.b = builder
        self.text = text
        self.errors = 0
        self.recovering = False  # no token accepted since the last error: stay quiet

    def report(self, d: Diagnostic) -> None:
        if self.recovering:
            return
        self.errors += 1
        self.b.diagnostics.append(d)

    def run(self) -> Any:
        parser = self.parser
        state = PState(parser, self.b)
        ls = LexState()
        text = self.text
        last: Token | None = None
        while self.errors < MAX_SYNTAX_ERRORS:
            try:
                for tok in parser.tokens(text, ls, state.state_stack, self.b.comment):
                    try:
                        state.feed_token(tok)
                        self.recovering = False
                        last = tok
                    except UnexpectedToken as e:
                        self.on_token(tok, e, state, last)
                        if self.errors >= MAX_SYNTAX_ERRORS:
                            break
                break
            except UnexpectedToken as e:  # from the contextual lexer's global fallback
                self.on_token(e.token, e, state, last)
            except UnexpectedCharacters:
                self.on_chars(ls, state)
        if self.errors >= MAX_SYNTAX_ERRORS:
            from . import messages

            self.b.diagnostics.append(
                Diagnostic(
                    "SHOT113",
                    "note",
                    messages.TOO_MANY[0].format(count=MAX_SYNTAX_ERRORS),
                    None,
                    help=messages.TOO_MANY[1],
                )
            )
            return None
        end_pos = len(self.text)
        line = self.text.count("\n") + 1
        col = end_pos - (self.text.rfind("\n") + 1) + 1
        eof = Token("$END", "", end_pos, line, col, line, col, end_pos)
        try:
            return state.feed_token(eof)
        except UnexpectedToken as e:
            self.on_eof(e, state)
        # close what is still open (and stand in for a missing string) so the blocks
        # before the end still make a tree
        if self.resync(eof, state, last, close=True):
            with contextlib.suppress(UnexpectedToken):
                return state.feed_token(eof)
        return None

    # -- token errors
    def on_token(self, tok: Token, e: UnexpectedToken, state: PState, last: Token | None) -> None:
        from . import messages

        if not self.recovering:  # (while recovering the message would be dropped: skip it)
            expected = {x for x in e.expected if not x.startswith("__")} if e.expected else set()
            self.report(self.describe(tok, expected, last, state))
        self.recovering = True
        if self.resync(tok, state, last, close=tok.type in messages.OPENING_TYPES):
            with contextlib.suppress(UnexpectedToken):  # resync made sure it fits
                state.feed_token(tok)
        # else no enclosing statement can take it: the token is dropped

    def resync(self, tok: Token, state: PState, last: Token | None, *, close: bool) -> bool:
        """Make the parser's stacks ready to take ``tok``: drop the innermost unfinished
        part of the broken statement, as little as possible — at the deepest state that
        can take ``tok`` as it is, or after standing in for a missing string (where
        nothing else can follow) or, when ``close``, for the `}` of blocks left open.
        False when no state can take ``tok``."""
        parser = state.parser
        stack = state.state_stack
        for depth in range(len(stack) - 1, -1, -1):
            base = stack[: depth + 1]
            inserts = self._insertions(parser, base, tok.type, close)
            if inserts is None:
                continue
            del stack[depth + 1 :]
            del state.value_stack[depth:]
            at = last if last is not None and last.end_pos <= tok.start_pos else tok
            pos, line, col = (
                (at.end_pos, at.end_line, at.end_column)
                if at is last
                else (tok.start_pos, tok.line, tok.column)
            )
            for ttype in inserts:
                value = '""' if ttype == "STRING" else "}"
                fake = Synthetic(ttype, value, pos, line, col, line, col, pos)
                try:
                    state.feed_token(fake)
                except UnexpectedToken:  # pragma: no cover - _insertions checked it
                    return False
            return True
        return False

    @staticmethod
    def _insertions(parser: Parser, stack: list[int], ttype: str, close: bool) -> list[str] | None:
        """The tokens to stand in before ``ttype`` in the state ``stack`` (maybe none),
        or None when standing in cannot make it fit."""
        inserted: list[str] = []
        cur = stack
        states = parser.t.states
        for _ in range(len(stack) + 2):
            if parser.after(cur, ttype) is not None:
                return inserted
            expected = [s for s in states[cur[-1]] if s.isupper()]
            nxt = None
            if expected == ["STRING"]:
                nxt, what = parser.after(cur, "STRING"), "STRING"
            elif close:
                nxt, what = parser.after(cur, "RBRACE"), "RBRACE"
            if nxt is None:
                return None
            inserted.append(what)
            cur = nxt
        return None

    def describe(
        self, tok: Token, expected: set[str], last: Token | None, state: PState
    ) -> Diagnostic:
        from . import messages

        b = self.b
        return messages.describe(
            messages.Situation(
                token=tok,
                expected=frozenset(expected),
                last=last,
                span=b.span(tok) if tok.type != "$END" else self._eof_span(),
                last_span=b.span(last) if last is not None else None,
                opener=innermost_lbrace(state),
            )
        )

    def _eof_span(self) -> n.Span:
        # just after the last non-blank character: where the missing text belongs
        end = len(self.text.rstrip())
        line = self.text.count("\n", 0, end) + 1
        col = end - (self.text.rfind("\n", 0, end) + 1) + 1
        return n.Span(self.b.file, line, col, line, col + 1, end, end)

    # -- end of file
    def on_eof(self, e: UnexpectedToken, state: PState) -> None:
        from . import messages

        opener = innermost_lbrace(state)
        if opener is not None:
            message, label, hint = messages.EOF_UNCLOSED
            self.report(
                Diagnostic(
                    "SHOT104",
                    "error",
                    message,
                    self._eof_span(),
                    (Label(self.b.span(opener), label),),
                    help=hint,
                )
            )
            return
        expected = {x for x in e.expected if not x.startswith("__")} if e.expected else set()
        self.report(
            Diagnostic(
                "SHOT104",
                "error",
                messages.EOF_EXPECTED.format(
                    expected=messages.join_or(messages.describe_expected(expected))
                ),
                self._eof_span(),
            )
        )

    # -- lexer errors
    def on_chars(self, ls: LexState, state: PState) -> None:
        from . import messages

        pos = ls.pos
        text = self.text
        ch = text[pos] if pos < len(text) else ""
        b = self.b
        line, col = ls.line, ls.column
        if ch == "#" or text.startswith("/*", pos):
            self.foreign_comment(ls)
            return
        if ch == '"':
            if text.startswith('"""', pos):
                end = len(text)
                code, msg, hint = messages.LEX_UNCLOSED_LONG
            else:
                nl = text.find("\n", pos)
                end = len(text) if nl < 0 else nl
                code, msg, hint = messages.LEX_UNCLOSED
        else:
            end = pos + 1
            code, template, hint = messages.LEX_CHAR if ch.isprintable() else messages.LEX_CHAR_CODE
            msg = template.format(char=ch, code=ord(ch) if ch else 0)
            # swallow a whole run of junk as one error
            while end < len(text) and not text[end].isspace() and text[end] not in '{}"':
                end += 1
        span_text = text[pos:end]
        end_line = line + span_text.count("\n")
        end_col = (
            (len(span_text) - span_text.rfind("\n")) if "\n" in span_text else col + len(span_text)
        )
        span = n.Span(b.file, line, col, end_line, end_col, pos, end)
        self.report(Diagnostic(code, "error", msg, span, help=hint))
        self.recovering = True
        ls.feed(text[pos : max(end, pos + 1)])
        if code == "SHOT103" and "STRING" in state.parser.t.states[state.position]:
            # stand in an empty string, so the statement it belongs to still parses
            fake = Synthetic("STRING", '""', pos, line, col, end_line, end_col, end)
            with contextlib.suppress(UnexpectedToken):
                state.feed_token(fake)
                self.recovering = False  # the statement is whole again

    def foreign_comment(self, ls: LexState) -> None:
        """A `# ...` or `/* ... */` comment: one error for the whole comment, which is
        then skipped like a comment (the statement around it still parses)."""
        from . import messages

        text, pos = self.text, ls.pos
        if text[pos] == "#":
            nl = text.find("\n", pos)
            end = len(text) if nl < 0 else nl
            msg, hint = messages.LEX_HASH
        else:
            close = text.find("*/", pos + 2)
            if close < 0:
                end = len(text)
                msg = messages.LEX_BLOCK_UNCLOSED
            else:
                end = close + 2
                msg = messages.LEX_BLOCK
            hint = messages.LEX_BLOCK_HELP
        if text.endswith("\r", pos, end):
            end -= 1
        body = text[pos:end]
        nl_count = body.count("\n")
        end_line = ls.line + nl_count
        end_col = len(body) - body.rfind("\n") if nl_count else ls.column + len(body)
        span = n.Span(self.b.file, ls.line, ls.column, end_line, end_col, pos, end)
        # reported even while recovering from an earlier error: it is a mistake of its own
        self.errors += 1
        self.b.diagnostics.append(Diagnostic("SHOT102", "error", msg, span, help=hint))
        ls.feed(body)


def innermost_lbrace(state: PState) -> Token | None:
    """The `{` of the innermost block still open on the parser's stack."""
    closed = 0
    for v in reversed(state.value_stack):
        if isinstance(v, Token):
            if v.type == "RBRACE":
                closed += 1
            elif v.type == "LBRACE":
                if not closed:
                    return v
                closed -= 1
    return None


class PState:
    """The parser's stacks for one parse, with the builder as the rules' callbacks."""

    __slots__ = ("builder", "parser", "state_stack", "value_stack")

    def __init__(self, parser: Parser, builder: TreeBuilder) -> None:
        self.parser = parser
        self.builder = builder
        self.state_stack: list[int] = [parser.t.start_state]
        self.value_stack: list[Any] = []

    @property
    def position(self) -> int:
        return self.state_stack[-1]

    def feed_token(self, tok: Token) -> Any:
        return self.parser.feed(tok, self.state_stack, self.value_stack, self.builder)
