"""Name resolution and value checks: syntax tree(s) → :class:`CheckedStoryboard`.

``check_file(path)`` reads a ``.shot`` file and every file it imports (paths relative to
the importing file, cycles reported), resolves every name (assets, packages, clips and
their outputs), merges ``defaults`` into each clip's settings and checks every setting
value against the API contract table (:data:`seedance_dsl.api.spec.CONTRACT`): the
vocabulary of tier/channel/aspect/resolution/mode, clip durations of 4–15 whole seconds,
the seed range, ``audio on|off`` and ``lens fixed|free``.  Cross-field API rules
(pro-only resolutions, seed vs channel, prompt length, URL rules) are the compiler's.

Imports and the template are confined to the project (the top-level file's directory
tree and ``$SEEDANCE_ROOTS``; :func:`seedance_dsl.syntax.source.outside_roots`): a path
outside is SHOT008 and is never opened.  A top-level file without clips is SHOT011.
``resolve_*`` stop here; ``check_*`` add the compiler's rules (what ``seedance check``
reports).

Nothing raises for a user's mistake: everything is a :class:`Diagnostic` in the result.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..api.spec import CONTRACT
from ..syntax import nodes as n
from ..syntax.diagnostics import Diagnostic, Label
from ..syntax.parser import did_you_mean, duration_millis, no_gc, parse_text
from ..syntax.source import decode, outside_roots, project_roots, read_bytes
from .local_assets import check_local_asset

if TYPE_CHECKING:
    from pathlib import Path

from .cast import DefaultsExtras, bring_cast, resolve_member
from .model import (
    Asset,
    CastMember,
    CheckedStoryboard,
    CheckResult,
    ClipOutputRef,
    Package,
    ResolvedClip,
    ResolvedRole,
    ResolvedUse,
)
from .settings import parse_setting, setting_problems, setting_vocabulary

__all__ = [
    "STANDARD_PACKAGE",
    "check_file",
    "check_text",
    "resolve_file",
    "resolve_text",
    "setting_vocabulary",
]


def _idents(*names: str) -> tuple[n.Ident, ...]:
    return tuple(n.Ident(x) for x in names)


#: The built-in package ``standard``: the provider's standard constraint package (G8):
#: stable faces, natural motion, no deformation, no watermark, no logo, no subtitles.
STANDARD_PACKAGE = Package(
    name="standard",
    style=(),
    keep=_idents("stable faces", "natural motion"),
    avoid=_idents("deformation", "watermark", "logo", "subtitles"),
    builtin=True,
    decl=None,
)


#: Which asset kinds (or clip outputs) each role accepts: "image" / "video".
ROLE_KINDS: dict[n.Role, tuple[str, ...]] = {
    "start": ("image",),
    "end": ("image",),
    "character": ("image", "video"),
    "product": ("image", "video"),
    "motion": ("video",),
    "camera": ("video",),
    "style": ("image", "video"),
    "source": ("video",),
    "extension": ("video",),
}
SINGLE_ROLES: tuple[n.Role, ...] = ("start", "end", "source", "extension")
_ROLE_WORDS: dict[n.Role, str] = {
    "start": "a start frame",
    "end": "an end frame",
    "character": "a character reference",
    "product": "a product reference",
    "motion": "a motion reference",
    "camera": "a camera reference",
    "style": "a style reference",
    "source": "the source video of an edit",
    "extension": "the clip to extend",
}


_NO_CAST: Mapping[str, CastMember] = {}


@dataclass
class _File:
    path: str  # as given (for messages)
    key: str  # resolved path (for cycles / identity)
    text: str
    data: bytes
    tree: n.Storyboard | None


@dataclass
class _Ctx:
    diags: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    files: dict[str, _File] = field(default_factory=dict)  # key -> file, load order
    hash_parts: list[bytes] = field(default_factory=list)
    roots: tuple[str, ...] = ()  # where `import` and `template` may read (project_roots)

    def error(self, code: str, message: str, span: n.Span | None, **kw: object) -> None:
        self.diags.append(Diagnostic(code, "error", message, span, **kw))  # type: ignore[arg-type]

    def warn(self, code: str, message: str, span: n.Span | None, **kw: object) -> None:
        self.diags.append(Diagnostic(code, "warning", message, span, **kw))  # type: ignore[arg-type]

    def note(self, code: str, message: str, span: n.Span | None, **kw: object) -> None:
        self.diags.append(Diagnostic(code, "note", message, span, **kw))  # type: ignore[arg-type]


def _key(p: str) -> str:
    try:
        return os.path.realpath(p)
    except (OSError, ValueError):  # a loop of symlinks, a NUL byte in the path
        return os.path.abspath(p)


# ---------------------------------------------------------------------------- loading

_OUTSIDE_HELP = (
    "`import` and `template` read only files inside the storyboard's directory tree; "
    "copy the file into the project, or add its directory to SEEDANCE_ROOTS "
    '(docs/language.md, "Which files a storyboard may read")'
)


def _load_imports(ctx: _Ctx, f: _File, stack: list[str]) -> list[_File]:
    """Load the imports of ``f`` (depth first); returns the import closure in order."""
    out: list[_File] = []
    if f.tree is None:
        return out
    seen_here: set[str] = set()
    for item in f.tree.items:
        if not isinstance(item, n.Import):
            continue
        rel = item.path.value
        target = os.path.join(os.path.dirname(f.path), rel)
        key = _key(target)
        if key in seen_here:
            ctx.warn("SHOT007", f"`{rel}` is imported twice", item.span)
            continue
        seen_here.add(key)
        if key in stack:
            chain = [os.path.basename(k) for k in stack[stack.index(key) :]]
            chain.append(os.path.basename(key))
            ctx.error(
                "SHOT004",
                f"import cycle: {' → '.join(chain)}",
                item.path.span,
                help="move what both files share into a third file that both import",
            )
            continue
        loaded = ctx.files.get(key)
        if loaded is None:
            why = outside_roots(target, ctx.roots)
            if why is not None:
                ctx.error(
                    "SHOT008",
                    f"cannot import `{rel}`: {why}",
                    item.path.span,
                    help=_OUTSIDE_HELP,
                )
                continue
            data, diags = read_bytes(target)
            if data is None:
                code = "SHOT003" if diags and diags[0].code == "SHOT001" else diags[0].code
                msg = f"imported file not found: {rel}" if code == "SHOT003" else diags[0].message
                ctx.error(
                    code,
                    msg,
                    item.path.span,
                    help=f"import paths are relative to this file's directory ({target})"
                    if code == "SHOT003"
                    else diags[0].help,
                )
                continue
            text, diags = decode(data, str(target))
            if text is None:
                ctx.diags.extend(
                    Diagnostic(d.code, d.severity, d.message, item.path.span, help=d.help)
                    for d in diags
                )
                continue
            tree, pdiags = parse_text(text, str(target), partial=True)
            ctx.diags.extend(pdiags)
            ctx.sources[str(target)] = text
            ctx.hash_parts.append(data)
            loaded = _File(target, key, text, data, tree)
            ctx.files[key] = loaded
            if tree is not None:
                ignored = [
                    i for i in tree.items if isinstance(i, n.ClipDecl | n.Defaults | n.TemplateDecl)
                ]
                if ignored:
                    what = {
                        n.ClipDecl: "clips",
                        n.Defaults: "defaults",
                        n.TemplateDecl: "a template",
                    }
                    kinds = sorted({what[type(i)] for i in ignored})
                    ctx.warn(
                        "SHOT006",
                        f"`{rel}` declares {' and '.join(kinds)}; an import brings only "
                        "its assets and packages",
                        item.span,
                        help="keep clips in the storyboard; share assets and packages in a library file",
                    )
            out.append(loaded)
            out.extend(_load_imports(ctx, loaded, [*stack, key]))
        else:
            out.append(loaded)
    return out


# ---------------------------------------------------------------------------- settings


def _check_settings(ctx: _Ctx, settings: Iterable[n.Setting], where: str) -> dict[str, n.Setting]:
    """Validate the settings of one block; the valid ones by key."""
    out: dict[str, n.Setting] = {}
    seen: dict[str, n.Setting] = {}
    vocab = setting_vocabulary()
    for s in settings:
        key = s.key.name
        if key not in n.SETTING_KEYS:
            help_ = f"the settings are: {', '.join(n.SETTING_KEYS)}"
            if key == "text" and where == "defaults":
                help_ = "`text` belongs in a clip or a shot, not in `defaults`"
            ctx.error(
                "SHOT208",
                f"unknown setting `{key}`{did_you_mean(key, tuple(n.SETTING_KEYS))}",
                s.key.span,
                help=help_,
            )
            continue
        if key in seen:
            ctx.error(
                "SHOT212",
                f"`{key}` is set twice in {where}",
                s.key.span,
                labels=(Label(seen[key].key.span, "first set here"),),
                help="keep one of the two",
            )
            continue
        seen[key] = s
        if _check_value(ctx, s, vocab):
            out[key] = s
    return out


def _check_value(ctx: _Ctx, s: n.Setting, vocab: dict[str, tuple[str, ...]]) -> bool:
    """Whether the value of ``s`` is one the API accepts: parsed by the settings table's
    rule of the language, then judged by the API's own rules (:mod:`.settings`)."""
    key, v = s.key.name, s.value
    text = v.text
    value = parse_setting(key, text)
    problems = setting_problems(key, value) if value is not None else []
    if not problems and value is not None:
        return True
    if key in vocab:
        allowed = vocab[key]
        ctx.error(
            "SHOT209",
            f"`{text}` is not a valid `{key}`{did_you_mean(text, allowed)}",
            v.span,
            help=f"`{key}` is one of: {', '.join(allowed)}",
        )
    elif key == "duration":
        _duration_error(ctx, v, value, problems[0].rule if problems else None)
    elif key == "seed":
        lo, hi = CONTRACT.seed_min, CONTRACT.seed_max
        ctx.error(
            "SHOT211",
            f"a seed is a whole number, not `{text}`"
            if value is None
            else f"seed {value} is out of range",
            v.span,
            help=f"use a number from {lo} to {hi} (-1: random)",
        )
    return False


