"""One shared analysis of a document: parse, check and compile-on-demand, per version.

Every LSP feature reads the :class:`Analysis` of the document's current version; each
stage runs once per version, when a feature first needs it (the parse for symbols, the
check for diagnostics and hovers, the compile for a clip's prompt).

**Incremental re-check.**  A whole-file ``check`` of a 200-clip storyboard takes
~150 ms here, far over the 30 ms an edit may cost.  So an edit that stays inside one
clip's braces is re-checked *per clip*: the other clips are blanked (turned into spaces,
newlines kept; a clip the edited one names stays as an empty stub ``clip NAME { }`` at the
same offsets), the reduced text is checked with the public ``check_text``, and the edited
clip's diagnostics replace its old ones; the diagnostics outside it are kept from the
previous version, shifted by the edit.  Spans are exact
because nothing moves.  What a per-clip check cannot see (another clip that depends on
the edited one, an asset that became unused) is made exact by a full check that the
server runs once the typing stops (``lsp_full_check_delay``).  ``exact`` says which one a
version has.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..syntax import nodes as n
from ..syntax.diagnostics import Diagnostic, Label
from .positions import LineIndex
from .symbols import Occurrence, occurrences

if TYPE_CHECKING:
    from ..check import CheckResult
    from ..compiler import CompiledClip, CompiledStoryboard


@dataclass(frozen=True, slots=True)
class ClipBox:
    """Where one clip sits in the text (what the per-clip re-check needs of it)."""

    name: str
    start: int  # offset of `clip`
    body: int  # offset just after its `{`
    end: int  # offset just after its `}`

    def shifted(self, delta: int) -> ClipBox:
        return ClipBox(self.name, self.start + delta, self.body + delta, self.end + delta)


def _boxes(tree: n.Storyboard | None, text: str) -> tuple[ClipBox, ...] | None:
    if tree is None:
        return None
    out: list[ClipBox] = []
    for c in tree.clips:
        s = c.span
        brace = text.find("{", c.name.span.end_pos, s.end_pos)
        if brace < 0 or s.end_pos < 1 or text[s.end_pos - 1 : s.end_pos] != "}":
            return None  # a clip the parser recovered: no per-clip check on this layout
        out.append(ClipBox(c.name.name, s.start_pos, brace + 1, s.end_pos))
    return tuple(out)


def _common_prefix(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:  # binary search on slice equality: memcmp speed
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, floor: int) -> int:
    lo, hi = 0, min(len(a), len(b)) - floor
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return lo


_NOT_NEWLINE = re.compile(r"[^\n]+")


def _blank(text: str) -> str:
    return _NOT_NEWLINE.sub(lambda m: " " * len(m.group()), text)


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _stub_text(text: str, boxes: Iterable[ClipBox], skip: ClipBox) -> str:
    """``text`` with every clip but ``skip`` blanked (spaces, newlines kept), except the
    clips whose names ``skip`` mentions: those become empty stubs ``clip NAME {   }`` at
    the same offsets, so the edited clip still finds them (and their outputs)."""
    wanted = set(_NAME.findall(text, skip.body, skip.end))
    parts: list[str] = []
    pos = 0
    for b in boxes:
        if b is skip:
            continue
        if b.name in wanted or b.name == skip.name:
            parts.append(text[pos : b.body])
            parts.append(_blank(text[b.body : b.end - 1]))
            pos = b.end - 1
        else:
            parts.append(text[pos : b.start])
            parts.append(_blank(text[b.start : b.end]))
            pos = b.end
    parts.append(text[pos:])
    return "".join(parts)


def _shift_span(s: n.Span, delta: int, lines: int) -> n.Span:
    return dataclasses.replace(
        s,
        line=s.line + lines,
        end_line=s.end_line + lines,
        start_pos=s.start_pos + delta,
        end_pos=s.end_pos + delta,
    )


def _shift(d: Diagnostic, path: str, at: int, delta: int, lines: int) -> Diagnostic:
    def move(s: n.Span) -> n.Span:
        if s.file != path or s.start_pos < at:
            return s
        return _shift_span(s, delta, lines)

    if delta == 0 and lines == 0:
        return d
    span = move(d.span) if d.span is not None else None
    labels = tuple(Label(move(lb.span), lb.message) for lb in d.labels)
    return dataclasses.replace(d, span=span, labels=labels)


@dataclass
class Analysis:
    """Everything known about one version of one document."""

    path: str
    text: str
    version: int
    roots: tuple[str, ...] | None = None
    #: diagnostics of the per-clip re-check (None: use the full check's)
    _partial: tuple[Diagnostic, ...] | None = None
    _boxes: tuple[ClipBox, ...] | None = None
    _parsed: tuple[n.Storyboard | None, tuple[Diagnostic, ...]] | None = None
    _checked: CheckResult | None = None
    _compiled: CompiledStoryboard | None = None
    _lines: LineIndex | None = None
    _extra: dict[str, Any] = field(default_factory=dict)
    encoding: str = "utf-16"

    # ------------------------------------------------------------------ stages
    @property
    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.text, encoding=self.encoding)
        return self._lines

    @property
    def tree(self) -> n.Storyboard | None:
        """The syntax tree of this version (parsed once, on first use)."""
        if self._parsed is None:
            from ..syntax.parser import parse_text

            tree, diags = parse_text(self.text, self.path)
            self._parsed = (tree, tuple(diags))
        return self._parsed[0]

    @property
    def checked(self) -> CheckResult:
        """The full ``check`` of this version (as ``seedance check`` reports it)."""
        if self._checked is None:
            from ..check import check_text

            roots = list(self.roots) if self.roots is not None else None
            self._checked = check_text(self.text, self.path, roots=roots)
            if self._parsed is None and self._checked.storyboard is not None:
                # the check parsed this text already: its tree is this version's tree
                self._parsed = (self._checked.storyboard.syntax, ())
        return self._checked

    @property
    def exact(self) -> bool:
        """True when the diagnostics are the full check's (not a per-clip re-check's)."""
        return self._partial is None or self._checked is not None

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        if self._checked is None and self._partial is not None:
            return self._partial
        return self.checked.diagnostics

    @property
    def boxes(self) -> tuple[ClipBox, ...] | None:
        if self._boxes is None and (self._checked is not None or self._parsed is not None):
            self._boxes = _boxes(self.tree, self.text)
        return self._boxes

    def compiled(self) -> CompiledStoryboard | None:
        """The storyboard compiled (for hovers: prompts, requests); None when it cannot
        compile (check errors)."""
        if self._compiled is None:
            from ..compiler import compile_checked

            result = self.checked
            if result.storyboard is None:
                return None
            try:
                self._compiled = compile_checked(result.storyboard)
            except Exception:  # a hover must not fail on a half-written file
                return None
        return self._compiled

    def occurrence_at(self, offset: int) -> Occurrence | None:
        """The name under ``offset`` (a declaration or a use; its end inclusive)."""

        def make() -> tuple[list[Occurrence], list[int]]:
            tree = self.tree
            occs = sorted(occurrences(tree), key=lambda o: o.span.start_pos) if tree else []
            return occs, [o.span.start_pos for o in occs]

        occs, starts = self.cached("occurrences", make)
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and occs[i].span.start_pos <= offset <= occs[i].span.end_pos:
            o: Occurrence = occs[i]
            return o
        return None

    def clip_start_before(self, offset: int) -> int:
        """The offset of the last clip that starts before ``offset`` (0 if none): a place
        where no block is open, for scanning the cursor's context."""
        boxes = self.boxes
        best = 0
        for b in boxes or ():
            if b.start <= offset:
                best = b.start
            else:
                break
        return best

    def compiled_clip(self, name: str) -> CompiledClip | None:
        """Clip ``name`` compiled (its prompt and request).  Without the whole storyboard
        compiled yet, only this clip is: the other clips blanked as for the per-clip
        re-check (the ones it names kept as stubs), so a hover after an edit costs one
        clip, not the storyboard."""
        if self._compiled is not None:
            try:
                return self._compiled.clip(name)
            except KeyError:
                return None
        return self.cached(f"clip:{name}", lambda: self._compile_one(name))  # type: ignore[no-any-return]

    def _compile_one(self, name: str) -> CompiledClip | None:
        boxes = self.boxes
        box = next((b for b in boxes or () if b.name == name), None)
        if box is None:
            compiled = self.compiled()
            try:
                return compiled.clip(name) if compiled is not None else None
            except KeyError:
                return None
        from ..check import resolve_text
        from ..compiler import compile_checked

        roots = list(self.roots) if self.roots is not None else None
        result = resolve_text(_stub_text(self.text, boxes or (), box), self.path, roots=roots)
        if result.storyboard is None:
            return None
        try:
            return compile_checked(result.storyboard).clip(name)
        except Exception:  # a hover must not fail on a half-written file
            return None

    def cached(self, key: str, make: Any) -> Any:
        """A per-version memo for features (``make()`` runs once per version)."""
        if key not in self._extra:
            self._extra[key] = make()
        return self._extra[key]


