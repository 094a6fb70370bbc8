"""The checked storyboard: names resolved, imports merged, defaults applied.

This is what :func:`seedance_dsl.check.check_file` produces and what the compiler
reads.  Every value keeps a reference to the syntax node (and so the span) it came
from, so later stages can report at the right ``.shot`` line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..syntax import nodes
from ..syntax.diagnostics import Diagnostic, has_errors
from ..syntax.nodes import Span

if TYPE_CHECKING:
    from ..assets.model import LocalAsset


@dataclass(frozen=True, slots=True)
class Asset:
    name: str
    kind: nodes.AssetKind
    url: str  # a URL, or a path relative to the declaring file (a local asset)
    decl: nodes.AssetDecl  # in whichever file declared it (may be an import)
    #: a local file that passed ``inspect_local`` (None for a URL, or a file with a problem)
    local: LocalAsset | None = None

    @property
    def is_local(self) -> bool:
        """Written as a path, not a URL: uploaded (or served by the sandbox) at render."""
        from ..assets.model import is_local_path

        return is_local_path(self.url)


@dataclass(frozen=True, slots=True)
class Package:
    name: str
    style: tuple[nodes.Text, ...]
    keep: tuple[nodes.Ident, ...]  # positive constraints: "stable faces", ...
    avoid: tuple[nodes.Ident, ...]  # negative constraints: "watermark", ...
    builtin: bool
    decl: nodes.PackageDecl | None  # None for the built-in package


@dataclass(frozen=True, slots=True)
class ClipOutputRef:
    """A dependency on another clip's output (``arrival.last_frame``)."""

    clip: str
    output: nodes.ClipOutputKind
    span: Span


@dataclass(frozen=True, slots=True)
class CastMember:
    """A ``character`` or ``product`` declaration, its references resolved."""

    name: str
    kind: nodes.MemberKind
    refs: tuple[Asset, ...]  # image assets, in the declaration's order
    look: str | None  # the description in words, said once in each clip's prompt
    decl: nodes.MemberDecl


@dataclass(frozen=True, slots=True)
class ResolvedRole:
    role: nodes.Role
    source: Asset | ClipOutputRef
    decl: nodes.RoleDecl  # for a cast member's reference: the line that brought it
    member: str | None = None  # the cast member this reference belongs to


@dataclass(frozen=True, slots=True)
class ResolvedUse:
    package: Package
    without: tuple[str, ...]  # items switched off deliberately (G8 "unless intended")
    decl: nodes.UsePackage


@dataclass(frozen=True, slots=True)
class ResolvedClip:
    name: str
    decl: nodes.ClipDecl
    #: Effective settings by key of ``nodes.SETTING_KEYS``: the clip's own, else the
    #: storyboard's ``defaults`` (the Setting node says which, through its span).
    settings: Mapping[str, nodes.Setting]
    roles: tuple[ResolvedRole, ...]
    uses: tuple[ResolvedUse, ...]
    shots: tuple[nodes.Shot, ...]
    texts: tuple[nodes.ClipText, ...]
    depends_on: tuple[str, ...]  # names of clips whose outputs this clip needs
    #: The cast members the clip brings (from ``defaults``, its ``cast`` lines and the
    #: names its shots mention), in that order; their references are in ``roles``.
    cast: tuple[CastMember, ...] = ()

    @property
    def span(self) -> Span:
        return self.decl.span

    @property
    def verbatim(self) -> bool:
        """A clip written as plain prose is sent as written: no ``use``, at most one shot,
        and that shot has only ``text`` fields (docs/compiler.md, "raw prompts"); it gets
        no constraint package (SHOT217 says so)."""
        if self.uses or len(self.shots) > 1:
            return False
        return all(
            isinstance(item, nodes.ShotField) and item.key == "text"
            for shot in self.shots
            for item in shot.items
        )


@dataclass(frozen=True, slots=True)
class CheckedStoryboard:
    path: str
    title: str | None
    source_hash: str  # sha256 of the main file's bytes (and of every import, in order)
    syntax: nodes.Storyboard
    assets: Mapping[str, Asset]
    packages: Mapping[str, Package]  # includes the built-in "standard"
    clips: tuple[ResolvedClip, ...]  # in file order
    template: nodes.TemplateDecl | None = None
    template_path: str | None = None  # resolved relative to the declaring file
    #: The directories ``import`` and ``template`` may read (the top-level file's
    #: directory first, then the extra roots); the template's includes are held to them.
    roots: tuple[str, ...] = ()
    #: The cast (``character`` and ``product`` declarations, imports included) by name.
    cast: Mapping[str, CastMember] = field(default_factory=dict)

    def clip(self, name: str) -> ResolvedClip:
        for c in self.clips:
            if c.name == name:
                return c
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Everything ``check`` learned: the model (None when parsing failed), the
    diagnostics of every file, and the source text of every file read (for snippets)."""

    storyboard: CheckedStoryboard | None
    diagnostics: tuple[Diagnostic, ...]
    sources: Mapping[str, str] = field(default_factory=dict)
    #: True once the API, prompt and template rules ran (``check_file`` does; the
    #: compiler's ``resolve_file`` does not): running them again adds nothing.
    rules_checked: bool = field(default=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.storyboard is not None and not has_errors(self.diagnostics)