def _duration_error(ctx: _Ctx, v: n.SettingValue, millis: object, rule: str | None) -> None:
    """SHOT210: not a duration (``rule`` None), not whole seconds, or out of range."""
    lo, hi = CONTRACT.duration_min, CONTRACT.duration_max
    text = v.text
    if not isinstance(millis, int):
        hint = f"; did you mean `{text}s`?" if text.isdigit() else ""
        ctx.error(
            "SHOT210",
            f"expected a duration like `5s`, found `{text}`{hint}",
            v.span,
            help=f"a clip lasts {lo}s to {hi}s, in whole seconds",
        )
    elif rule == "duration.whole":
        ctx.error(
            "SHOT210",
            f"a clip's duration must be whole seconds, not {text}",
            v.span,
            help=f"use {millis // 1000}s or {millis // 1000 + 1}s (shots inside may use fractions)",
        )
    else:
        ctx.error(
            "SHOT210",
            f"a clip's duration must be between {lo}s and {hi}s, not {text}",
            v.span,
            help="split a longer scene into several clips, chained with `start x.last_frame`"
            if millis // 1000 > hi
            else f"use at least {lo}s",
        )


# ---------------------------------------------------------------------------- resolve


def _asset_kind_word(kind: str) -> str:
    return "an image" if kind == "image" else "a video"


