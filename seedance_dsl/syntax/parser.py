"""Parse ``.shot`` text into the typed syntax tree of :mod:`seedance_dsl.syntax.nodes`.

The grammar (``grammar/shot.lark``) is LALR(1).  Lark compiles it into tables once (cached
on disk); :mod:`seedance_dsl.syntax.lalr` drives them.  Nodes are built *during* the parse
by :class:`TreeBuilder` (one method per grammar rule), so no intermediate tree exists.

Errors never raise: :func:`parse_text` returns ``(storyboard, diagnostics)``.  Syntax
errors are turned into specific messages, and the parser recovers at statement level
(it drops the broken statement and resumes at the next one the grammar accepts), so every
error of a file is reported in one run.  When the grammar itself failed anywhere, the tree
is incomplete and ``None`` is returned with the diagnostics.
"""

from __future__ import annotations

import contextlib
import gc
import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from . import nodes as n
from .diagnostics import Diagnostic, Label
from .grammar import cache_dir, grammar_text
from .lalr import LexState, Parser, Token, UnexpectedCharacters, UnexpectedToken, load_tables
from .source import read_source

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["parse_file", "parse_text", "suggest"]

#: Stop after this many syntax errors in one file (the rest are usually echoes).
MAX_SYNTAX_ERRORS = 50

_DURATION_RE = re.compile(r"(\d+)(?:\.(\d+))?s")
_NUMBER_RE = re.compile(r"-?\d+")
_RATIO_RE = re.compile(r"\d+:\d+")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r"}
#: Characters no string (or comment) may hold: NUL (it cannot be in a file name, and
#: means "binary" everywhere) and lone UTF-16 surrogates (not characters: they cannot
#: be encoded, so no prompt, path or URL can carry them).
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")
#: In a string's source text: an escape, or a character no string may hold.
_STRING_SCAN = re.compile("\\\\(?:u([0-9A-Fa-f]{4})|(.))|[\x00\ud800-\udfff]", re.S)
_SPECIAL_HELP = (
    "write the character itself; a character beyond U+FFFF as itself or as a pair of "
    "escapes (\\uD83C\\uDFAC)"
)

SWITCH_WORDS = ("on", "off")
SHOT_FIELD_SET = frozenset(n.SHOT_FIELD_KEYS)
REF_ROLES: dict[str, n.Role] = {"character": "character", "motion": "motion", "style": "style"}
ROLE_KEYWORDS: dict[str, n.Role] = {
    "start": "start",
    "end": "end",
    "source": "source",
    "extend": "extension",
}
CLIP_OUTPUTS: tuple[n.ClipOutputKind, ...] = ("last_frame", "video")
ASSET_KINDS: tuple[n.AssetKind, ...] = ("image", "video")

#: Words a user might mean at the start of a top-level statement / inside a block.
TOP_KEYWORDS = (
    "storyboard",
    "import",
    "template",
    "defaults",
    "asset",
    "package",
    "clip",
    "cut",
)
CLIP_KEYWORDS = ("start", "end", "ref", "source", "extend", "use", "shot", "text")
PACKAGE_KEYWORDS = ("style", "keep", "avoid")
#: Words the grammar reserves: a name spelled like one of these cannot be written bare
#: (the formatter quotes it where quoting is allowed).
RESERVED_WORDS = frozenset(
    [
        "storyboard",
        "import",
        "template",
        "defaults",
        "asset",
        "package",
        "style",
        "keep",
        "avoid",
        "clip",
        "start",
        "end",
        "source",
        "extend",
        "ref",
        "as",
        "use",
        "without",
        "shot",
        "say",
    ]
)


