"""The names of a ``.shot`` file: declarations and every place a name is used.

One table, :data:`DECLARATIONS`, says which top-level declarations introduce a name and
after which keywords that name may be written.  Completion, hover, definition,
references, rename and the symbol lists all read it, so a new declaration kind (cast
members, issue 11) is one row here plus its walk in :func:`occurrences`.

Everything is read off the syntax tree (:mod:`seedance_dsl.syntax.nodes`), never the
parser's internals.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from ..syntax import nodes as n

SymbolKindName = Literal["asset", "package", "character", "product", "clip"]


@dataclass(frozen=True, slots=True)
class DeclarationKind:
    """One kind of named declaration."""

    kind: SymbolKindName
    keyword: str  # the keyword that declares it: `asset NAME ...`
    node: type  # its syntax node (with a ``name: Ident``)
    #: the keywords (or contexts) after which a name of this kind may be written
    referenced_after: tuple[str, ...]
    #: LSP SymbolKind / CompletionItemKind numbers (lsprotocol enums by value)
    symbol_kind: int
    completion_kind: int
    what: str  # for messages: "an asset"
    #: for a node shared by kinds (``MemberDecl``): the value of its ``kind`` field
    member: str | None = None

    def declares(self, item: object) -> bool:
        """``item`` is a declaration of this kind."""
        if not isinstance(item, self.node):
            return False
        return self.member is None or getattr(item, "kind", None) == self.member


#: Every declaration kind; the order is the preference when one name could be two kinds.
DECLARATIONS: tuple[DeclarationKind, ...] = (
    DeclarationKind(
        "asset",
        "asset",
        n.AssetDecl,
        ("start", "end", "ref", "source", "extend", "subject", "say"),
        symbol_kind=17,  # File
        completion_kind=17,  # File
        what="an asset",
    ),
    DeclarationKind(
        "package",
        "package",
        n.PackageDecl,
        ("use", "omit"),
        symbol_kind=4,  # Package
        completion_kind=9,  # Module
        what="a package",
    ),
    DeclarationKind(
        "character",
        "character",
        n.MemberDecl,
        ("cast", "omit", "subject", "say"),
        symbol_kind=5,  # Class
        completion_kind=7,  # Class
        what="a character",
        member="character",
    ),
    DeclarationKind(
        "product",
        "product",
        n.MemberDecl,
        ("cast", "omit", "subject", "say"),
        symbol_kind=19,  # Object
        completion_kind=7,  # Class
        what="a product",
        member="product",
    ),
    DeclarationKind(
        "clip",
        "clip",
        n.ClipDecl,
        ("start", "end", "source", "extend", "cut"),
        symbol_kind=12,  # Function
        completion_kind=3,  # Function
        what="a clip",
    ),
)
BY_KIND: dict[str, DeclarationKind] = {d.kind: d for d in DECLARATIONS}


def kinds_after(keyword: str) -> tuple[DeclarationKind, ...]:
    """The declaration kinds whose names may follow ``keyword``."""
    return tuple(d for d in DECLARATIONS if keyword in d.referenced_after)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A name written in a file: its declaration (``is_decl``) or a use."""

    name: str
    kinds: tuple[SymbolKindName, ...]  # what it may name (a use of `extend x`: clip/asset)
    span: n.Span
    is_decl: bool
    context: str  # the keyword it follows ("start", "use", ...) or the declaring keyword


def _decl_kind(item: object) -> DeclarationKind | None:
    for d in DECLARATIONS:
        if d.declares(item):
            return d
    return None


_ROLE_KEYWORD: dict[str, str] = {
    "start": "start",
    "end": "end",
    "source": "source",
    "extension": "extend",
}


def _names(keyword: str) -> tuple[SymbolKindName, ...]:
    return tuple(d.kind for d in kinds_after(keyword))


def occurrences(tree: n.Storyboard) -> Iterator[Occurrence]:
    """Every declaration and every use of a declared name in one file, in file order."""
    for item in tree.items:
        d = _decl_kind(item)
        if d is not None:
            ident = getattr(item, "name", None)
            if not isinstance(ident, n.Ident):
                continue
            yield Occurrence(ident.name, (d.kind,), ident.span, True, d.keyword)
        if isinstance(item, n.ClipDecl):
            yield from _clip_uses(item)
        elif isinstance(item, n.MemberDecl):
            for r in item.refs:
                if not isinstance(r, n.Ident):  # an inline URL or path: no name to find
                    continue
                yield Occurrence(r.name, ("asset",), r.span, False, "ref")
        elif isinstance(item, n.Defaults):
            yield from _list_uses((*item.uses, *item.cast))
        elif isinstance(item, n.CutDecl):
            for e in item.entries:
                yield Occurrence(e.clip.name, _names("cut"), e.clip.span, False, "cut")


def _clip_uses(clip: n.ClipDecl) -> Iterator[Occurrence]:
    for it in clip.items:
        if isinstance(it, n.RoleDecl):
            kw = _ROLE_KEYWORD.get(it.role, "ref")
            t = it.target
            if isinstance(t, n.ClipOutput):
                yield Occurrence(t.clip.name, ("clip",), t.clip.span, False, kw)
            else:
                yield Occurrence(t.name, _names(kw), t.span, False, kw)
        elif isinstance(it, n.UsePackage | n.CastUse | n.Omit):
            yield from _list_uses((it,))
        elif isinstance(it, n.Shot):
            for f in it.items:
                if isinstance(f, n.ShotField) and isinstance(f.value, n.Ident):
                    v = f.value
                    yield Occurrence(v.name, _names("subject"), v.span, False, f.key)
                elif isinstance(f, n.Dialogue) and isinstance(f.speaker, n.Ident):
                    s = f.speaker
                    yield Occurrence(s.name, _names("say"), s.span, False, "say")


def _list_uses(items: tuple[n.UsePackage | n.CastUse | n.Omit, ...]) -> Iterator[Occurrence]:
    """The names of `use PKG`, `cast A, B` and `omit A, B` lines."""
    for it in items:
        if isinstance(it, n.UsePackage):
            yield Occurrence(it.package.name, _names("use"), it.package.span, False, "use")
            continue
        kw = "cast" if isinstance(it, n.CastUse) else "omit"
        for name in it.names:
            yield Occurrence(name.name, _names(kw), name.span, False, kw)


def declarations(tree: n.Storyboard) -> dict[tuple[str, str], n.Span]:
    """(kind, name) -> the span of the declared name, for the first declaration of each."""
    out: dict[tuple[str, str], n.Span] = {}
    for o in occurrences(tree):
        if o.is_decl:
            out.setdefault((o.kinds[0], o.name), o.span)
    return out


def at_offset(tree: n.Storyboard, offset: int) -> Occurrence | None:
    """The occurrence under a character offset (its end inclusive: a cursor after a name)."""
    for o in occurrences(tree):
        if o.span.start_pos <= offset <= o.span.end_pos:
            return o
    return None