@dataclass
class _Decls:
    """The declarations of a storyboard and its imports, each name checked once."""

    assets: dict[str, Asset] = field(default_factory=dict)
    packages: dict[str, Package] = field(default_factory=lambda: {"standard": STANDARD_PACKAGE})
    clip_decls: dict[str, n.ClipDecl] = field(default_factory=dict)
    main_assets: list[Asset] = field(default_factory=list)
    member_decls: list[n.MemberDecl] = field(default_factory=list)
    first_span: dict[str, n.Span] = field(default_factory=dict)
    pkg_spans: dict[str, n.Span] = field(default_factory=dict)

    def declare(self, ctx: _Ctx, name: n.Ident, what: str) -> bool:
        """Asset, member and clip names share one namespace: a second one is SHOT204."""
        if name.name in self.first_span:
            ctx.error(
                "SHOT204",
                f"`{name.name}` is declared twice",
                name.span,
                labels=(Label(self.first_span[name.name], "first declared here"),),
                help=f"rename one of them (asset and clip names share one namespace; this is {what})",
            )
            return False
        self.first_span[name.name] = name.span
        return True

    def package(self, ctx: _Ctx, item: n.PackageDecl) -> None:
        name = item.name.name
        if name == "standard":
            ctx.error(
                "SHOT204",
                "`standard` is the built-in package (G8) and cannot be redeclared",
                item.name.span,
                help="give your package another name; switch parts of `standard` off "
                "with `use standard without subtitles`",
            )
            return
        if name in self.pkg_spans:
            ctx.error(
                "SHOT204",
                f"package `{name}` is declared twice",
                item.name.span,
                labels=(Label(self.pkg_spans[name], "first declared here"),),
                help="rename one of them",
            )
            return
        self.pkg_spans[name] = item.name.span
        self.packages[name] = _package(item)


