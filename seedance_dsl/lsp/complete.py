"""Completion in context: what may be written where the cursor is.

Tables, not code: :data:`STATEMENTS` (what starts a statement in each block) and
:data:`AFTER` (what follows a keyword).  Names come from :data:`.symbols.DECLARATIONS`
(``referenced_after``), so a new declaration kind completes without a change here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import get_args

from lsprotocol import types as t

from ..api.spec import CONTRACT
from ..syntax import nodes as n
from .analysis import Analysis
from .context import Context, cursor_context
from .symbols import DECLARATIONS, kinds_after

_SETTINGS = tuple(n.SETTING_KEYS)
_ROLE_LINES = ("start", "end", "ref", "source", "extend")

#: block -> the words that start a statement in it
STATEMENTS: dict[str, tuple[str, ...]] = {
    "top": (
        "storyboard",
        "import",
        "template",
        "defaults",
        *(d.keyword for d in DECLARATIONS),
        "cut",
    ),
    "defaults": (*_SETTINGS, "use", "cast"),
    "package": ("style", "keep", "avoid"),
    "clip": (*_SETTINGS, *_ROLE_LINES, "use", "cast", "omit", "text", "shot"),
    "character": ("ref", "look"),
    "product": ("ref", "look"),
    "shot": (*n.SHOT_FIELD_KEYS, "say"),
    "cut": (),  # clip names (see _names)
}

#: ``ref NAME as ROLE``: the roles a reference may take
REF_ROLES: tuple[str, ...] = ("character", "product", "motion", "camera", "style")
ASSET_KINDS: tuple[str, ...] = get_args(n.AssetKind)
CLIP_OUTPUTS: tuple[str, ...] = get_args(n.ClipOutputKind)


def setting_values(key: str) -> tuple[str, ...]:
    """The values a setting may take, from the contract table."""
    from ..check import setting_vocabulary

    vocab = setting_vocabulary()
    if key in vocab:
        return vocab[key]
    if key == "duration":
        return tuple(f"{s}s" for s in range(CONTRACT.duration_min, CONTRACT.duration_max + 1))
    if key == "seed":
        return ("-1",)
    return ()


def _item(label: str, kind: t.CompletionItemKind, detail: str = "") -> t.CompletionItem:
    return t.CompletionItem(label=label, kind=kind, detail=detail or None)


def _kw(words: Iterable[str], detail: str = "keyword") -> list[t.CompletionItem]:
    return [_item(w, t.CompletionItemKind.Keyword, detail) for w in words]


def visible_names(a: Analysis) -> dict[str, dict[str, str]]:
    """kind -> name -> detail, of every name the document sees (its imports too)."""

    def make() -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {d.kind: {} for d in DECLARATIONS}
        sb = a.checked.storyboard if a._checked is not None else None
        if sb is not None:
            for name, asset in sb.assets.items():
                out["asset"][name] = f"{asset.kind} asset"
            for name, pkg in sb.packages.items():
                out["package"][name] = "built-in package" if pkg.builtin else "package"
            for name, member in sb.cast.items():
                out[member.kind][name] = member.kind
        tree = a.tree
        if tree is not None:
            for item in tree.items:
                if isinstance(item, n.AssetDecl):
                    out["asset"].setdefault(item.name.name, f"{item.kind} asset")
                elif isinstance(item, n.PackageDecl):
                    out["package"].setdefault(item.name.name, "package")
                elif isinstance(item, n.ClipDecl):
                    out["clip"].setdefault(item.name.name, "clip")
                elif isinstance(item, n.MemberDecl):
                    out[item.kind].setdefault(item.name.name, item.kind)
        out["package"].setdefault("standard", "built-in package")
        return out

    result: dict[str, dict[str, str]] = a.cached("names", make)
    return result


def _names(a: Analysis, keyword: str, skip: str | None = None) -> list[t.CompletionItem]:
    names = visible_names(a)
    items: list[t.CompletionItem] = []
    for d in kinds_after(keyword):
        for name, detail in sorted(names.get(d.kind, {}).items()):
            if name != skip:
                items.append(_item(name, t.CompletionItemKind(d.completion_kind), detail))
    return items


def _package_items(a: Analysis, package: str) -> list[t.CompletionItem]:
    def make() -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        from ..check import STANDARD_PACKAGE

        pkgs = [STANDARD_PACKAGE]
        sb = a.checked.storyboard if a._checked is not None else None
        if sb is not None:
            pkgs = list(sb.packages.values())
        for p in pkgs:
            out[p.name] = tuple(i.name for i in (*p.keep, *p.avoid))
        tree = a.tree
        for item in tree.items if tree is not None else ():
            if isinstance(item, n.PackageDecl) and item.name.name not in out:
                out[item.name.name] = tuple(
                    i.name for c in item.items if isinstance(c, n.ConstraintItem) for i in c.items
                )
        return out

    table: dict[str, tuple[str, ...]] = a.cached("package_items", make)
    return [
        t.CompletionItem(
            label=w,
            kind=t.CompletionItemKind.EnumMember,
            detail=f"item of {package}",
            insert_text=w if w.isidentifier() else f'"{w}"',
        )
        for w in table.get(package, ())
    ]


def complete(a: Analysis, offset: int) -> list[t.CompletionItem]:
    """The completion items at ``offset``."""
    ctx = cursor_context(a.text, offset, a.clip_start_before(offset))
    if ctx.in_string or ctx.in_comment:
        return []
    return _complete(a, ctx)


def _complete(a: Analysis, ctx: Context) -> list[t.CompletionItem]:
    w = ctx.words
    if ctx.after_dot is not None:
        return [_item(o, t.CompletionItemKind.Property, "clip output") for o in CLIP_OUTPUTS]
    if ctx.block == "cut":
        if w and w[-1] not in ("trim", "fade") and len(w) <= 3:
            return [*_kw(("trim", "fade")), *_names(a, "cut")]
        return _names(a, "cut") if not w or w[-1] not in ("trim", "fade") else []
    if not w:
        items = _kw(STATEMENTS.get(ctx.block, ()))
        if ctx.block == "shot":
            items = [_item(k, t.CompletionItemKind.Field, "shot field") for k in n.SHOT_FIELD_KEYS]
            items += _kw(("say",))
        return items
    first = w[0]
    if ctx.block == "top":
        if first == "asset" and len(w) == 2:
            return _kw(ASSET_KINDS, "asset kind")
        return []
    if ctx.block in ("defaults", "clip") and first in n.SETTING_KEYS and len(w) == 1:
        field = n.SETTING_KEYS[first]
        return [
            _item(v, t.CompletionItemKind.Value, f"{field} (API)") for v in setting_values(first)
        ]
    if ctx.block == "clip":
        if first in ("start", "end", "source", "extend") and len(w) == 1:
            return _names(a, first, skip=ctx.clip)
        if first == "ref":
            if len(w) == 1:
                return _names(a, "ref")
            if len(w) == 2:
                return _kw(("as",))
            if len(w) == 3 and w[2] == "as":
                return _kw(REF_ROLES, "role")
            return []
        if first in ("cast", "omit") and (len(w) == 1 or w[-1] == ","):
            return _names(a, first)
        if first == "use":
            if len(w) == 1:
                return _names(a, "use")
            if len(w) == 2 or (len(w) > 2 and w[-1] not in ("without", ",")):
                return _kw(("without",)) if len(w) == 2 else []
            return _package_items(a, w[1])
    if ctx.block in ("character", "product") and first == "ref" and (len(w) == 1 or w[-1] == ","):
        return [i for i in _names(a, "ref") if i.detail == "image asset"]
    if ctx.block == "defaults" and first == "cast" and (len(w) == 1 or w[-1] == ","):
        return _names(a, "cast")
    if ctx.block == "shot" and first in ("subject", "say") and len(w) == 1:
        return _names(a, first)
    return []
