"""The canonical layout of ``.shot`` files (``seedance fmt``).

One layout, not configurable: two-space indentation, the keys of a block aligned,
one blank line between top-level blocks, short shots on one line, strings re-quoted
(multi-line prose as a dedented triple-quoted string), comments kept where they were.
Formatting never changes meaning: ``parse(format(x)) == parse(x)``, and it is
idempotent: ``format(format(x)) == format(x)`` (both are property-tested).

Comments are attached to the syntax tree by line: a comment after code on the same line
trails the statement that ends there; a comment on its own line leads the next
statement of its block (or closes the block when nothing follows).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from . import nodes as n
from .diagnostics import Diagnostic, has_errors
from .parser import no_gc, parse_text
from .values import RESERVED_WORDS, dedent_long

__all__ = ["format_storyboard", "format_text", "quote"]

INDENT = "  "
MAX_WIDTH = 100
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BLANK_RE = re.compile(r"\n[ \t\r\f]*\n")
_ROLE_WORD: dict[str, str] = {
    "start": "start",
    "end": "end",
    "source": "source",
    "extension": "extend",
    "character": "ref",
    "product": "ref",
    "motion": "ref",
    "camera": "ref",
    "style": "ref",
}


# ---------------------------------------------------------------------------- strings


def _escape_char(c: str) -> str:
    if c == "\\":
        return "\\\\"
    if c == '"':
        return '\\"'
    if c == "\n":
        return "\\n"
    if c == "\t":
        return "\\t"
    if c == "\r":
        return "\\r"
    if unicodedata.category(c) == "Cc" or c in "\u2028\u2029\ufeff":
        return f"\\u{ord(c):04x}"
    return c


def quote_line(value: str) -> str:
    """A one-line string literal for ``value``."""
    return '"' + "".join(_escape_char(c) for c in value) + '"'


def _long_ok(value: str) -> bool:
    if '"""' in value or "\\" in value:
        return False
    for c in value:
        if (
            c != "\n"
            and c != "\t"
            and (unicodedata.category(c) == "Cc" or c in "\u2028\u2029\ufeff")
        ):
            return False
    # no trailing whitespace (lines are emitted right-stripped) and no blank-but-spaced
    # line (dedenting would empty it)
    return all(line == line.rstrip() for line in value.split("\n"))


def quote(value: str, indent: str = "") -> str:
    """A string literal for ``value``: triple-quoted over several lines (indented one
    level deeper than ``indent``) when that reads back exactly, else one line."""
    if "\n" in value and _long_ok(value):
        inner = indent + INDENT
        body = "\n".join(inner + line if line else "" for line in value.split("\n"))
        literal = '"""\n' + body + "\n" + inner + '"""'
        if dedent_long(literal[3:-3]) == value:
            return literal
    return quote_line(value)


def _name_or_quoted(name: str) -> str:
    if _NAME_RE.fullmatch(name) and name not in RESERVED_WORDS:
        return name
    return quote_line(name)


def _member_ref(r: n.Ident | n.Text) -> str:
    return r.name if isinstance(r, n.Ident) else quote_line(r.value)


def _duration(millis: int) -> str:
    whole, frac = divmod(millis, 1000)
    if not frac:
        return f"{whole}s"
    return f"{whole}.{frac:03d}".rstrip("0") + "s"


# ---------------------------------------------------------------------------- comments


_BLOCKS = (n.Storyboard, n.Defaults, n.PackageDecl, n.MemberDecl, n.ClipDecl, n.Shot, n.CutDecl)


def _children(node: Any) -> list[Any]:
    if isinstance(node, n.Storyboard):
        return ([node.title] if node.title is not None else []) + list(node.items)
    if isinstance(node, n.Defaults):
        return _defaults_items(node)
    if isinstance(node, n.PackageDecl | n.ClipDecl | n.Shot):
        return list(node.items)
    if isinstance(node, n.CutDecl):
        return list(node.entries)
    if isinstance(node, n.MemberDecl):  # its references and `look`, in source order
        kids: list[Any] = [*node.refs, *([node.look] if node.look is not None else [])]
        return sorted(kids, key=lambda k: k.span.start_pos)
    return []


def _defaults_items(node: n.Defaults) -> list[Any]:
    """The lines of ``defaults`` in source order (settings, then ``use``, then ``cast``
    for a tree made by code)."""
    items: list[Any] = [*node.settings, *node.uses, *node.cast]
    return sorted(items, key=lambda k: k.span.start_pos)