def _declarations(ctx: _Ctx, main: _File, imported: list[_File]) -> _Decls:
    """Imports first, so the main file's duplicates point at itself."""
    d = _Decls()
    seen_decls: set[int] = set()
    for f in [*imported, main]:
        if f.tree is None:
            continue
        for item in f.tree.items:
            if id(item) in seen_decls:
                continue
            seen_decls.add(id(item))
            if isinstance(item, n.AssetDecl):
                if d.declare(ctx, item.name, "an asset"):
                    a = Asset(item.name.name, item.kind, item.url.value, item)
                    a = check_local_asset(a, ctx.roots, ctx.diags)
                    d.assets[a.name] = a
                    if f is main:
                        d.main_assets.append(a)
            elif isinstance(item, n.PackageDecl):
                d.package(ctx, item)
            elif isinstance(item, n.MemberDecl):
                if d.declare(ctx, item.name, f"a {item.kind}"):
                    d.member_decls.append(item)
            elif isinstance(item, n.ClipDecl) and f is main and d.declare(ctx, item.name, "a clip"):
                d.clip_decls[item.name.name] = item
    return d


def _main_settings(
    ctx: _Ctx, tree: n.Storyboard
) -> tuple[dict[str, n.Setting], n.Defaults | None, n.TemplateDecl | None]:
    """The main file's one ``defaults`` block and one ``template`` (a second is SHOT212)."""
    defaults: dict[str, n.Setting] = {}
    template: n.TemplateDecl | None = None
    defaults_seen: n.Defaults | None = None
    for item in tree.items:
        if isinstance(item, n.Defaults):
            if defaults_seen:
                ctx.error(
                    "SHOT212", "a second `defaults` block", item.span, help="merge the two blocks"
                )
                continue
            defaults_seen = item
            defaults = _check_settings(ctx, item.settings, "defaults")
        elif isinstance(item, n.TemplateDecl):
            if template is not None:
                ctx.error(
                    "SHOT212",
                    "a second `template`",
                    item.span,
                    help="a storyboard has one template",
                )
                continue
            template = item
    return defaults, defaults_seen, template


def _unused_assets(
    ctx: _Ctx, tree: n.Storyboard, main_assets: list[Asset], used_assets: set[str]
) -> None:
    """SHOT206, only once everything else is right: with errors an unused asset is mostly
    an echo (a misspelt use leaves the asset "unused").  A library (no clips) declares
    assets for its importers: none is "unused" there."""
    clean = not any(d.is_error for d in ctx.diags) and bool(tree.clips)
    for a in main_assets if clean else ():
        if a.name not in used_assets:
            ctx.warn(
                "SHOT206",
                f"asset `{a.name}` is never used",
                a.decl.name.span,
                help="use it in a clip (start, end, ref, source, extend, or a shot's subject), or remove it",
            )


def _template_path(ctx: _Ctx, main: _File, template: n.TemplateDecl | None) -> str | None:
    if template is None:
        return None
    path = os.path.join(os.path.dirname(main.path), template.path.value)
    why = outside_roots(path, ctx.roots)
    if why is not None:
        ctx.error(
            "SHOT008",
            f"cannot use template `{template.path.value}`: {why}",
            template.path.span,
            help=_OUTSIDE_HELP,
        )
    return path