def analyse(
    text: str,
    path: str,
    version: int,
    previous: Analysis | None = None,
    *,
    roots: tuple[str, ...] | None = None,
    encoding: str = "utf-16",
) -> Analysis:
    """The analysis of a new version.  With ``previous`` (the same document's last
    version) an edit inside one clip gets the per-clip re-check; otherwise the full check
    runs when the diagnostics are first read."""
    new = Analysis(path, text, version, roots=roots, encoding=encoding)
    if previous is not None and previous.roots == roots:
        _incremental(previous, new)
    return new


def _incremental(prev: Analysis, new: Analysis) -> None:
    boxes = prev.boxes
    if boxes is None:
        return
    old, text = prev.text, new.text
    if old == text:  # nothing changed: share every stage
        new._partial, new._boxes = prev._partial, prev._boxes
        new._parsed, new._checked = prev._parsed, prev._checked
        new._compiled = prev._compiled
        return
    a = _common_prefix(old, text)
    suffix = _common_suffix(old, text, a)
    b_old = len(old) - suffix
    delta = len(text) - len(old)
    box = next((x for x in boxes if x.body <= a and b_old <= x.end - 1), None)
    if box is None:
        return
    end_line_old = old.count("\n", 0, box.end)
    line_delta = text.count("\n", a, a + (b_old - a) + delta) - old.count("\n", a, b_old)
    # diagnostics outside the clip: kept, shifted; one that touches it or shares its
    # first/last line would move in ways a shift cannot say: then the full check
    start_line = old.count("\n", 0, box.start) + 1
    kept: list[Diagnostic] = []
    for d in prev.diagnostics:
        s = d.span
        if s is None or s.file != new.path:
            kept.append(d)
            continue
        if box.start <= s.start_pos < box.end:
            continue  # the clip's own: replaced below
        if s.start_pos < box.start and s.end_pos > box.start:
            return
        if s.line == start_line or s.line == end_line_old + 1 or s.end_line == start_line:
            return
        if any(
            lb.span.file == new.path and box.start <= lb.span.start_pos < box.end for lb in d.labels
        ):
            return  # it points into the edited clip
        kept.append(_shift(d, new.path, box.end, delta, line_delta))
    new_boxes = [x if x.end <= box.start else x.shifted(delta) for x in boxes if x is not box]
    edited = ClipBox(box.name, box.start, box.body, box.end + delta)
    ordered = sorted([*new_boxes, edited], key=lambda x: x.start)
    reduced = _stub_text(text, ordered, edited)
    from ..check import check_text

    roots = list(new.roots) if new.roots is not None else None
    result = check_text(reduced, new.path, roots=roots)
    fresh = [
        d
        for d in result.diagnostics
        if d.span is not None
        and d.span.file == new.path
        and edited.start <= d.span.start_pos < edited.end
    ]
    # the edited clip's new layout, read off the reduced tree (same offsets)
    rebuilt: ClipBox | None = None
    if result.storyboard is not None:
        for c in _boxes_loose(result.storyboard.syntax, reduced):
            if c.start == edited.start and c.end == edited.end:
                rebuilt = c
    if rebuilt is not None:
        new._boxes = tuple(rebuilt if x is edited else x for x in ordered)
    merged = [*kept, *fresh]
    merged.sort(key=_order)
    new._partial = tuple(merged)


def _boxes_loose(tree: n.Storyboard, text: str) -> list[ClipBox]:
    out: list[ClipBox] = []
    for c in tree.clips:
        s = c.span
        brace = text.find("{", c.name.span.end_pos, s.end_pos)
        if brace < 0 or text[s.end_pos - 1 : s.end_pos] != "}":
            continue
        out.append(ClipBox(c.name.name, s.start_pos, brace + 1, s.end_pos))
    return out


def _order(d: Diagnostic) -> tuple[int, str, int, int]:
    s = d.span
    if s is None:
        return (0, "", 0, 0)
    return (1, s.file, s.line, s.column)