@dataclass
class _Comments:
    leading: dict[int, list[n.Comment]] = field(default_factory=dict)
    trailing: dict[int, n.Comment] = field(default_factory=dict)
    opening: dict[int, list[n.Comment]] = field(default_factory=dict)
    closing: dict[int, list[n.Comment]] = field(default_factory=dict)
    inside: set[int] = field(default_factory=set)  # blocks with any comment inside

    def any_inside(self, node: Any) -> bool:
        return id(node) in self.inside


class _Kids:
    """The children of one block, in source order, with their start offsets (for
    bisection: attaching each comment costs O(log n), not a scan of the block)."""

    __slots__ = ("kids", "starts")

    def __init__(self, block: Any) -> None:
        self.kids = _children(block)
        self.starts = [k.span.start_pos for k in self.kids]

    def at(self, pos: int) -> int:
        """The index of the last child starting at or before ``pos`` (-1: none)."""
        return bisect.bisect_right(self.starts, pos) - 1


def _attach(sb: n.Storyboard, source: str) -> _Comments:
    cm = _Comments()
    cache: dict[int, _Kids] = {}

    def kids_of(block: Any) -> _Kids:
        k = cache.get(id(block))
        if k is None:
            k = cache[id(block)] = _Kids(block)
        return k

    for c in sb.comments:
        pos = c.span.start_pos
        line_start = source.rfind("\n", 0, pos) + 1
        code_before = source[line_start:pos].strip() != ""
        block: Any = sb
        path: list[Any] = [sb]
        while True:
            ks = kids_of(block)
            i = ks.at(pos)
            ch = ks.kids[i] if i >= 0 else None
            if isinstance(ch, _BLOCKS) and ch.span.start_pos <= pos < ch.span.end_pos:
                block = ch
                path.append(ch)
                continue
            break
        for b in path[1:]:
            cm.inside.add(id(b))
        ks = kids_of(block)
        kids = ks.kids
        i = ks.at(pos)  # kids[i] starts at or before the comment; kids[i + 1] after it
        target: Any = None
        if code_before:
            # the last statement ending before the comment, when it ends on its line
            j = i
            if j >= 0 and kids[j].span.end_pos > pos:
                j -= 1
            if j >= 0 and kids[j].span.end_line == c.span.line:
                target = kids[j]
                t_index = j
            elif block is not sb and block.span.line == c.span.line:
                cm.opening.setdefault(id(block), []).append(c)
                continue
            elif i >= 0 and kids[i].span.end_pos > pos:  # a statement containing it
                target = kids[i]
                t_index = i
            if target is not None:
                if id(target) not in cm.trailing:
                    cm.trailing[id(target)] = c
                    continue
                # a second comment for the same statement: lead the next one instead
                if t_index + 1 < len(kids):
                    cm.leading.setdefault(id(kids[t_index + 1]), []).append(c)
                else:
                    cm.closing.setdefault(id(block), []).append(c)
                continue
        if i + 1 < len(kids):
            cm.leading.setdefault(id(kids[i + 1]), []).append(c)
        else:
            cm.closing.setdefault(id(block), []).append(c)
    return cm


def _ctext(c: n.Comment) -> str:
    return ("//" + c.text).rstrip()


# ---------------------------------------------------------------------------- printer


