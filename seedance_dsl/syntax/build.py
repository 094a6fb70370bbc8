"""The tree builder: the grammar rules' callbacks, one method per rule.

The LALR runtime (:mod:`.lalr`) calls :class:`TreeBuilder`'s method of a rule's name
with the rule's children (every token kept) each time it reduces that rule, so the typed
nodes of :mod:`.nodes` are built *during* the parse and no intermediate tree exists.
Mistakes the grammar accepts but the language does not (an unknown field, a bad escape,
an unknown asset kind...) are reported here as diagnostics, at their own span.

One builder per parse: it holds that parse's file name, text, diagnostics and comments
(nothing is shared between parses, so parses can run on many threads at once).
"""

from __future__ import annotations

from typing import Any

from . import nodes as n
from .diagnostics import Diagnostic, Label
from .lalr import Token
from .values import (
    ASSET_KINDS,
    BAD_CHARS,
    CLIP_OUTPUTS,
    ESCAPES,
    REF_ROLES,
    ROLE_KEYWORDS,
    SHOT_FIELD_SET,
    STRING_SCAN,
    char_name,
    classify_value,
    dedent_long,
    did_you_mean,
    duration_millis,
    low_surrogate,
    suggest,
    unescape,
)

__all__ = ["Synthetic", "TreeBuilder"]

_SPECIAL_HELP = (
    "write the character itself; a character beyond U+FFFF as itself or as a pair of "
    "escapes (\\uD83C\\uDFAC)"
)


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


class Synthetic(Token):
    """A token the error recovery stands in for a missing one (a `}` or a string)."""

    __slots__ = ()


class _Header:
    __slots__ = ("text",)

    def __init__(self, text: n.Text) -> None:
        self.text = text


class TreeBuilder:
    """The rules' callbacks: the parser calls one method per reduced rule with its children
    (all tokens kept).  Holds one parse's context (file name, text, diagnostics,
    comments): make a new builder for each parse."""

    __slots__ = ("comments", "diagnostics", "file", "text")

    def __init__(self, file: str = "<text>", text: str = "") -> None:
        self.file = file
        self.text = text
        self.diagnostics: list[Diagnostic] = []
        self.comments: list[n.Comment] = []

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
        m = BAD_CHARS.search(raw)
        if m is not None:
            self.error(
                "SHOT114",
                f"a comment cannot hold {char_name(m.group())}",
                _Where(self, t).span(m.start(), m.end()),
                help="delete it (a .shot file is plain text)",
            )
        self.comments.append(n.Comment(raw[2:], self.span(t)))

    def string(self, t: Token) -> n.Text:
        raw = str(t)
        if type(t) is Synthetic:
            return n.Text("", self.span(t))
        body = dedent_long(raw[3:-3]) if raw.startswith('"""') else raw[1:-1]
        if "\\" in body or BAD_CHARS.search(raw):
            self._check_string(t)
            body = unescape(body)
        return n.Text(body, self.span(t))

    def _check_string(self, t: Token) -> None:
        """Report every unknown escape, and every escape or character that makes a
        character no string may hold, at its own span."""
        raw = str(t)
        pos = 0
        where = _Where(self, t)
        while True:
            m = STRING_SCAN.search(raw, pos)
            if m is None:
                return
            pos = m.end()
            hexa, other = m.group(1), m.group(2)
            if hexa is not None:
                code = int(hexa, 16)
                if 0xD800 <= code <= 0xDBFF and low_surrogate(raw, pos) is not None:
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
                if other in ESCAPES:
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
                    f"a string cannot hold {char_name(m.group())}",
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
        return None if type(c[1]) is Synthetic else _Header(self.string(c[1]))

    def import_(self, c: list[Any]) -> n.Import | None:
        path = self.path(c[1])
        return None if path is None else n.Import(path, self.span_of(c[0], c[1]))

    def template(self, c: list[Any]) -> n.TemplateDecl | None:
        path = self.path(c[1])
        return None if path is None else n.TemplateDecl(path, self.span_of(c[0], c[1]))

    def path(self, t: Token) -> n.Text | None:
        """A file path, or None when it was stood in for or held a character no path can
        (reported): looking for such a file would only add a follow-on error."""
        if type(t) is Synthetic:
            return None
        before = len(self.diagnostics)
        text = self.string(t)
        if any(d.code == "SHOT114" for d in self.diagnostics[before:]):
            return None
        return text

    def defaults(self, c: list[Any]) -> n.Defaults:
        body = c[2:-1]
        settings = tuple(x for x in body if isinstance(x, n.Setting))
        uses = tuple(x for x in body if isinstance(x, n.UsePackage))
        cast = tuple(x for x in body if isinstance(x, n.CastUse))
        return n.Defaults(settings, self.span_of(c[0], c[-1]), uses, cast)

    def member(self, c: list[Any]) -> n.MemberDecl:
        refs: list[n.Ident] = []
        look: n.Text | None = None
        for x in c[3:-1]:
            if isinstance(x, n.Text):
                if look is not None:
                    self.error(
                        "SHOT115",
                        f"`{c[1]}` has a second `look`",
                        x.span,
                        labels=(Label(look.span, "first `look`"),),
                        help="describe the member in one `look` string",
                    )
                    continue
                look = x
            elif isinstance(x, tuple):
                refs.extend(x)
        kind: n.MemberKind = "character" if c[0].type == "CHARACTER" else "product"
        return n.MemberDecl(kind, self.ident(c[1]), tuple(refs), look, self.span_of(c[0], c[-1]))

    def member_ref(self, c: list[Any]) -> tuple[n.Ident | n.Text, ...]:
        out: list[n.Ident | n.Text] = []
        for t in c[1::2]:
            if t.type != "STRING":
                out.append(self.ident(t))
            elif type(t) is not Synthetic:  # a string the recovery stood in for: dropped
                out.append(self.string(t))
        return tuple(out)

    def member_look(self, c: list[Any]) -> n.Text | None:
        if type(c[1]) is Synthetic:
            return None
        return self.string(c[1])

    def cast(self, c: list[Any]) -> n.CastUse:
        return n.CastUse(tuple(self.ident(t) for t in c[1::2]), self.span_of(c[0], c[-1]))

    def omit(self, c: list[Any]) -> n.Omit:
        return n.Omit(tuple(self.ident(t) for t in c[1::2]), self.span_of(c[0], c[-1]))

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
        if type(c[1]) is Synthetic:
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
            }.get(
                role,
                "a reference is `as character`, `as product`, `as motion`, `as camera` "
                "or `as style`",
            )
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
            if type(val) is Synthetic:
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
