"""The cast and the shared defaults of a storyboard (the language's second edition).

``character NAME { ref A, B  look "..." }`` and ``product NAME { ... }`` declare a
recurring member once; a clip brings it with ``cast NAME``, by naming it in a shot
(``subject mara``, ``say mara "..."``), or through ``defaults { cast NAME }``.  Its
references join the clip's roles as ``character`` / ``product`` references, spanned at the
line that brought them (so the 12-reference limit is reported there).  ``defaults`` also
takes ``use PKG [without ...]`` lines; a clip drops a default package or cast member with
``omit NAME``.

The resolver calls these functions; they report through its context (``ctx``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from ..syntax import nodes as n
from ..syntax.diagnostics import Label
from ..syntax.parser import did_you_mean
from .local_assets import check_local_asset
from .model import Asset, CastMember, ResolvedRole, ResolvedUse

__all__ = ["DefaultsExtras", "bring_cast", "inline_asset", "resolve_member", "unknown_member"]


def resolve_member(
    ctx: Any, decl: n.MemberDecl, assets: Mapping[str, Asset], used_assets: set[str]
) -> CastMember:
    """The member with its references resolved: each must be a declared image asset, or
    a string (a URL or local path: an image asset declared implicitly, see
    :func:`inline_asset`)."""
    refs: list[Asset] = []
    strings = 0
    for ref in decl.refs:
        if isinstance(ref, n.Text):
            strings += 1
            inline = check_local_asset(inline_asset(decl, ref, strings), ctx.roots, ctx.diags)
            if inline not in refs:
                refs.append(inline)
            continue
        asset = assets.get(ref.name)
        if asset is None:
            ctx.error(
                "SHOT201",
                f"unknown asset `{ref.name}`{did_you_mean(ref.name, tuple(assets))}",
                ref.span,
                help='a cast member\'s `ref` names an image asset: asset NAME image "https://..."',
            )
            continue
        used_assets.add(ref.name)
        if asset.kind != "image":
            ctx.error(
                "SHOT207",
                f"`{ref.name}` is a video, but a {decl.kind}'s reference must be an image",
                ref.span,
                labels=(Label(asset.decl.name.span, f"`{ref.name}` is declared as a video here"),),
                help="give the member an image (a face, a costume, a product shot); a video "
                "reference goes in the clip: `ref NAME as motion` (or `as camera`, `as style`)",
            )
            continue
        if asset not in refs:
            refs.append(asset)
    look = decl.look.value if decl.look is not None else None
    if not decl.refs and look is None:  # (a rejected `ref` is reported already)
        ctx.error(
            "SHOT218",
            f"{decl.kind} `{decl.name.name}` has neither a `ref` nor a `look`",
            decl.name.span,
            help=f'give it an image and a description: {decl.kind} {decl.name.name} {{ ref NAME  look "..." }}',
        )
    return CastMember(decl.name.name, decl.kind, tuple(refs), look, decl)


def inline_asset(decl: n.MemberDecl, ref: n.Text, index: int) -> Asset:
    """The image asset a member's ``ref "https://..."`` (or ``ref "refs/face.png"``)
    declares implicitly: named after the member (``mara``; its second string ``mara#2``,
    a name no declaration can take), spanned at the string, so a local path goes through
    the checks of an ``asset`` line (SHOT260-266) and a URL through its rules there."""
    name = decl.name.name if index == 1 else f"{decl.name.name}#{index}"
    node = n.AssetDecl(n.Ident(name, ref.span), "image", ref, ref.span)
    return Asset(name, "image", ref.value, node)


def unknown_member(ctx: Any, name: n.Ident, cast: Mapping[str, CastMember]) -> None:
    ctx.error(
        "SHOT218",
        f"unknown cast member `{name.name}`{did_you_mean(name.name, tuple(cast))}",
        name.span,
        help='declare it once: character NAME { ref IMAGE  look "..." } (or `product`)'
        if not cast
        else f"the cast is: {', '.join(sorted(cast))}",
    )


class DefaultsExtras:
    """What ``defaults`` gives every clip besides settings: packages and cast members."""

    __slots__ = ("cast", "uses")

    def __init__(self) -> None:
        self.uses: list[ResolvedUse] = []
        self.cast: list[tuple[CastMember, n.Span]] = []

    @classmethod
    def of(
        cls,
        ctx: Any,
        node: n.Defaults | None,
        cast: Mapping[str, CastMember],
        resolve_use: Callable[[n.UsePackage], ResolvedUse | None],
    ) -> DefaultsExtras:
        out = cls()
        if node is None:
            return out
        for use in node.uses:
            r = resolve_use(use)
            if r is not None and all(u.package.name != r.package.name for u in out.uses):
                out.uses.append(r)
        for line in node.cast:
            for name in line.names:
                member = cast.get(name.name)
                if member is None:
                    unknown_member(ctx, name, cast)
                elif all(m is not member for m, _ in out.cast):
                    out.cast.append((member, line.span))
        return out


def _omit_of_named(
    ctx: Any,
    omitted: Mapping[str, n.Ident],
    mentioned: list[tuple[CastMember, n.Span]],
    brought: list[tuple[CastMember, n.Span]],
) -> None:
    """SHOT219: ``omit mara`` in a clip whose shot names ``mara`` (or whose own ``cast``
    line brings her) drops nothing: the name brings her back."""
    for member, span in [*brought, *mentioned]:
        ident = omitted.get(member.name)
        if ident is None:
            continue
        ctx.warn(
            "SHOT219",
            f"`omit {member.name}` has no effect: this clip brings `{member.name}` itself",
            ident.span,
            labels=(Label(span, f"`{member.name}` is brought here"),),
            help=f"delete `omit {member.name}`, or take `{member.name}` out of the clip's shots "
            "and `cast` lines (naming a member in a shot brings its references)",
        )
        return  # once per clip: one name is enough to see it


def _member_roles(member: CastMember, span: n.Span) -> list[ResolvedRole]:
    out: list[ResolvedRole] = []
    for asset in member.refs:
        decl = n.RoleDecl(member.kind, n.Ident(asset.name, span), span)
        out.append(ResolvedRole(member.kind, asset, decl, member.name))
    return out


def bring_cast(
    ctx: Any,
    decl: n.ClipDecl,
    defaults: DefaultsExtras,
    cast: Mapping[str, CastMember],
    mentioned: Iterable[tuple[CastMember, n.Span]],
    roles: list[ResolvedRole],
    uses: list[ResolvedUse],
) -> tuple[CastMember, ...]:
    """Apply ``defaults``' packages and cast, the clip's ``omit`` and ``cast`` lines and
    the members its shots mention: ``uses`` and ``roles`` are extended in place; the
    members brought are returned in order."""
    omitted: dict[str, n.Ident] = {}
    brought: list[tuple[CastMember, n.Span]] = []
    for item in decl.items:
        if isinstance(item, n.Omit):
            for name in item.names:
                omitted.setdefault(name.name, name)
        elif isinstance(item, n.CastUse):
            for name in item.names:
                member = cast.get(name.name)
                if member is None:
                    unknown_member(ctx, name, cast)
                else:
                    brought.append((member, item.span))
    given = {u.package.name for u in defaults.uses} | {m.name for m, _ in defaults.cast}
    for gone, ident in omitted.items():
        if gone not in given:
            ctx.error(
                "SHOT216",
                f"`omit {gone}`: the defaults give no package or cast member `{gone}`"
                f"{did_you_mean(gone, tuple(given))}",
                ident.span,
                help="`omit` drops a `use` or `cast` line of `defaults` for this clip"
                + (f"; the defaults give: {', '.join(sorted(given))}" if given else ""),
            )
    mentioned = list(mentioned)
    _omit_of_named(ctx, {k: v for k, v in omitted.items() if k in given}, mentioned, brought)
    own_packages = {u.package.name for u in uses}
    default_uses = [
        u
        for u in defaults.uses
        if u.package.name not in omitted and u.package.name not in own_packages
    ]
    uses[:0] = default_uses  # the defaults' packages first, then the clip's own
    order = [(m, s) for m, s in defaults.cast if m.name not in omitted] + brought + list(mentioned)
    members: list[CastMember] = []
    for member, span in order:
        if member in members:
            continue
        members.append(member)
        for role in _member_roles(member, span):
            for i, r in enumerate(roles):  # an explicit `ref` of the same asset: one entry
                if r.role == role.role and r.source == role.source:
                    roles[i] = replace(r, member=member.name)
                    break
            else:
                roles.append(role)
    return tuple(members)