def _resolve(ctx: _Ctx, main: _File, imported: list[_File]) -> CheckedStoryboard | None:
    tree = main.tree
    assert tree is not None
    d = _declarations(ctx, main, imported)
    defaults, defaults_seen, template = _main_settings(ctx, tree)
    used_assets: set[str] = set()
    cast = {m.name.name: resolve_member(ctx, m, d.assets, used_assets) for m in d.member_decls}
    extras = DefaultsExtras.of(ctx, defaults_seen, cast, lambda u: _resolve_use(ctx, u, d.packages))
    clips: list[ResolvedClip] = []
    for decl in tree.clips:
        if d.clip_decls.get(decl.name.name) is not decl:
            continue
        clip = _resolve_clip(
            ctx, decl, d.assets, d.packages, d.clip_decls, defaults, used_assets, cast
        )
        clips.append(_with_cast(ctx, clip, extras, cast))
    _verbatim_notes(ctx, clips)

    _check_cycles(ctx, clips)
    from .cutblock import check_cut

    check_cut(ctx, tree, clips)
    _unused_assets(ctx, tree, d.main_assets, used_assets)
    h = hashlib.sha256()
    for part in ctx.hash_parts:
        h.update(hashlib.sha256(part).digest())
    template_path = _template_path(ctx, main, template)
    # a clip lost to a syntax error is not "no clips": the syntax error says what is wrong
    syntax_error = any(x.is_error and x.code.startswith("SHOT1") for x in ctx.diags)
    if not tree.clips and not syntax_error:
        _no_clips(ctx, main)
    return CheckedStoryboard(
        path=main.path,
        title=tree.title.value if tree.title else None,
        source_hash=h.hexdigest(),
        syntax=tree,
        assets=d.assets,
        packages=d.packages,
        clips=tuple(clips),
        template=template,
        template_path=template_path,
        roots=ctx.roots,
        cast=cast,
    )


def _with_cast(
    ctx: _Ctx, clip: ResolvedClip, extras: DefaultsExtras, cast: dict[str, CastMember]
) -> ResolvedClip:
    """The clip with the defaults' packages and cast, its own `cast` lines and the
    members its shots name (:mod:`.cast`)."""
    mentioned = [
        (cast[ref.name], si.span)
        for shot in clip.shots
        for si in shot.items
        if (ref := _shot_name(si)) is not None and ref.name in cast
    ]
    roles, uses = list(clip.roles), list(clip.uses)
    members = bring_cast(ctx, clip.decl, extras, cast, mentioned, roles, uses)
    out = replace(clip, roles=tuple(roles), uses=tuple(uses), cast=members)
    return out


def _verbatim_notes(ctx: _Ctx, clips: list[ResolvedClip]) -> None:
    """SHOT217 on a text-only clip (sent verbatim, no constraint package) of a storyboard
    whose other clips get one: the difference is made visible.  (A `use` that failed to
    resolve is reported already: the note would only echo it.)"""
    if all(c.verbatim for c in clips):
        return  # e.g. the provider's example, copied as it is: nothing differs
    for clip in clips:
        if clip.verbatim and not any(isinstance(i, n.UsePackage) for i in clip.decl.items):
            ctx.note(
                "SHOT217",
                f"clip `{clip.name}` is text only: its text is sent verbatim, with no "
                "constraint package (the other clips get one)",
                clip.decl.name.span,
                help="add `use standard` (or `use` a package of yours, here or in `defaults`) "
                "to send it with the standard constraints (G8); leave it when the text is "
                "exactly the prompt you want",
            )


def _shot_name(si: n.ShotItem) -> n.Ident | None:
    """The bare name a shot item mentions (``subject mara``, ``say mara "..."``)."""
    if isinstance(si, n.ShotField) and isinstance(si.value, n.Ident):
        return si.value
    if isinstance(si, n.Dialogue) and isinstance(si.speaker, n.Ident):
        return si.speaker
    return None


