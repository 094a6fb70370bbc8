"""The typed syntax tree of a ``.shot`` file.

Frozen dataclasses; every node carries the :class:`Span` it was parsed from.  The tree
is what the parser produces and what the formatter prints; names are not resolved here
(that is :mod:`seedance_dsl.check`).  Equality ignores spans (``compare=False``), so
``parse(fmt(x)) == parse(x)`` can be asserted directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias


@dataclass(frozen=True, slots=True)
class Span:
    """A region of one source file.  Lines and columns are 1-based; ``end_*`` is exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    start_pos: int = 0  # character offsets into the source text
    end_pos: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


#: A span for nodes made by code (built-ins, tests) rather than parsed.
NO_SPAN = Span("<builtin>", 0, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class Ident:
    name: str
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Text:
    """A string literal (single- or multi-line), already unescaped and dedented."""

    value: str
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Duration:
    """A duration like ``5s`` or ``1.5s``, held in milliseconds so sums are exact."""

    millis: int
    span: Span = field(default=NO_SPAN, compare=False, repr=False)

    @property
    def seconds(self) -> float:
        return self.millis / 1000


@dataclass(frozen=True, slots=True)
class Comment:
    """A ``// ...`` comment, kept so the formatter can put it back."""

    text: str  # without the leading "//", not stripped
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


# ---------------------------------------------------------------------------- settings

#: The keys of ``defaults { ... }`` and of per-clip settings, and the API field each sets.
SETTING_KEYS: dict[str, str] = {
    "mode": "mode",
    "tier": "quality_tier",
    "channel": "channel",
    "aspect": "aspect_ratio",
    "duration": "duration",
    "resolution": "resolution",
    "audio": "generate_audio",
    "lens": "fixed_lens",  # `lens fixed` / `lens free`
    "seed": "seed",
}

SettingValueKind = Literal["word", "number", "duration", "ratio", "switch", "text"]


@dataclass(frozen=True, slots=True)
class SettingValue:
    """The value of a setting, as written.  ``kind`` says which token it was."""

    text: str  # the source text: "16:9", "720p", "on", "42", "5s", "text-to-video"
    kind: SettingValueKind
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Setting:
    key: Ident  # one of SETTING_KEYS (the checker reports any other)
    value: SettingValue
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


# ---------------------------------------------------------------------------- top level


@dataclass(frozen=True, slots=True)
class Import:
    path: Text  # relative to the importing file
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Defaults:
    """``defaults { ... }``: settings, and ``use`` / ``cast`` lines, for every clip (a clip
    drops one of the latter with ``omit NAME``)."""

    settings: tuple[Setting, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)
    uses: tuple[UsePackage, ...] = ()
    cast: tuple[CastUse, ...] = ()


AssetKind = Literal["image", "video"]


@dataclass(frozen=True, slots=True)
class AssetDecl:
    name: Ident
    kind: AssetKind
    url: Text
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class StyleItem:
    """``style "35mm film, cold teal palette"`` inside a package."""

    text: Text
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ConstraintItem:
    """``keep stable faces, natural motion`` or ``avoid watermark, logo``.

    Each item is a phrase of one or more words (``stable faces``), normalised to single
    spaces, lower case.
    """

    polarity: Literal["keep", "avoid"]
    items: tuple[Ident, ...]  # Ident.name is the phrase, e.g. "stable faces"
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


PackageItem: TypeAlias = StyleItem | ConstraintItem


@dataclass(frozen=True, slots=True)
class PackageDecl:
    name: Ident
    items: tuple[PackageItem, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


MemberKind = Literal["character", "product"]


@dataclass(frozen=True, slots=True)
class MemberDecl:
    """``character mara { ref mara_photo  look "..." }`` or ``product halo { ... }``: a
    member of the cast, declared once (its image references and a description in words)."""

    kind: MemberKind
    name: Ident
    #: image assets, in order: a name (``mara_face``) or, inline, a URL or local path
    #: (``"refs/mara.png"``: an image asset declared implicitly, named after the member)
    refs: tuple[Ident | Text, ...]
    look: Text | None
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CastUse:
    """``cast mara, halo``: members of the cast a clip (or ``defaults``) brings in."""

    names: tuple[Ident, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Omit:
    """``omit neon, halo``: a clip drops a package or cast member its ``defaults`` give."""

    names: tuple[Ident, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TemplateDecl:
    """``template "house.j2"``: a house prompt template, relative to this file."""

    path: Text
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


# ---------------------------------------------------------------------------- clips

ClipOutputKind = Literal["last_frame", "video"]


@dataclass(frozen=True, slots=True)
class ClipOutput:
    """``arrival.last_frame`` or ``arrival.video``: an output of an earlier clip."""

    clip: Ident
    output: ClipOutputKind
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


#: What a role points at: a declared asset (by name) or a clip's output.  For
#: ``extend X`` a bare name may name a clip (its video) or a video asset.
AssetRef: TypeAlias = Ident | ClipOutput

Role = Literal[
    "start", "end", "character", "product", "motion", "camera", "style", "source", "extension"
]
ROLES: tuple[Role, ...] = (
    "start",
    "end",
    "character",
    "product",
    "motion",
    "camera",
    "style",
    "source",
    "extension",
)


@dataclass(frozen=True, slots=True)
class RoleDecl:
    """``start station``, ``end x``, ``ref conductor as character``, ``source take1``,
    ``extend arrival``."""

    role: Role
    target: AssetRef
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class UsePackage:
    """``use cinematic`` or ``use standard without subtitles, logo``."""

    package: Ident
    without: tuple[Ident, ...] = ()
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


ShotFieldKey = Literal["subject", "action", "scene", "camera", "style", "light", "text"]
SHOT_FIELD_KEYS: tuple[ShotFieldKey, ...] = (
    "subject",
    "action",
    "scene",
    "camera",
    "style",
    "light",
    "text",
)


@dataclass(frozen=True, slots=True)
class ShotField:
    """A director field of a shot.  The value is prose, or a bare name of an asset
    (``subject conductor``) that the compiler describes by its role."""

    key: ShotFieldKey
    value: Text | Ident
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Dialogue:
    """``say conductor "We're late."``: a spoken line (S4).  The speaker is an asset
    name (a character reference) or prose (``say "the old man" "..."``)."""

    speaker: Ident | Text
    line: Text
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


ShotItem: TypeAlias = ShotField | Dialogue


@dataclass(frozen=True, slots=True)
class Shot:
    duration: Duration | None
    items: tuple[ShotItem, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ClipText:
    """Free prose at clip level: ``text "..."`` (applies to the whole clip)."""

    text: Text
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


ClipItem: TypeAlias = Setting | RoleDecl | UsePackage | CastUse | Omit | Shot | ClipText


@dataclass(frozen=True, slots=True)
class ClipDecl:
    name: Ident
    items: tuple[ClipItem, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)

    @property
    def shots(self) -> tuple[Shot, ...]:
        return tuple(i for i in self.items if isinstance(i, Shot))


@dataclass(frozen=True, slots=True)
class Trim:
    """``trim 0.5s..4s``: the part of a clip the cut keeps (``start`` to ``end``)."""

    start: Duration
    end: Duration
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CutEntry:
    """One clip of the final cut: ``glow trim 0.5s..4s fade 0.5s``."""

    clip: Ident
    trim: Trim | None = None
    fade: Duration | None = None  # a crossfade from the clip before into this one
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CutDecl:
    """``cut { ... }``: the order of the final cut (clips may be left out)."""

    entries: tuple[CutEntry, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


TopItem: TypeAlias = (
    Import | Defaults | AssetDecl | PackageDecl | MemberDecl | TemplateDecl | ClipDecl | CutDecl
)


@dataclass(frozen=True, slots=True)
class Storyboard:
    """One parsed ``.shot`` file.  ``title`` is ``None`` for a library file that only
    declares packages and assets for others to import."""

    title: Text | None
    items: tuple[TopItem, ...]
    comments: tuple[Comment, ...] = field(default=(), compare=False)
    span: Span = field(default=NO_SPAN, compare=False, repr=False)

    @property
    def clips(self) -> tuple[ClipDecl, ...]:
        return tuple(i for i in self.items if isinstance(i, ClipDecl))