def suggest(word: str, candidates: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """The closest candidate to ``word`` (difflib), or None when nothing is close."""
    import difflib  # only when there is a mistake to explain

    found = difflib.get_close_matches(word.lower(), sorted(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, candidates: list[str] | tuple[str, ...] | set[str]) -> str:
    """`` — did you mean `x`?`` or an empty string."""
    best = suggest(word, candidates)
    return f" — did you mean `{best}`?" if best else ""


def duration_millis(text: str) -> int | None:
    """``"5s"`` → 5000, ``"1.5s"`` → 1500; None if not a duration (or finer than 1 ms)."""
    m = _DURATION_RE.fullmatch(text)
    if m is None:
        return None
    whole, frac = m.group(1), m.group(2) or ""
    if len(frac) > 3 and frac[3:].strip("0"):
        return None
    frac = (frac + "000")[:3]
    return int(whole) * 1000 + int(frac)


def classify_value(text: str) -> n.SettingValueKind:
    if text in SWITCH_WORDS:
        return "switch"
    if _DURATION_RE.fullmatch(text):
        return "duration"
    if _NUMBER_RE.fullmatch(text):
        return "number"
    if _RATIO_RE.fullmatch(text):
        return "ratio"
    return "word"


def _dedent_long(body: str) -> str:
    body = body.replace("\r\n", "\n")
    if body.startswith("\n"):
        body = body[1:]
    i = body.rfind("\n")
    if i >= 0 and body[i + 1 :].strip(" \t") == "":
        body = body[:i]
    import textwrap  # only for files with triple-quoted strings

    return textwrap.dedent(body)


def _low_surrogate(text: str, i: int) -> int | None:
    """The low surrogate written as ``\\uDC00``-``\\uDFFF`` at ``text[i:]``, if any."""
    if text.startswith("\\u", i) and _HEX4.fullmatch(text, i + 2, i + 6):
        code = int(text[i + 2 : i + 6], 16)
        if 0xDC00 <= code <= 0xDFFF:
            return code
    return None


def _unescape(body: str) -> str:
    """The value of a string's body: escapes decoded (a pair of surrogate escapes is one
    character), unknown escapes kept as their letter, and characters no string may hold
    replaced by U+FFFD (each is reported by ``TreeBuilder._check_string``)."""
    out: list[str] = []
    i = 0
    size = len(body)
    while i < size:
        j = body.find("\\", i)
        if j < 0 or j + 1 >= size:
            out.append(body[i:])
            break
        out.append(body[i:j])
        nxt = body[j + 1]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i = j + 2
        elif nxt == "u" and _HEX4.fullmatch(body, j + 2, j + 6):
            code = int(body[j + 2 : j + 6], 16)
            i = j + 6
            if 0xD800 <= code <= 0xDBFF:
                low = _low_surrogate(body, i)
                if low is not None:
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
            out.append(chr(code))
        else:
            out.append(nxt)
            i = j + 2
    value = "".join(out)
    return _BAD_CHARS.sub("\ufffd", value) if _BAD_CHARS.search(value) else value


def _char_name(c: str) -> str:
    return "a NUL character (U+0000)" if c == "\x00" else f"a lone surrogate (U+{ord(c):04X})"


class _Where:
    """Spans of parts of one token, found left to right: the line and column are carried
    from one part to the next (a string with many bad escapes costs O(its length))."""

    __slots__ = ("b", "col_base", "line", "off", "t")

    def __init__(self, b: TreeBuilder, t: Token) -> None:
        self.b, self.t = b, t
        self.off = 0  # offset into the token's text that line / col_base describe
        self.line = t.line
        self.col_base = t.column  # the column of offset 0 on self.line (may be <= 0)

    def span(self, start: int, end: int) -> n.Span:
        raw = str(self.t)
        nls = raw.count("\n", self.off, start)
        if nls:
            self.line += nls
            self.col_base = 1 - (raw.rfind("\n", self.off, start) + 1)
        self.off = start
        col = self.col_base + start
        tp = self.t.start_pos
        return n.Span(
            self.b.file, self.line, col, self.line, col + end - start, tp + start, tp + end
        )


class _Synthetic(Token):
    """A token the error recovery stands in for a missing one (a `}` or a string)."""

    __slots__ = ()


# ---------------------------------------------------------------------------- builder


class _Header:
    __slots__ = ("text",)

    def __init__(self, text: n.Text) -> None:
        self.text = text


class TreeBuilder:
    """The rules' callbacks: the parser calls one method per reduced rule with its children
    (all tokens kept).  Holds the per-parse context (file name, diagnostics, comments)."""

    def __init__(self) -> None:
        self.file = "<text>"
        self.text = ""
        self.diagnostics: list[Diagnostic] = []
        self.comments: list[n.Comment] = []

    def reset(self, file: str, text: str) -> None:
        self.file = file
        self.text = text
        self.diagnostics = []
        self.comments = []

    # -- helpers
    def span(self, t: Token) -> n.Span:
        return n.Span(
            self.file,
            t.line,
            t.column,
            t.end_line,
            t.end_column,
            t.start_pos,
            t.end_pos,
        )

    def join(self, a: n.Span, b: n.Span) -> n.Span:
        return n.Span(self.file, a.line, a.column, b.end_line, b.end_column, a.start_pos, b.end_pos)

    def span_of(self, first: Any, last: Any) -> n.Span:
        """From the start of ``first`` to the end of ``last`` (tokens or nodes)."""
        a: Any = first if isinstance(first, Token) else first.span
        b: Any = last if isinstance(last, Token) else last.span
        # tokens and spans share these attribute names
        return n.Span(self.file, a.line, a.column, b.end_line, b.end_column, a.start_pos, b.end_pos)

    def error(
        self,
        code: str,
        message: str,
        span: n.Span,
        help: str | None = None,
        labels: tuple[Label, ...] = (),
    ) -> None:
        self.diagnostics.append(Diagnostic(code, "error", message, span, labels, help))

    def comment(self, t: Token) -> None:
        raw = str(t)
        m = _BAD_CHARS.search(raw)
        if m is not None:
            self.error(
                "SHOT114",
                f"a comment cannot hold {_char_name(m.group())}",
                _Where(self, t).span(m.start(), m.end()),
                help="delete it (a .shot file is plain text)",
            )
        self.comments.append(n.Comment(raw[2:], self.span(t)))

    def string(self, t: Token) -> n.Text:
        raw = str(t)
        if type(t) is _Synthetic:
            return n.Text("", self.span(t))
        body = _dedent_long(raw[3:-3]) if raw.startswith('"""') else raw[1:-1]
        if "\\" in body or _BAD_CHARS.search(raw):
            self._check_string(t)
            body = _unescape(body)
        return n.Text(body, self.span(t))

    def _check_string(self, t: Token) -> None:
        """Report every unknown escape, and every escape or character that makes a
        character no string may hold, at its own span."""
        raw = str(t)
        pos = 0
        where = _Where(self, t)
        while True:
            m = _STRING_SCAN.search(raw, pos)
            if m is None:
                return
            pos = m.end()
            hexa, other = m.group(1), m.group(2)
            if hexa is not None:
                code = int(hexa, 16)
                if 0xD800 <= code <= 0xDBFF and _low_surrogate(raw, pos) is not None:
                    pos += 6  # a pair: one character beyond U+FFFF
                    continue
                if code == 0 or 0xD800 <= code <= 0xDFFF:
                    what = "a NUL character" if code == 0 else f"a lone surrogate (U+{code:04X})"
                    self.error(
                        "SHOT114",
                        f"`{m.group()}` makes {what}, which no string can hold",
                        where.span(m.start(), m.end()),
                        help=_SPECIAL_HELP,
                    )
            elif other is not None:
                if other in _ESCAPES:
                    continue
                shown = other if other.isprintable() else f"U+{ord(other):04X}"
                self.error(
                    "SHOT107",
                    f"unknown escape `\\{shown}` in a string",
                    where.span(m.start(), m.end()),
                    help='the escapes are \\" \\\\ \\n \\t \\r and \\uXXXX; write \\\\ for a backslash',
                )
            else:
                self.error(
                    "SHOT114",
                    f"a string cannot hold {_char_name(m.group())}",
                    where.span(m.start(), m.end()),
                    help=_SPECIAL_HELP,
                )

    def ident(self, t: Token) -> n.Ident:
        return n.Ident(str(t), self.span(t))

    # -- rules
    def start(self, c: list[Any]) -> n.Storyboard:
        title: n.Text | None = None
        items: list[n.TopItem] = []
        for x in c:
            if isinstance(x, _Header):
                title = x.text
            elif x is not None:
                items.append(x)
        end = len(self.text)
        last_line = self.text.count("\n") + 1
        last_col = end - (self.text.rfind("\n") + 1) + 1
        span = n.Span(self.file, 1, 1, last_line, last_col, 0, end)
        return n.Storyboard(title, tuple(items), tuple(self.comments), span)

    # a statement whose string the error recovery stood in for is dropped (an empty path
    # or title would only bring follow-on errors); an asset keeps its name (empty URL)
    def header(self, c: list[Any]) -> _Header | None:
        return None if type(c[1]) is _Synthetic else _Header(self.string(c[1]))

    def import_(self, c: list[Any]) -> n.Import | None:
        path = self.path(c[1])
        return None if path is None else n.Import(path, self.span_of(c[0], c[1]))

    def template(self, c: list[Any]) -> n.TemplateDecl | None:
        path = self.path(c[1])
        return None if path is None else n.TemplateDecl(path, self.span_of(c[0], c[1]))

    def path(self, t: Token) -> n.Text | None:
        """A file path, or None when it was stood in for or held a character no path can
        (reported): looking for such a file would only add a follow-on error."""
        if type(t) is _Synthetic:
            return None
        before = len(self.diagnostics)
        text = self.string(t)
        if any(d.code == "SHOT114" for d in self.diagnostics[before:]):
            return None
        return text

    def defaults(self, c: list[Any]) -> n.Defaults:
        settings = tuple(x for x in c[2:-1] if isinstance(x, n.Setting))
        return n.Defaults(settings, self.span_of(c[0], c[-1]))

    def setting(self, c: list[Any]) -> n.Setting:
        key, val = c
        if val.type == "STRING":
            t = self.string(val)
            value = n.SettingValue(t.value, "text", t.span)
        else:
            text = str(val)
            value = n.SettingValue(text, classify_value(text), self.span(val))
        return n.Setting(self.ident(key), value, self.span_of(key, val))

    def asset(self, c: list[Any]) -> n.AssetDecl:
        kw, name, kind_tok, url = c
        kind = str(kind_tok)
        if kind not in ASSET_KINDS:
            guess = suggest(kind, ASSET_KINDS)
            self.error(
                "SHOT108",
                f"unknown asset kind `{kind}`{did_you_mean(kind, ASSET_KINDS)}",
                self.span(kind_tok),
                help="an asset is an `image` or a `video`: "
                'asset station image "https://cdn.example.com/station.png"',
            )
            kind = guess or "image"
        return n.AssetDecl(
            self.ident(name),
            kind,  # type: ignore[arg-type]
            self.string(url),
            self.span_of(kw, url),
        )

    def package(self, c: list[Any]) -> n.PackageDecl:
        items = tuple(x for x in c[3:-1] if isinstance(x, n.StyleItem | n.ConstraintItem))
        return n.PackageDecl(self.ident(c[1]), items, self.span_of(c[0], c[-1]))

    def pkg_style(self, c: list[Any]) -> n.StyleItem | None:
        if type(c[1]) is _Synthetic:
            return None
        return n.StyleItem(self.string(c[1]), self.span_of(c[0], c[1]))

    def _constraint(self, c: list[Any], polarity: str) -> n.ConstraintItem:
        items = tuple(x for x in c[1:] if isinstance(x, n.Ident))
        return n.ConstraintItem(polarity, items, self.span_of(c[0], c[-1]))  # type: ignore[arg-type]

    def pkg_keep(self, c: list[Any]) -> n.ConstraintItem:
        return self._constraint(c, "keep")

    def pkg_avoid(self, c: list[Any]) -> n.ConstraintItem:
        return self._constraint(c, "avoid")

    def phrase(self, c: list[Any]) -> n.Ident:
        return n.Ident(" ".join(str(w).lower() for w in c), self.span_of(c[0], c[-1]))

    def clip(self, c: list[Any]) -> n.ClipDecl:
        items: list[n.ClipItem] = []
        for x in c[3:-1]:
            if isinstance(x, n.Setting):
                item = self._clip_setting(x)
                if item is not None:
                    items.append(item)
            elif x is not None:
                items.append(x)
        return n.ClipDecl(self.ident(c[1]), tuple(items), self.span_of(c[0], c[-1]))

    def _clip_setting(self, s: n.Setting) -> n.Setting | n.ClipText | None:
        key = s.key.name
        if key == "text":
            if s.value.kind != "text":
                self.error(
                    "SHOT111",
                    "`text` needs a string in double quotes",
                    s.value.span,
                    help='write the prose in quotes: text "rain streaks the window"',
                )
                return None
            return n.ClipText(n.Text(s.value.text, s.value.span), s.span)
        if key in SHOT_FIELD_SET:
            self.error(
                "SHOT111",
                f"`{key}` is a shot field, not a clip setting",
                s.key.span,
                help=f"put it inside a shot: shot {{ {key} ... }}",
            )
            return None
        return s

    def role(self, c: list[Any]) -> n.RoleDecl | None:
        kw, target = c
        if target is None:
            return None
        return n.RoleDecl(ROLE_KEYWORDS[str(kw)], target, self.span_of(kw, target))

    def ref(self, c: list[Any]) -> n.RoleDecl | None:
        kw, target, _as, role_tok = c
        role = str(role_tok)
        if role not in REF_ROLES:
            hint = {
                "source": "for the video to edit, write `source NAME`",
                "extension": "to continue a clip, write `extend NAME`",
                "start": "for the opening frame, write `start NAME`",
                "end": "for the closing frame, write `end NAME`",
            }.get(role, "a reference is `as character`, `as motion` or `as style`")
            self.error(
                "SHOT110",
                f"unknown reference role `{role}`{did_you_mean(role, tuple(REF_ROLES))}",
                self.span(role_tok),
                help=hint,
            )
            return None
        if target is None:
            return None
        return n.RoleDecl(REF_ROLES[role], target, self.span_of(kw, role_tok))

    def target(self, c: list[Any]) -> n.Ident | n.ClipOutput | None:
        if len(c) == 1:
            return self.ident(c[0])
        clip_tok, _dot, out_tok = c
        out = str(out_tok)
        if out not in CLIP_OUTPUTS:
            self.error(
                "SHOT109",
                f"a clip has no output `{out}`{did_you_mean(out, CLIP_OUTPUTS)}",
                self.span(out_tok),
                help=f"use `{clip_tok}.last_frame` (an image) or `{clip_tok}.video`",
            )
            return None
        return n.ClipOutput(self.ident(clip_tok), out, self.span_of(clip_tok, out_tok))

    def use(self, c: list[Any]) -> n.UsePackage:
        without: list[n.Ident] = []
        for t in c[3::2]:
            if t.type == "STRING":
                s = self.string(t)
                phrase = " ".join(s.value.lower().split())
                if not phrase:
                    self.error("SHOT112", "empty item in `without`", s.span)
                    continue
                without.append(n.Ident(phrase, s.span))
            else:
                without.append(n.Ident(str(t).lower(), self.span(t)))
        return n.UsePackage(self.ident(c[1]), tuple(without), self.span_of(c[0], c[-1]))

    def shot(self, c: list[Any]) -> n.Shot:
        duration: n.Duration | None = None
        rest = c[1:]
        if isinstance(rest[0], Token) and rest[0].type == "VALUE":
            tok = rest[0]
            rest = rest[1:]
            millis = duration_millis(str(tok))
            if millis is None or millis == 0:
                self.error(
                    "SHOT106",
                    f"expected a duration like `5s` or `1.5s`, found `{tok}`",
                    self.span(tok),
                    help="a shot's duration is a number of seconds followed by `s`: shot 3s { ... }",
                )
            else:
                duration = n.Duration(millis, self.span(tok))
        items = tuple(x for x in rest[1:-1] if isinstance(x, n.ShotField | n.Dialogue))
        return n.Shot(duration, items, self.span_of(c[0], c[-1]))

    def cut(self, c: list[Any]) -> n.CutDecl:
        entries = tuple(x for x in c[2:-1] if isinstance(x, n.CutEntry))
        return n.CutDecl(entries, self.span_of(c[0], c[-1]))

    def cut_entry(self, c: list[Any]) -> n.CutEntry:
        trim: n.Trim | None = None
        fade: n.Duration | None = None
        for kw, val in zip(c[1::2], c[2::2], strict=False):
            if type(val) is _Synthetic:
                continue
            if kw.type == "TRIM":
                trim = self._trim(val)
            else:
                fade = self._cut_duration(val, str(val), self.span(val), "SHOT130")
        return n.CutEntry(self.ident(c[0]), trim, fade, self.span_of(c[0], c[-1]))

    def _cut_duration(self, tok: Token, text: str, span: n.Span, code: str) -> n.Duration | None:
        millis = duration_millis(text)
        if millis is None:
            self.error(
                code,
                f"expected a duration like `0.5s`, found `{text or tok}`",
                span,
                help="a trim is `trim START..END` (e.g. `trim 0.5s..4s`); a fade is `fade 0.5s`",
            )
            return None
        return n.Duration(millis, span)

    def _trim(self, tok: Token) -> n.Trim | None:
        text = str(tok)
        whole = self.span(tok)
        a, sep, b = text.partition("..")
        if not sep:
            self.error(
                "SHOT130",
                f"expected a trim like `0.5s..4s`, found `{text}`",
                whole,
                help="a trim is `trim START..END`, both in seconds within the clip: trim 0.5s..4s",
            )
            return None
        start = self._cut_duration(tok, a, whole, "SHOT130")
        end = self._cut_duration(tok, b, whole, "SHOT130") if start is not None else None
        if start is None or end is None:
            return None
        return n.Trim(start, end, whole)

    def field(self, c: list[Any]) -> n.ShotField | None:
        key_tok, val = c
        key = str(key_tok)
        if key not in SHOT_FIELD_SET:
            if key in n.SETTING_KEYS:
                self.error(
                    "SHOT105",
                    f"`{key}` is a clip setting, not a shot field",
                    self.span(key_tok),
                    help=f"move `{key}` out of the shot into the clip (or `defaults`)",
                )
            else:
                fields = ", ".join(n.SHOT_FIELD_KEYS)
                self.error(
                    "SHOT105",
                    f"unknown field `{key}`{did_you_mean(key, (*n.SHOT_FIELD_KEYS, 'say'))}",
                    self.span(key_tok),
                    help=f'a shot has the fields {fields}, and `say SPEAKER "line"`',
                )
            return None
        value: n.Text | n.Ident = self.string(val) if val.type == "STRING" else self.ident(val)
        return n.ShotField(key, value, self.span_of(key_tok, val))

    def say(self, c: list[Any]) -> n.Dialogue:
        kw, who, line = c
        speaker: n.Ident | n.Text = self.string(who) if who.type == "STRING" else self.ident(who)
        return n.Dialogue(speaker, self.string(line), self.span_of(kw, line))


# ---------------------------------------------------------------------------- errors

_TOKEN_WORDS: dict[str, str] = {
    "NAME": "a name",
    "WORD": "a word",
    "VALUE": "a value",
    "STRING": 'a string in double quotes ("...")',
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "COMMA": "`,`",
    "DOT": "`.`",
    "$END": "the end of the file",
}


def _describe_expected(expected: set[str]) -> list[str]:
    words: list[str] = []
    for e in sorted(expected):
        if e in _TOKEN_WORDS:
            words.append(_TOKEN_WORDS[e])
        elif e.isupper() and e.isalpha():
            words.append(f"`{e.lower()}`")
    return words


def _join_or(words: list[str]) -> str:
    if not words:
        return "something else"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _found(t: Token) -> str:
    if t.type == "$END":
        return "the end of the file"
    text = str(t)
    if t.type == "STRING":
        text = text if len(text) <= 30 else text[:27] + '..."'
        return f"the string {text}"
    return f"`{text}`"


class _Recovering:
    """Drives the LALR parser token by token, with statement-level error recovery."""

    def __init__(self, builder: TreeBuilder, text: str) -> None:
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
        parser = _get_parser()
        state = _PState(parser, self.b)
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
            self.b.diagnostics.append(
                Diagnostic(
                    "SHOT113",
                    "note",
                    f"stopped after {MAX_SYNTAX_ERRORS} syntax errors",
                    None,
                    help="fix the errors above and run the command again",
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
    def on_token(self, tok: Token, e: UnexpectedToken, state: _PState, last: Token | None) -> None:
        if not self.recovering:  # (while recovering the message would be dropped: skip it)
            expected = {x for x in e.expected if not x.startswith("__")} if e.expected else set()
            self.report(self.describe(tok, expected, last, state))
        self.recovering = True
        if self.resync(tok, state, last, close=tok.type in OPENING_TYPES):
            with contextlib.suppress(UnexpectedToken):  # resync made sure it fits
                state.feed_token(tok)
        # else no enclosing statement can take it: the token is dropped

    def resync(self, tok: Token, state: _PState, last: Token | None, *, close: bool) -> bool:
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
                fake = _Synthetic(ttype, value, pos, line, col, line, col, pos)
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
        self, tok: Token, expected: set[str], last: Token | None, state: _PState
    ) -> Diagnostic:
        b = self.b
        span = b.span(tok) if tok.type != "$END" else self._eof_span()
        found = _found(tok)
        prev = str(last) if last is not None else ""
        prev_type = last.type if last is not None else ""
        word = str(tok)
        # specific situations first
        if prev_type == "SHOT" and "VALUE" in expected:
            return Diagnostic(
                "SHOT106",
                "error",
                f"expected a duration like `5s` or `{{`, found {found}",
                span,
                help="a shot is `shot { ... }` or `shot 3s { ... }`",
            )
        role_targets = {
            "START": "the start frame: an image asset or `clip.last_frame`",
            "END": "the end frame: an image asset or `clip.last_frame`",
            "SOURCE": "the video to edit: a video asset or `clip.video`",
            "EXTEND": "the clip to extend (or a video asset)",
            "REF": "the asset to reference",
        }
        if prev_type in role_targets and expected <= {"NAME"}:
            return Diagnostic(
                "SHOT101",
                "error",
                f"expected a name after `{prev}`, found {found}",
                span,
                help=f"`{prev}` names {role_targets[prev_type]}",
            )
        names_after = {
            "CLIP": ("the clip's name", "clip arrival { ... }"),
            "ASSET": ("the asset's name", 'asset station image "https://..."'),
            "PACKAGE": ("the package's name", "package cinematic { ... }"),
            "USE": ("the name of a package", "use standard"),
        }
        if prev_type in names_after and expected <= {"NAME"}:
            thing, example = names_after[prev_type]
            return Diagnostic(
                "SHOT101",
                "error",
                f"expected {thing} after `{prev}`, found {found}",
                span,
                help=f"for example: {example}",
            )
        if prev_type in ("KEEP", "AVOID") and expected <= {"WORD"}:
            return Diagnostic(
                "SHOT101",
                "error",
                f"expected a phrase after `{prev}`, found {found}",
                span,
                help=f"for example: {prev} stable faces, natural motion",
            )
        if expected == {"LBRACE"} and last is not None:
            return Diagnostic(
                "SHOT101",
                "error",
                f"expected `{{` after `{prev}`, found {found}",
                span,
                help="a block opens with `{` and closes with `}`",
            )
        if prev_type == "AS":
            return Diagnostic(
                "SHOT101",
                "error",
                f"expected a role after `as`, found {found}",
                span,
                help="a reference is `as character`, `as motion` or `as style`",
            )
        if prev_type in ("WITHOUT", "COMMA") and expected >= {"NAME", "STRING"}:
            return Diagnostic(
                "SHOT101",
                "error",
                f"expected a package item to switch off, found {found}",
                span,
                help='for example: use standard without subtitles, "stable faces"',
            )
        if expected == {"VALUE", "STRING"} and last is not None:
            return Diagnostic(
                "SHOT101",
                "error",
                f"expected a value for `{prev}`, found {found}",
                span,
                help=_value_help(prev),
            )
        if prev_type == "NAME" and prev in n.SETTING_KEYS and expected >= {"STRING", "NAME"}:
            return Diagnostic(
                "SHOT105",
                "error",
                f"`{prev}` is a clip setting, not a shot field",
                b.span(last) if last is not None else span,
                help=f"move `{prev}` out of the shot into the clip (or into `defaults`)",
            )
        if prev_type == "NAME" and expected >= {"STRING", "NAME"} and "VALUE" not in expected:
            return Diagnostic(
                "SHOT101",
                "error",
                f"expected a string in double quotes or an asset name after `{prev}`, found {found}",
                span,
                help=f'for example: {prev} "a woman in a red coat"',
            )
        if expected == {"STRING"}:
            what = {
                "storyboard": 'the title, like storyboard "Glass Train"',
                "import": 'the path of a .shot file, like import "lib/team.shot"',
                "template": 'the path of a template, like template "house.j2"',
                "style": 'the style as prose, like style "35mm film, teal palette"',
            }.get(prev)
            if what is None and prev_type == "NAME":
                what = 'the URL in double quotes, like "https://cdn.example.com/station.png"'
            if what is None:
                what = "a string in double quotes"
            return Diagnostic(
                "SHOT101",
                "error",
                f"expected {what.split(', like')[0]}, found {found}",
                span,
                help=f"write {what.split('like ', 1)[1]}" if "like " in what else None,
            )
        if tok.type in ("NAME", "WORD", "VALUE") and not (expected & {"NAME", "WORD", "VALUE"}):
            keywords = [e.lower() for e in expected if e.isalpha() and e.isupper()]
            hint = did_you_mean(word, keywords) if keywords else ""
            if hint:
                return Diagnostic(
                    "SHOT101",
                    "error",
                    f"unknown keyword `{word}`{hint}",
                    span,
                    help=f"expected {_join_or(_describe_expected(expected))}",
                )
        if "RBRACE" in expected and tok.type in OPENING_TYPES:
            opener = _innermost_lbrace(state)
            if opener is not None:
                return Diagnostic(
                    "SHOT104",
                    "error",
                    f"expected `}}` before {found}",
                    span,
                    (Label(b.span(opener), "this block is not closed"),),
                    help="close the block with `}` before starting the next declaration",
                )
        msg = f"unexpected {found.removeprefix('the ')}"
        if expected:
            msg += f": expected {_join_or(_describe_expected(expected))}"
        return Diagnostic("SHOT101", "error", msg, span)

    def _eof_span(self) -> n.Span:
        # just after the last non-blank character: where the missing text belongs
        end = len(self.text.rstrip())
        line = self.text.count("\n", 0, end) + 1
        col = end - (self.text.rfind("\n", 0, end) + 1) + 1
        return n.Span(self.b.file, line, col, line, col + 1, end, end)

    # -- end of file
    def on_eof(self, e: UnexpectedToken, state: _PState) -> None:
        opener = _innermost_lbrace(state)
        if opener is not None:
            self.report(
                Diagnostic(
                    "SHOT104",
                    "error",
                    "unexpected end of file: a `}` is missing",
                    self._eof_span(),
                    (Label(self.b.span(opener), "this `{` is never closed"),),
                    help="add the missing `}` at the end of the block",
                )
            )
            return
        expected = {x for x in e.expected if not x.startswith("__")} if e.expected else set()
        self.report(
            Diagnostic(
                "SHOT104",
                "error",
                f"unexpected end of file: expected {_join_or(_describe_expected(expected))}",
                self._eof_span(),
            )
        )

    # -- lexer errors
    def on_chars(self, ls: LexState, state: _PState) -> None:
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
                code, msg, hint = (
                    "SHOT103",
                    "this multi-line string is never closed",
                    'close it with `"""`',
                )
            else:
                nl = text.find("\n", pos)
                end = len(text) if nl < 0 else nl
                code, msg, hint = (
                    "SHOT103",
                    "this string is never closed",
                    'close it with `"` on the same line; for prose over several lines use """..."""',
                )
        else:
            end = pos + 1
            code, msg, hint = (
                "SHOT102",
                f"unexpected character `{ch}`"
                if ch.isprintable()
                else f"unexpected character U+{ord(ch):04X}",
                "comments start with `//`; strings are in double quotes",
            )
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
            fake = _Synthetic("STRING", '""', pos, line, col, end_line, end_col, end)
            with contextlib.suppress(UnexpectedToken):
                state.feed_token(fake)
                self.recovering = False  # the statement is whole again

    def foreign_comment(self, ls: LexState) -> None:
        """A `# ...` or `/* ... */` comment: one error for the whole comment, which is
        then skipped like a comment (the statement around it still parses)."""
        text, pos = self.text, ls.pos
        if text[pos] == "#":
            nl = text.find("\n", pos)
            end = len(text) if nl < 0 else nl
            msg = "`#` does not start a comment: comments start with `//`"
            hint = "write `// ...` for a comment"
        else:
            close = text.find("*/", pos + 2)
            if close < 0:
                end = len(text)
                msg = "this `/*` comment is never closed, and comments start with `//`"
            else:
                end = close + 2
                msg = "`/* ... */` is not a comment here: comments start with `//`"
            hint = "start each line of the comment with `//`"
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


TOP_TYPES = frozenset({"STORYBOARD", "IMPORT", "TEMPLATE", "DEFAULTS", "ASSET", "PACKAGE", "CLIP"})
#: Tokens that open a statement of an enclosing block: seen where `}` was possible, the
#: block before them was not closed.
OPENING_TYPES = TOP_TYPES | {"SHOT", "USE", "REF", "EXTEND"}


def _value_help(key: str) -> str | None:
    examples = {
        "tier": "tier standard",
        "channel": "channel standard",
        "aspect": "aspect 16:9",
        "resolution": "resolution 720p",
        "duration": "duration 5s",
        "audio": "audio on",
        "lens": "lens free",
        "seed": "seed 42",
        "mode": "mode text-to-video",
        "text": 'text "rain streaks the window"',
    }
    ex = examples.get(key)
    return f"for example: {ex}" if ex else None


def _innermost_lbrace(state: _PState) -> Token | None:
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


class _PState:
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


# ---------------------------------------------------------------------------- API

_LOCK = threading.Lock()


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building a tree (parse, format, check).
    A parse allocates hundreds of thousands of nodes and makes no reference cycles, and
    every full collection during it would walk all the nodes made so far: with the
    collector on, the time per MB grows with the file's size; paused, it stays flat."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_BUILDER: TreeBuilder | None = None
_PARSER: Parser | None = None


def _builder() -> TreeBuilder:
    global _BUILDER
    if _BUILDER is None:
        _BUILDER = TreeBuilder()
    return _BUILDER


def _get_parser() -> Parser:
    """The process-wide parser (tables from the cache, see :mod:`.lalr`)."""
    global _PARSER
    if _PARSER is None:
        _PARSER = Parser(load_tables(grammar_text(), cache_dir()))
    return _PARSER


def parse_text(
    text: str, file: str = "<text>", *, partial: bool = False
) -> tuple[n.Storyboard | None, list[Diagnostic]]:
    """Parse one ``.shot`` text.  Never raises for bad input: problems are diagnostics.

    Returns the tree and every diagnostic found, in source order.  When the grammar
    failed somewhere the tree is incomplete: it is None, unless ``partial`` is set — then
    it holds every statement that parsed (broken statements dropped, blocks left open
    closed), so a checker can go on with the rest of the file; it is None with
    ``partial`` only when the parser gave up (SHOT113).
    """
    if text.startswith("\ufeff"):
        text = " " + text[1:]  # keep offsets; a BOM is whitespace
    with _LOCK, no_gc():
        b = _builder()
        _get_parser()
        b.reset(file, text)
        rec = _Recovering(b, text)
        try:
            result = rec.run()
        except RecursionError:  # pragma: no cover - LALR does not recurse
            result = None
        diags = b.diagnostics
        b.reset("<text>", "")
    diags.sort(key=lambda d: d.span.start_pos if d.span else 1 << 62)
    if not isinstance(result, n.Storyboard) or (rec.errors and not partial):
        return None, diags
    return result, diags


def parse_file(path: str | Path) -> tuple[n.Storyboard | None, list[Diagnostic]]:
    """Read and parse a file: not found / not UTF-8 are diagnostics (SHOT001/SHOT002)."""
    text, diags = read_source(path)
    if text is None:
        return None, diags
    tree, more = parse_text(text, str(path))
    return tree, diags + more