def _resolve_use(ctx: _Ctx, item: n.UsePackage, packages: dict[str, Package]) -> ResolvedUse | None:
    pkg = packages.get(item.package.name)
    if pkg is None:
        ctx.error(
            "SHOT202",
            f"unknown package `{item.package.name}`"
            f"{did_you_mean(item.package.name, tuple(packages))}",
            item.package.span,
            help=f"the packages are: {', '.join(sorted(packages))}",
        )
        return None
    items = {i.name for i in (*pkg.keep, *pkg.avoid)}
    without: list[str] = []
    for w in item.without:
        if w.name not in items:
            ctx.error(
                "SHOT213",
                f"package `{pkg.name}` has no item `{w.name}`{did_you_mean(w.name, items)}",
                w.span,
                help=f"`{pkg.name}` has: {', '.join(sorted(items)) or 'no constraint items'}"
                + ("; quote a phrase of several words" if " " not in w.name else ""),
            )
            continue
        without.append(w.name)
    return ResolvedUse(pkg, tuple(without), item)


def _no_clips(ctx: _Ctx, main: _File) -> None:
    """SHOT011 on the top-level file: there is nothing to compile or render.  A library
    file (assets or packages, meant to be imported) gets a note (it is not a problem:
    `seedance check lib/*.shot` stays quiet), an empty one an error.  Imported files never get it (they are not the top-level file)."""
    tree = main.tree
    assert tree is not None
    library = any(isinstance(i, n.AssetDecl | n.PackageDecl | n.Import) for i in tree.items)
    span = n.Span(main.path, 1, 1, 1, 1)
    if library:
        ctx.note(
            "SHOT011",
            f"{main.path} declares no clips: it is a library, nothing to render",
            span,
            help='import it from a storyboard that has clips (`import "..."`), or add a clip',
        )
    else:
        ctx.error(
            "SHOT011",
            f"{main.path} declares no clips: there is nothing to compile or render",
            span,
            help='add a clip, e.g.  clip opening { shot { action "..." } }',
        )


def _package(decl: n.PackageDecl) -> Package:
    style: list[n.Text] = []
    keep: list[n.Ident] = []
    avoid: list[n.Ident] = []
    for it in decl.items:
        if isinstance(it, n.StyleItem):
            style.append(it.text)
        elif it.polarity == "keep":
            keep.extend(it.items)
        else:
            avoid.extend(it.items)
    return Package(decl.name.name, tuple(style), tuple(keep), tuple(avoid), False, decl)


def _resolve_clip(
    ctx: _Ctx,
    decl: n.ClipDecl,
    assets: dict[str, Asset],
    packages: dict[str, Package],
    clip_decls: dict[str, n.ClipDecl],
    defaults: dict[str, n.Setting],
    used_assets: set[str],
    cast: Mapping[str, CastMember] = _NO_CAST,
) -> ResolvedClip:
    name = decl.name.name
    own = _check_settings(
        ctx, (i for i in decl.items if isinstance(i, n.Setting)), f"clip `{name}`"
    )
    settings = {**defaults, **own}
    roles: list[ResolvedRole] = []
    uses: list[ResolvedUse] = []
    texts: list[n.ClipText] = []
    depends: list[str] = []
    single_seen: dict[str, n.RoleDecl] = {}

    def dep(c: str) -> None:
        if c not in depends:
            depends.append(c)

    for item in decl.items:
        if isinstance(item, n.RoleDecl):
            role = item.role
            if role in SINGLE_ROLES:
                if role in single_seen:
                    ctx.error(
                        "SHOT214",
                        f"clip `{name}` has {_ROLE_WORDS[role]} twice",
                        item.span,
                        labels=(Label(single_seen[role].span, "first given here"),),
                        help="a clip has at most one start frame, end frame, source and extension",
                    )
                    continue
                single_seen[role] = item
            src = _resolve_target(ctx, item, assets, clip_decls, name, used_assets)
            if src is None:
                continue
            if isinstance(src, ClipOutputRef):
                dep(src.clip)
            roles.append(ResolvedRole(role, src, item))
        elif isinstance(item, n.UsePackage):
            use = _resolve_use(ctx, item, packages)
            if use is not None:
                uses.append(use)
        elif isinstance(item, n.ClipText):
            texts.append(item)
        elif isinstance(item, n.Shot):
            for si in item.items:
                ref = _shot_name(si)
                if ref is None or ref.name in cast:
                    continue  # a cast member: brought in by _with_cast
                if ref.name in assets:
                    used_assets.add(ref.name)
                else:
                    ctx.error(
                        "SHOT201",
                        f"unknown asset `{ref.name}`{did_you_mean(ref.name, tuple(assets))}",
                        ref.span,
                        help='for prose, put it in double quotes: subject "an old man"',
                    )

    # shots must fit in the clip
    shots = decl.shots
    total = sum(s.duration.millis for s in shots if s.duration is not None)
    dur = settings.get("duration")
    if dur is not None and total:
        clip_ms = duration_millis(dur.value.text) or 0
        if total > clip_ms:
            ctx.error(
                "SHOT215",
                f"the shots of clip `{name}` last {total / 1000:g}s, longer than the clip ({dur.value.text})",
                decl.name.span,
                labels=(Label(dur.span, "the clip's duration"),),
                help="shorten the shots or lengthen the clip",
            )
    return ResolvedClip(
        name=name,
        decl=decl,
        settings=settings,
        roles=tuple(roles),
        uses=tuple(uses),
        shots=shots,
        texts=tuple(texts),
        depends_on=tuple(depends),
    )