class _Printer:
    def __init__(self, sb: n.Storyboard, source: str | None) -> None:
        self.sb = sb
        self.source = source
        self.cm = _attach(sb, source) if source is not None and sb.comments else _Comments()
        self.out: list[str] = []

    # -- output helpers
    def emit(self, line: str) -> None:
        self.out.append(line.rstrip())

    def leading(self, node: Any, indent: str) -> None:
        """The comments before ``node``; a blank line between them (or before the
        node) is kept when the source had one."""
        comments = self.cm.leading.get(id(node), [])
        self.comment_lines(comments, indent)
        if comments and self._blank_gap(comments[-1].span.end_pos, node.span.start_pos):
            self.emit("")

    def comment_lines(self, comments: list[n.Comment], indent: str) -> None:
        """Own-line comments, keeping a blank line between two where the source had one."""
        for i, c in enumerate(comments):
            if i and self._blank_gap(comments[i - 1].span.end_pos, c.span.start_pos):
                self.emit("")
            self.emit(indent + _ctext(c))

    def _blank_gap(self, start: int, end: int) -> bool:
        if self.source is None or end <= start:
            return False
        return bool(_BLANK_RE.search(self.source, start, end))

    def trail(self, node: Any, text: str, pad_to: int = 0) -> str:
        c = self.cm.trailing.get(id(node))
        return f"{text.ljust(pad_to)}  {_ctext(c)}" if c is not None else text

    def emit_lines(self, node: Any, text: str, pad_to: int = 0) -> None:
        """Emit a (possibly multi-line) statement, its trailing comment on its last line
        (aligned at column ``pad_to`` + 2 when given)."""
        lines = text.split("\n")
        lines[-1] = self.trail(node, lines[-1], pad_to if len(lines) == 1 else 0)
        for line in lines:
            self.emit(line)

    def had_blank(self, a: Any, b: Any) -> bool:
        if self.source is None:
            return False
        end = a.span.end_pos
        start = b.span.start_pos
        lead = self.cm.leading.get(id(b))
        if lead:
            start = min(start, lead[0].span.start_pos)
        return self._blank_gap(end, start)

    # -- top level
    def run(self) -> str:
        sb = self.sb
        items: list[Any] = ([sb.title] if sb.title is not None else []) + list(sb.items)
        widths = self._asset_widths(items)
        prev: Any = None
        for item in items:
            if prev is not None and self._blank_between(prev, item):
                self.emit("")
            self.leading(item, "")
            self.top(item, widths.get(id(item), 0))
            prev = item
        closing = self.cm.closing.get(id(sb), [])
        if closing:
            if items:
                self.emit("")
            self.comment_lines(closing, "")
        while self.out and self.out[-1] == "":
            self.out.pop()
        return "\n".join(self.out) + "\n" if self.out else ""

    def _blank_between(self, a: Any, b: Any) -> bool:
        same_kind_lines = (isinstance(a, n.Import) and isinstance(b, n.Import)) or (
            isinstance(a, n.AssetDecl) and isinstance(b, n.AssetDecl)
        )
        if same_kind_lines:
            return self.had_blank(a, b)
        # one-line members are lines like assets: a group keeps the source's spacing
        if (
            isinstance(a, n.MemberDecl)
            and isinstance(b, n.MemberDecl)
            and self.member_line(a) is not None
            and self.member_line(b) is not None
        ):
            return self.had_blank(a, b)
        return True

    def _asset_widths(self, items: list[Any]) -> dict[int, int]:
        widths: dict[int, int] = {}
        group: list[n.AssetDecl] = []

        def flush() -> None:
            w = max((len(a.name.name) for a in group), default=0)
            for a in group:
                widths[id(a)] = w
            group.clear()

        prev: Any = None
        for item in items:
            if isinstance(item, n.AssetDecl):
                if group and not (isinstance(prev, n.AssetDecl) and not self.had_blank(prev, item)):
                    flush()
                group.append(item)
            elif group:
                flush()
            prev = item
        flush()
        return widths

    def top(self, item: Any, width: int) -> None:
        if isinstance(item, n.Text):  # the storyboard header
            self.emit_lines(item, "storyboard " + quote(item.value))
        elif isinstance(item, n.Import):
            self.emit_lines(item, "import " + quote(item.path.value))
        elif isinstance(item, n.TemplateDecl):
            self.emit_lines(item, "template " + quote(item.path.value))
        elif isinstance(item, n.AssetDecl):
            name = item.name.name.ljust(width)
            self.emit_lines(item, f"asset {name} {item.kind} {quote(item.url.value)}")
        elif isinstance(item, n.Defaults):
            self.block(item, "defaults", _defaults_items(item), "")
        elif isinstance(item, n.MemberDecl):
            self.member(item)
        elif isinstance(item, n.PackageDecl):
            self.block(item, f"package {item.name.name}", list(item.items), "")
        elif isinstance(item, n.ClipDecl):
            self.block(item, f"clip {item.name.name}", list(item.items), "")
        elif isinstance(item, n.CutDecl):
            self.block(item, "cut", list(item.entries), "")
        else:  # pragma: no cover
            raise TypeError(item)

    def member(self, m: n.MemberDecl) -> None:
        """``character NAME { ref A, "https://..."  look "..." }``: on one line when it
        fits (as a short shot), else one `ref` line and one `look` line; comments inside
        stay where they were (before, after or closing the line they were at)."""
        head = f"{m.kind} {m.name.name}"
        refs = ", ".join(_member_ref(r) for r in m.refs)
        if self._member_one_line(m):
            return
        opening = self.cm.opening.get(id(m), [])
        closing = self.cm.closing.get(id(m), [])
        first = head + " {" + ("  " + _ctext(opening[0]) if opening else "")
        self.emit(first)
        self.comment_lines(opening[1:], INDENT)
        width = 4 if m.look is not None and m.refs else 3
        # (key text, the comments before it, the comments after it on its line)
        lines: list[tuple[str, list[n.Comment], list[n.Comment]]] = []
        if m.refs:
            before = [c for r in m.refs for c in self.cm.leading.get(id(r), [])]
            after = [self.cm.trailing[id(r)] for r in m.refs if id(r) in self.cm.trailing]
            lines.append((f"{INDENT}{'ref'.ljust(width)} {refs}", before, after))
        if m.look is not None:
            lk = m.look
            trail = [self.cm.trailing[id(lk)]] if id(lk) in self.cm.trailing else []
            text = f"{INDENT}look {quote(lk.value, INDENT)}"
            lines.append((text, self.cm.leading.get(id(lk), []), trail))
        col = max((len(t) for t, _, a in lines if a and "\n" not in t), default=0)
        for text, before, after in lines:
            self.comment_lines(before, INDENT)
            parts = text.split("\n")
            if after:
                pad = col if len(parts) == 1 else 0
                parts[-1] = f"{parts[-1].ljust(pad)}  {_ctext(after[0])}"
            for part in parts:
                self.emit(part)
            self.comment_lines(after[1:], INDENT)  # a second comment: on its own line
        self.comment_lines(closing, INDENT)
        self.emit_lines(m, "}")

    def _member_one_line(self, m: n.MemberDecl) -> bool:
        """Print ``m`` on one line when nothing is inside it but code that fits."""
        text = self.member_line(m)
        if text is None:
            return False
        self.emit_lines(m, text)
        return True

    def member_line(self, m: n.MemberDecl) -> str | None:
        """``m`` on one line, or None when a comment is inside it or it does not fit."""
        if self.cm.any_inside(m) or self.cm.opening.get(id(m)) or self.cm.closing.get(id(m)):
            return None
        head = f"{m.kind} {m.name.name}"
        parts = ["ref " + ", ".join(_member_ref(r) for r in m.refs)] if m.refs else []
        if m.look is not None:
            look = quote(m.look.value)
            if "\n" in look:
                return None
            parts.append(f"look {look}")
        text = f"{head} {{ " + "  ".join(parts) + " }" if parts else f"{head} {{}}"
        return text if len(text) <= MAX_WIDTH else None

    # -- blocks
    def block(self, node: Any, head: str, kids: list[Any], indent: str) -> None:
        opening = self.cm.opening.get(id(node), [])
        closing = self.cm.closing.get(id(node), [])
        if not kids and not opening and not closing:
            self.emit_lines(node, f"{indent}{head} {{}}")
            return
        first = f"{indent}{head} {{"
        if opening:
            first += "  " + _ctext(opening[0])
        self.emit(first)
        for c in opening[1:]:
            self.emit(indent + INDENT + _ctext(c))
        inner = indent + INDENT
        width = max((len(self.key(k)) for k in kids if not isinstance(k, n.Shot)), default=0)
        lines = {
            id(k): (inner + self.key(k).ljust(width) + " " + self.rest(k, inner)).rstrip(" ")
            for k in kids
            if not isinstance(k, n.Shot)
        }
        comment_col = max(
            (
                len(line)
                for k, line in ((k, lines.get(id(k), "")) for k in kids)
                if id(k) in self.cm.trailing and line and "\n" not in line
            ),
            default=0,
        )
        prev: Any = None
        for k in kids:
            if prev is not None and self._blank_in_block(prev, k):
                self.emit("")
            self.leading(k, inner)
            if isinstance(k, n.Shot):
                self.shot(k, inner)
            else:
                self.emit_lines(k, lines[id(k)], comment_col)
            prev = k
        self.comment_lines(closing, inner)
        self.emit_lines(node, indent + "}")

    def _blank_in_block(self, a: Any, b: Any) -> bool:
        a_shot, b_shot = isinstance(a, n.Shot), isinstance(b, n.Shot)
        if a_shot != b_shot:
            return True
        if a_shot and b_shot:
            return not (self.one_line(a) and self.one_line(b))
        return False

    def key(self, k: Any) -> str:
        if isinstance(k, n.Setting):
            return k.key.name
        if isinstance(k, n.RoleDecl):
            return _ROLE_WORD[k.role]
        if isinstance(k, n.UsePackage):
            return "use"
        if isinstance(k, n.CastUse):
            return "cast"
        if isinstance(k, n.Omit):
            return "omit"
        if isinstance(k, n.ClipText):
            return "text"
        if isinstance(k, n.StyleItem):
            return "style"
        if isinstance(k, n.ConstraintItem):
            return k.polarity
        if isinstance(k, n.ShotField):
            return k.key
        if isinstance(k, n.Dialogue):
            return "say"
        if isinstance(k, n.CutEntry):
            return k.clip.name
        raise TypeError(k)  # pragma: no cover

    def rest(self, k: Any, indent: str) -> str:
        if isinstance(k, n.Setting):
            v = k.value
            return quote(v.text, indent) if v.kind == "text" else v.text
        if isinstance(k, n.RoleDecl):
            t = k.target
            target = f"{t.clip.name}.{t.output}" if isinstance(t, n.ClipOutput) else t.name
            if _ROLE_WORD[k.role] == "ref":
                return f"{target} as {k.role}"
            return target
        if isinstance(k, n.UsePackage):
            s = k.package.name
            if k.without:
                s += " without " + ", ".join(_name_or_quoted(w.name) for w in k.without)
            return s
        if isinstance(k, n.CastUse | n.Omit):
            return ", ".join(x.name for x in k.names)
        if isinstance(k, n.ClipText):
            return quote(k.text.value, indent)
        if isinstance(k, n.StyleItem):
            return quote(k.text.value, indent)
        if isinstance(k, n.ConstraintItem):
            return ", ".join(i.name for i in k.items)
        if isinstance(k, n.ShotField):
            fv = k.value
            return quote(fv.value, indent) if isinstance(fv, n.Text) else fv.name
        if isinstance(k, n.Dialogue):
            sp = k.speaker
            who = quote(sp.value, indent) if isinstance(sp, n.Text) else sp.name
            return f"{who} {quote(k.line.value, indent)}"
        if isinstance(k, n.CutEntry):
            parts = []
            if k.trim is not None:
                parts.append(
                    f"trim {_duration(k.trim.start.millis)}..{_duration(k.trim.end.millis)}"
                )
            if k.fade is not None:
                parts.append(f"fade {_duration(k.fade.millis)}")
            return " ".join(parts)
        raise TypeError(k)  # pragma: no cover

    # -- shots
    def _shot_head(self, s: n.Shot) -> str:
        return "shot" + (f" {_duration(s.duration.millis)}" if s.duration is not None else "")

    def one_line(self, s: n.Shot) -> bool:
        if self.cm.any_inside(s) or self.cm.opening.get(id(s)) or self.cm.closing.get(id(s)):
            return False
        if any(id(i) in self.cm.trailing or id(i) in self.cm.leading for i in s.items):
            return False
        if not 1 <= len(s.items) <= 2:
            return not s.items
        parts = [f"{self.key(i)} {self.rest(i, '')}" for i in s.items]
        if any("\n" in p for p in parts):
            return False
        text = f"{self._shot_head(s)} {{ " + "  ".join(parts) + " }"
        return len(INDENT) + len(text) <= MAX_WIDTH

    def shot(self, s: n.Shot, indent: str) -> None:
        if self.one_line(s):
            if not s.items:
                self.emit_lines(s, f"{indent}{self._shot_head(s)} {{}}")
                return
            parts = [f"{self.key(i)} {self.rest(i, indent)}" for i in s.items]
            self.emit_lines(s, f"{indent}{self._shot_head(s)} {{ " + "  ".join(parts) + " }")
            return
        self.block(s, self._shot_head(s), list(s.items), indent)


# ---------------------------------------------------------------------------- API


def format_storyboard(sb: n.Storyboard, source: str | None = None) -> str:
    """The canonical text of a syntax tree.  ``source`` (the text it was parsed from)
    places its comments and keeps single blank lines between imports / assets."""
    return _Printer(sb, source).run()


def format_text(text: str, file: str = "<text>") -> tuple[str | None, list[Diagnostic]]:
    """Format ``.shot`` text: ``(formatted, diagnostics)``; ``formatted`` is None when the
    text has errors (a file with errors is never formatted)."""
    tree, diags = parse_text(text, file)
    if tree is None or has_errors(diags):
        return None, diags
    src = text
    if src.startswith("\ufeff"):
        src = " " + src[1:]
    with no_gc():  # as for the parse: the printer makes no cycles (linear time)
        return format_storyboard(tree, src), diags
