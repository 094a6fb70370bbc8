"""Where the cursor is, in the language's terms: which block, which statement, which slot.

A small tolerant scan of the text before the cursor (strings, comments, braces, words);
it never fails, so completion works in a file that does not parse.  The parser's error
recovery is not needed for this, and its internals are not used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The block keywords: what an opening brace after them opens.
BLOCKS = ("defaults", "package", "character", "product", "clip", "shot", "cut")

_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*(?:"""|\Z)'  # a long string (maybe unterminated)
    r'|"(?:[^"\\\n]|\\.)*(?:"|$)'  # a string (maybe unterminated)
    r"|//[^\n]*"  # a comment
    r"|[{},.]"
    r"|[^\s{},.\"/]+(?:\.\.[^\s{},\"/]*)?"  # a word (a value: 16:9, 1.5s, 0.5s..4s)
    r"|/",
    re.S | re.M,
)


@dataclass(frozen=True, slots=True)
class Context:
    """The cursor's place.

    ``block``: "top" or one of :data:`BLOCKS`; ``words``: the words of the current
    statement before the cursor (strings as ``"``); ``prefix``: the partial word under the
    cursor; ``after_dot``: the cursor follows ``NAME.``; ``in_string``/``in_comment``.
    ``block_name``: the name of the enclosing clip (for a shot, its clip).
    """

    block: str
    words: tuple[str, ...]
    prefix: str
    after_dot: str | None = None
    in_string: bool = False
    in_comment: bool = False
    clip: str | None = None


def cursor_context(text: str, offset: int, start: int = 0) -> Context:
    """The :class:`Context` at character ``offset`` of ``text``; the scan starts at
    ``start``, a place where no block is open (the start of a top-level declaration)."""
    start = max(0, min(start, offset))
    before = text[start : max(start, min(offset, len(text)))]
    stack: list[tuple[str, str | None]] = []  # (block, clip name)
    words: list[str] = []  # of the statement being written
    line_of_words = -1
    last_end = 0
    in_string = in_comment = False
    prefix = ""
    after_dot: str | None = None
    line = 0
    counted = 0  # newlines counted up to this offset
    for m in _TOKEN.finditer(before):
        tok = m.group()
        start, end = m.span()
        line += before.count("\n", counted, start)
        counted = start
        last_end = end
        at_end = end == len(before)
        if tok.startswith("//"):
            in_comment = at_end
            continue
        if tok.startswith('"'):
            closed = (
                len(tok) >= 6 and tok.endswith('"""')
                if tok.startswith('"""')
                else len(tok) >= 2 and tok.endswith('"')
            )
            if at_end and not closed:
                in_string = True
            words.append('"')
            continue
        if tok == "{":
            kw = next((w for w in reversed(words) if w in BLOCKS), "")
            name = None
            if kw == "clip" and len(words) >= 2 and words[0] == "clip":
                name = words[1]
            elif stack:
                name = stack[-1][1]
            stack.append((kw or "?", name))
            words = []
            continue
        if tok == "}":
            if stack:
                stack.pop()
            words = []
            continue
        if tok in (",", "."):
            words.append(tok)
            continue
        if at_end:
            prefix = tok
            break
        # a new line starts a new statement (except a continued `keep a,` or `without a,`)
        if line != line_of_words and words and words[-1] != ",":
            block = stack[-1][0] if stack else "top"
            if not (block == "shot" and len(words) == 1):
                words = []
        line_of_words = line
        words.append(tok)
    if last_end < len(before) and not in_string and not in_comment:
        prefix = ""  # whitespace before the cursor
    if not prefix and words and words[-1] == "." and len(words) >= 2:
        after_dot = words[-2]
    elif prefix and words and words[-1] == ".":
        after_dot = words[-2] if len(words) >= 2 else None
    block, clip = stack[-1] if stack else ("top", None)
    if block == "shot":
        words = _shot_statement(words)
    return Context(block, tuple(words), prefix, after_dot, in_string, in_comment, clip)


_SHOT_VALUE_ARITY = {"say": 2}


def _shot_statement(words: list[str]) -> list[str]:
    """In a shot, fields follow each other on one line: keep only the last field's words."""
    out: list[str] = []
    need = 0
    for w in words:
        if need == 0:
            out = [w]
            need = _SHOT_VALUE_ARITY.get(w, 1)
        else:
            out.append(w)
            need -= 1
    return out if need > 0 else []
