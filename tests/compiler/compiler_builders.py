"""Hand-built checked storyboards (no parser): the compile stage consumes a
CheckedStoryboard, so these tests do not depend on the grammar."""

from __future__ import annotations

from seedance_dsl.check.model import (
    Asset,
    CheckedStoryboard,
    ClipOutputRef,
    Package,
    ResolvedClip,
    ResolvedRole,
    ResolvedUse,
)
from seedance_dsl.syntax import nodes
from seedance_dsl.syntax.nodes import Span

_line = 0


def span() -> Span:
    """A fresh span on its own line of "<test>", so diagnostics can be told apart."""
    global _line
    _line += 1
    return Span("<test>", _line, 1, _line, 10)


def setting(key: str, text: str, kind: nodes.SettingValueKind = "word") -> nodes.Setting:
    return nodes.Setting(nodes.Ident(key, span()), nodes.SettingValue(text, kind, span()), span())


def asset(name: str, kind: nodes.AssetKind, url: str) -> Asset:
    decl = nodes.AssetDecl(nodes.Ident(name, span()), kind, nodes.Text(url, span()), span())
    return Asset(name, kind, url, decl)


def role(r: nodes.Role, source: Asset | ClipOutputRef) -> ResolvedRole:
    if isinstance(source, Asset):
        target: nodes.AssetRef = nodes.Ident(source.name, span())
    else:
        target = nodes.ClipOutput(nodes.Ident(source.clip, span()), source.output, span())
    return ResolvedRole(r, source, nodes.RoleDecl(r, target, span()))


def output(clip: str, kind: nodes.ClipOutputKind) -> ClipOutputRef:
    return ClipOutputRef(clip, kind, span())


def shot(seconds: float | None = None, **fields: str | nodes.Ident) -> nodes.Shot:
    items: list[nodes.ShotItem] = []
    for key, value in fields.items():
        v = value if isinstance(value, nodes.Ident) else nodes.Text(value, span())
        items.append(nodes.ShotField(key.rstrip("_"), v, span()))  # type: ignore[arg-type]
    dur = nodes.Duration(round(seconds * 1000), span()) if seconds is not None else None
    return nodes.Shot(dur, tuple(items), span())


def package(
    name: str, style: tuple[str, ...] = (), keep: tuple[str, ...] = (), avoid: tuple[str, ...] = ()
) -> Package:
    return Package(
        name,
        tuple(nodes.Text(s, span()) for s in style),
        tuple(nodes.Ident(k, span()) for k in keep),
        tuple(nodes.Ident(a, span()) for a in avoid),
        builtin=False,
        decl=None,
    )


def use(pkg: Package, *without: str) -> ResolvedUse:
    return ResolvedUse(
        pkg, tuple(without), nodes.UsePackage(nodes.Ident(pkg.name, span()), (), span())
    )


def clip(
    name: str,
    *,
    settings: tuple[nodes.Setting, ...] = (),
    defaults: tuple[nodes.Setting, ...] = (),
    roles: tuple[ResolvedRole, ...] = (),
    uses: tuple[ResolvedUse, ...] = (),
    shots: tuple[nodes.Shot, ...] = (),
) -> ResolvedClip:
    items: tuple[nodes.ClipItem, ...] = (*settings, *(r.decl for r in roles), *shots)
    decl = nodes.ClipDecl(nodes.Ident(name, span()), items, span())
    eff = {s.key.name: s for s in defaults}
    eff.update({s.key.name: s for s in settings})
    deps = tuple(dict.fromkeys(r.source.clip for r in roles if isinstance(r.source, ClipOutputRef)))
    return ResolvedClip(name, decl, eff, roles, uses, shots, (), deps)


def storyboard(
    *clips: ResolvedClip, assets: tuple[Asset, ...] = (), title: str = "Test"
) -> CheckedStoryboard:
    return CheckedStoryboard(
        path="<test>",
        title=title,
        source_hash="0" * 64,
        syntax=nodes.Storyboard(nodes.Text(title), ()),
        assets={a.name: a for a in assets},
        packages={},
        clips=clips,
    )