def _resolve_target(
    ctx: _Ctx,
    item: n.RoleDecl,
    assets: dict[str, Asset],
    clip_decls: dict[str, n.ClipDecl],
    clip_name: str,
    used_assets: set[str],
) -> Asset | ClipOutputRef | None:
    role = item.role
    target = item.target
    wanted = ROLE_KINDS[role]
    if isinstance(target, n.ClipOutput):
        cname = target.clip.name
        if cname not in clip_decls:
            ctx.error(
                "SHOT203",
                f"unknown clip `{cname}`{did_you_mean(cname, tuple(clip_decls))}",
                target.clip.span,
                help="`NAME.last_frame` and `NAME.video` name a clip of this storyboard",
            )
            return None
        kind = "image" if target.output == "last_frame" else "video"
        if kind not in wanted:
            better = ".video" if target.output == "last_frame" else ".last_frame"
            ctx.error(
                "SHOT207",
                f"`{cname}.{target.output}` is {_asset_kind_word(kind)}, but {_ROLE_WORDS[role]} "
                f"must be {' or '.join(_asset_kind_word(k) for k in wanted)}",
                target.span,
                help=f"use `{cname}{better}`",
            )
            return None
        return ClipOutputRef(cname, target.output, target.span)
    name = target.name
    if role == "extension" and name in clip_decls:
        return ClipOutputRef(name, "video", target.span)
    asset = assets.get(name)
    if asset is None:
        if name in clip_decls:
            ctx.error(
                "SHOT207",
                f"`{name}` is a clip; say which of its outputs to use",
                target.span,
                help=f"use `{name}.last_frame` (an image) or `{name}.video`",
            )
            return None
        candidates = tuple(assets) + (tuple(clip_decls) if role == "extension" else ())
        what = "clip or asset" if role == "extension" else "asset"
        ctx.error(
            "SHOT201",
            f"unknown {what} `{name}`{did_you_mean(name, candidates)}",
            target.span,
            help='declare it first: asset NAME image "https://..."',
        )
        return None
    used_assets.add(name)
    if asset.kind not in wanted:
        ctx.error(
            "SHOT207",
            f"`{name}` is {_asset_kind_word(asset.kind)}, but {_ROLE_WORDS[role]} must be "
            f"{' or '.join(_asset_kind_word(k) for k in wanted)}",
            target.span,
            labels=(
                Label(
                    asset.decl.name.span,
                    f"`{name}` is declared as {_asset_kind_word(asset.kind)} here",
                ),
            ),
        )
        return None
    return asset


def _check_cycles(ctx: _Ctx, clips: list[ResolvedClip]) -> None:
    deps = {c.name: c.depends_on for c in clips}
    by_name = {c.name: c for c in clips}
    state: dict[str, int] = {}  # 1 visiting, 2 done
    reported: set[frozenset[str]] = set()

    def visit(start: str) -> None:
        # iterative DFS keeping the path
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = []
        while stack:
            node, i = stack.pop()
            if i == 0:
                if state.get(node) == 2:
                    continue
                state[node] = 1
                path.append(node)
            children = [d for d in deps.get(node, ()) if d in deps]
            if i < len(children):
                stack.append((node, i + 1))
                child = children[i]
                if state.get(child) == 1:
                    cycle = path[path.index(child) :]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        first = by_name[cycle[0]]
                        chain = " → ".join([*cycle, cycle[0]])
                        span = next(
                            (
                                r.source.span
                                for r in by_name[cycle[-1]].roles
                                if isinstance(r.source, ClipOutputRef) and r.source.clip == cycle[0]
                            ),
                            first.decl.name.span,
                        )
                        ctx.error(
                            "SHOT205",
                            f"clips depend on each other in a cycle: {chain}",
                            span,
                            help="a clip can only use outputs of clips that do not need its own output",
                        )
                elif state.get(child) != 2:
                    stack.append((child, 0))
            else:
                state[node] = 2
                path.pop()

    for c in clips:
        if state.get(c.name) != 2:
            visit(c.name)


# ---------------------------------------------------------------------------- API


def _check(
    data: bytes | None, text: str, path: str, roots: Iterable[str | Path] | None
) -> CheckResult:
    ctx = _Ctx(roots=project_roots(path, roots))
    ctx.sources[str(path)] = text
    if data is None:
        data = text.encode("utf-8", "surrogatepass")
    ctx.hash_parts.append(data)
    tree, diags = parse_text(text, str(path), partial=True)
    ctx.diags.extend(diags)
    main = _File(path, _key(path), text, data, tree)
    ctx.files[main.key] = main
    model: CheckedStoryboard | None = None
    if tree is not None:
        imported = _load_imports(ctx, main, [main.key])
        model = _resolve(ctx, main, imported)
    diags_sorted = _sorted(ctx.diags, str(path))
    return CheckResult(model, tuple(diags_sorted), dict(ctx.sources))


def _sorted(diags: list[Diagnostic], main: str) -> list[Diagnostic]:
    def key(d: Diagnostic) -> tuple[int, str, int]:
        if d.span is None:
            return (0, "", 0)
        return (0 if d.span.file == main else 1, d.span.file, d.span.start_pos)

    return sorted(diags, key=key)


def resolve_text(
    text: str, path: str | Path = "<text>", *, roots: Iterable[str | Path] | None = None
) -> CheckResult:
    """Parse and resolve ``.shot`` text (names, imports, values) — without the API and
    prompt rules that :func:`check_text` adds.  The compiler starts from this."""
    with no_gc():  # linear time: see syntax.parser.no_gc
        return _check(None, text, os.fspath(path), roots)


def resolve_file(path: str | Path, *, roots: Iterable[str | Path] | None = None) -> CheckResult:
    """Read, parse and resolve a ``.shot`` file and its imports (see :func:`resolve_text`)."""
    p = os.fspath(path)
    data, diags = read_bytes(p)
    if data is None:
        return CheckResult(None, tuple(diags), {})
    text, diags = decode(data, str(p))
    if text is None:
        return CheckResult(None, tuple(diags), {})
    with no_gc():  # linear time: see syntax.parser.no_gc
        return _check(data, text, p, roots)


def _complete(result: CheckResult) -> CheckResult:
    from ..compiler import with_rules_check

    with no_gc():
        return with_rules_check(result)


def check_text(
    text: str, path: str | Path = "<text>", *, roots: Iterable[str | Path] | None = None
) -> CheckResult:
    """Check ``.shot`` text as ``seedance check`` does; imports are read relative to
    ``path``'s directory.  See :func:`check_file`."""
    return _complete(resolve_text(text, path, roots=roots))


def check_file(path: str | Path, *, roots: Iterable[str | Path] | None = None) -> CheckResult:
    """Read and check a ``.shot`` file and its imports, exactly as ``seedance check``
    does: syntax, names and values, the API and prompt rules (SHOT3xx/4xx) and, when the
    storyboard names a template, the template (SHOT5xx).  Never raises for bad input;
    ``.ok`` is False exactly when ``seedance check`` fails.

    ``import`` and ``template`` may read only inside the file's directory tree and
    ``roots`` (default: the directories of ``$SEEDANCE_ROOTS``)."""
    return _complete(resolve_file(path, roots=roots))
