"""Everything the compiler decides without rendering text: the cheap half.

For each clip of a :class:`~seedance_dsl.check.model.CheckedStoryboard` this module
works out the payload fields and where each came from (the source map), the asset
mapping (G2) and the reference phrases (G3, S3), the mode, the duration and shot
timecodes, the style and constraint packages, and the *template context*: the plain
data a prompt template renders (typed: :mod:`.context`).  The payload fields are kept
in ONE field-source map (:class:`FieldSource`: value, span, origin per field).  It also
runs every API rule (:mod:`..api.rules`) on the payload, and the checker's prose lints
(G4, S1, S4: :mod:`seedance_dsl.check.prose`) on the clip, as diagnostics at ``.shot``
spans.

Neither jinja2 nor pydantic is imported here: :func:`rules_check` (used by
``seedance check``) runs this module alone.  Rendering the prompt is
:mod:`.prompt`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal, cast

from ..api.rules import BODY_FIELDS, RuleProblem, body_problems
from ..api.spec import CONTRACT
from ..check.model import (
    Asset,
    CheckedStoryboard,
    CheckResult,
    ClipOutputRef,
    Package,
    ResolvedClip,
    ResolvedRole,
)
from ..check.prose import (
    asset_name_pattern,
    clip_prose_diagnostics,
    prompt_problems,
)
from ..check.settings import DSL_KEY, SETTINGS
from ..syntax import nodes
from ..syntax.diagnostics import Diagnostic, Label
from ..syntax.diagnostics import diagnostic as _diag
from ..syntax.nodes import Span
from .codes import RULE_CODES
from .model import InputSlot, Reference, local_placeholder, placeholder

if TYPE_CHECKING:  # the types only: building them at import costs `seedance check` ~2 ms
    from .context import DialogueContext, ShotContext, TemplateContext

__all__ = [
    "MEDIA_ROLE_ORDER",
    "ClipPlan",
    "FieldSource",
    "Reference",
    "asset_name_pattern",
    "plan_clip",
    "prompt_problems",
    "rules_check",
    "with_rules_check",
]

#: The order of ``media_urls``: by role in this order, then in the clip's order.
MEDIA_ROLE_ORDER: tuple[nodes.Role, ...] = (
    "source",
    "extension",
    "character",
    "product",
    "motion",
    "camera",
    "style",
)


EDIT_SENTENCE = "Strictly edit the supplied source video"  # G5
EXTENSION_SENTENCE = "Continue from the supplied previous clip"  # G6

Kind = Literal["image", "video"]


# The classes of this module are plain classes, not dataclasses: a dataclass costs about
# a millisecond to create at import time, and `seedance check` imports this module.


class FieldSource:
    """One entry of a clip's field-source map: the value a field is sent with, the span
    of the ``.shot`` source that produced it, and where the value came from
    (:attr:`CompiledClip.origins <seedance_dsl.compiler.model.CompiledClip.origins>`;
    ``None`` for the ``media_urls`` list, whose entries each have their own)."""

    __slots__ = ("origin", "span", "value")

    def __init__(self, value: Any, span: Span, origin: str | None) -> None:
        self.value = value
        self.span = span
        self.origin = origin

    def __repr__(self) -> str:
        return f"FieldSource({self.value!r}, {self.span!r}, {self.origin!r})"


#: The payload fields a plan holds a value for (the prompt is rendered later).
_PLANNED_FIELDS = frozenset(BODY_FIELDS) - {"prompt"}


class ClipPlan:
    """What :func:`plan_clip` found out about one clip (everything but the prompt).

    ``sources`` is the ONE field-source map: payload field path (``"resolution"``,
    ``"media_urls"``, ``"media_urls[1]"``, ``"prompt"``) -> :class:`FieldSource`.
    ``fields``, ``source_map`` and ``origins`` are views of it."""

    __slots__ = ("clip", "context", "depends_on", "diagnostics", "references", "slots", "sources")

    def __init__(
        self,
        clip: ResolvedClip,
        sources: dict[str, FieldSource],
        references: list[Reference],
        slots: list[InputSlot],
        depends_on: tuple[str, ...],
        context: TemplateContext,
        diagnostics: list[Diagnostic],
    ) -> None:
        self.clip = clip
        self.sources = sources
        self.references = references
        self.slots = slots
        self.depends_on = depends_on
        self.context = context  # the template context (docs/compiler.md)
        self.diagnostics = diagnostics

    @property
    def fields(self) -> dict[str, Any]:
        """The payload fields except the prompt."""
        return {k: f.value for k, f in self.sources.items() if k in _PLANNED_FIELDS}

    @property
    def source_map(self) -> dict[str, Span]:
        """Payload field path -> the span that produced it."""
        return {k: f.span for k, f in self.sources.items()}

    @property
    def origins(self) -> dict[str, str]:
        """Payload field path -> where its value came from."""
        return {k: f.origin for k, f in self.sources.items() if f.origin is not None}

    def payload(self, prompt: str) -> dict[str, Any]:
        """The request body, fields in the documented order, with ``prompt`` in place."""
        src = self.sources
        return {
            k: prompt if k == "prompt" else src[k].value
            for k in BODY_FIELDS
            if k == "prompt" or k in src
        }


# --------------------------------------------------------------------- helpers


def _seconds_text(millis: int) -> str:
    """3000 -> "3", 1500 -> "1.5"."""
    if millis % 1000 == 0:
        return str(millis // 1000)
    return f"{millis / 1000:.3f}".rstrip("0").rstrip(".")


def _one_line(text: str) -> str:
    """Prose of a director field on one line: runs of whitespace become one space."""
    return " ".join(text.split())


def _kind_of(source: Asset | ClipOutputRef) -> Kind:
    if isinstance(source, Asset):
        return source.kind
    return "image" if source.output == "last_frame" else "video"


def _name_of(source: Asset | ClipOutputRef) -> str:
    if isinstance(source, Asset):
        return source.name
    return f"{source.clip}.{source.output}"


_ROLE_NEEDS: dict[str, Kind] = {
    "start": "image",
    "end": "image",
    "motion": "video",
    "camera": "video",
    "source": "video",
    "extension": "video",
}


def _phrase(role: nodes.Role, kind: Kind, position: int | None) -> str:
    """How the prompt names a supplied asset (S3): by kind and position, never by name."""
    if role == "start":
        return "the supplied start frame"
    if role == "end":
        return "the supplied end frame"
    ref = f"reference {kind} {position}"
    return {
        "character": f"the character in {ref}",
        "product": f"the product in {ref}",
        "motion": f"the movement of the subject in {ref}",
        "camera": f"the camera movement of {ref}",
        "style": f"the visual style of {ref}",
        "source": f"the source video ({ref})",
        "extension": f"the previous clip ({ref})",
    }[role]


def _sentence(role: nodes.Role, kind: Kind, position: int | None) -> str:
    """What the prompt says about each supplied asset (G3, G5, G6; docs/language.md,
    "How references are worded")."""
    ref = f"reference {kind} {position}"
    return {
        "start": "Open on the supplied start frame.",
        "end": "End on the supplied end frame.",
        "character": f"The character in {ref} is a main character; keep their appearance "
        "consistent.",
        "product": f"The product in {ref} keeps its exact shape, colour and markings.",
        "motion": f"Follow the movement of the subject in {ref} (its choreography and timing).",
        "camera": f"Follow the camera movement of {ref}.",
        "style": f"Match the visual style of {ref}.",
        "source": f"{EDIT_SENTENCE} ({ref}).",
        "extension": f"{EXTENSION_SENTENCE} ({ref}).",
    }[role]


# ----------------------------------------------------------------- settings


class _Settings:
    __slots__ = ("diagnostics", "own", "spans", "values")

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}  # API field -> wire value
        self.spans: dict[str, Span] = {}
        self.own: dict[str, bool] = {}
        self.diagnostics: list[Diagnostic] = []


def _convert_settings(clip: ResolvedClip) -> _Settings:
    """The clip's settings as API values, parsed by the settings table (the same rule
    of the language as the checker's: :mod:`seedance_dsl.check.settings`)."""
    out = _Settings()
    own = {id(item) for item in clip.decl.items} if clip.settings else set()
    for key, setting in clip.settings.items():
        spec = SETTINGS.get(key)
        if spec is None:
            continue  # unknown keys are the checker's to report
        text = setting.value.text
        value = spec.parse(text)  # a duration in milliseconds: made whole/validated later
        if value is None:
            bad = spec.expects
            out.diagnostics.append(
                _diag(
                    "SHOT322",
                    f"`{key} {text}`: {key} takes {bad}",
                    setting.value.span,
                    help=f"write `{key} <{bad}>`",
                )
            )
            continue
        out.values[spec.field] = value
        out.spans[spec.field] = setting.span
        out.own[spec.field] = id(setting) in own  # set in the clip, not in `defaults`
    return out


# ----------------------------------------------------------------- roles


def _references(
    clip: ResolvedClip, diags: list[Diagnostic]
) -> tuple[list[Reference], list[InputSlot]]:
    frames: dict[str, ResolvedRole] = {}
    media: list[ResolvedRole] = []
    for r in clip.roles:
        kind = _kind_of(r.source)
        need = _ROLE_NEEDS.get(r.role)
        if need is not None and kind != need:
            diags.append(
                _diag(
                    "SHOT326",
                    f"`{_name_of(r.source)}` is {'an' if kind == 'image' else 'a'} {kind}, "
                    f"but a {r.role} {'frame' if r.role in ('start', 'end') else 'reference'} "
                    f"must be {'an' if need == 'image' else 'a'} {need}",
                    r.decl.span,
                    help=f"use {'an' if need == 'image' else 'a'} {need} asset"
                    + (" or `clip.last_frame`" if need == "image" else " or `clip.video`"),
                )
            )
        if r.role in ("start", "end"):
            if r.role in frames:
                first = frames[r.role]
                diags.append(
                    _diag(
                        "SHOT328",
                        f"clip `{clip.name}` has two {r.role} frames",
                        r.decl.span,
                        labels=[Label(first.decl.span, f"first {r.role} frame")],
                        help=f"keep one `{r.role}`",
                    )
                )
                continue
            frames[r.role] = r
        else:
            media.append(r)
    media.sort(key=lambda r: MEDIA_ROLE_ORDER.index(r.role))  # stable: clip order within

    refs: list[Reference] = []
    slots: list[InputSlot] = []

    def add(r: ResolvedRole, fld: str, index: int | None, position: int | None) -> None:
        kind = _kind_of(r.source)
        out = r.source if isinstance(r.source, ClipOutputRef) else None
        if out is not None:
            url = placeholder(out.clip, out.output)
            slot_field: Literal["image_url", "end_image_url", "media_urls"]
            slot_field = "media_urls" if index is not None else fld  # type: ignore[assignment]
            slots.append(InputSlot(slot_field, index, out.clip, out.output))
        else:
            assert isinstance(r.source, Asset)
            url = r.source.url
        ref = Reference(
            role=r.role,
            kind=kind,
            field=fld,
            position=position,
            phrase=_phrase(r.role, kind, position),
            sentence=_sentence(r.role, kind, position),
            url=url,
            name=_name_of(r.source),
            span=r.decl.span,
            output=out,
            url_span=r.source.decl.url.span if isinstance(r.source, Asset) else None,
            member=r.member,
        )
        refs.append(_localised(ref, r.source))

    if "start" in frames:
        add(frames["start"], "image_url", None, None)
    if "end" in frames:
        add(frames["end"], "end_image_url", None, None)
    counts = {"image": 0, "video": 0}
    for i, r in enumerate(media):
        kind = _kind_of(r.source)
        counts[kind] += 1
        add(r, f"media_urls[{i}]", i, counts[kind])
    _cast_wording(clip, refs)
    return refs, slots


def _positions(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return str(numbers[0])
    return ", ".join(str(x) for x in numbers[:-1]) + f" and {numbers[-1]}"


def _cast_wording(clip: ResolvedClip, refs: list[Reference]) -> None:
    """A cast member is named once for all its references ("the character in reference
    images 1 and 2") and described once, in the sentence of its first reference; the
    sentences of its other references are empty (the template skips them)."""
    if not clip.cast:
        return
    looks = {m.name: m.look for m in clip.cast}
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(refs):
        if r.member is not None:
            groups.setdefault(r.member, []).append(i)
    for member, indexes in groups.items():
        first = refs[indexes[0]]
        kind, role = first.kind, first.role
        where = f"reference {kind}{'s' if len(indexes) > 1 else ''} " + _positions(
            [refs[i].position or 0 for i in indexes]
        )
        look = looks.get(member)
        if role == "product":
            phrase = f"the product in {where}"
            sentence = (
                f"The product in {where} is {_one_line(look).rstrip('.')}; keep its shape, "
                "colour and markings exactly."
                if look
                else f"The product in {where} keeps its exact shape, colour and markings."
            )
        else:
            phrase = f"the character in {where}"
            sentence = (
                f"The character in {where} is a main character, {_one_line(look).rstrip('.')}; "
                "keep their appearance consistent."
                if look
                else f"The character in {where} is a main character; keep their appearance "
                "consistent."
            )
        for n_, i in enumerate(indexes):
            refs[i] = replace(refs[i], phrase=phrase, sentence=sentence if n_ == 0 else "")


def _localised(ref: Reference, source: Asset | ClipOutputRef) -> Reference:
    """A reference to a local file gets its placeholder, path and hash (filled at render)."""
    if not isinstance(source, Asset) or not source.is_local:
        return ref
    sha = source.local.sha256 if source.local is not None else None
    url = local_placeholder(source.name, source.url)
    return replace(ref, url=url, local_path=source.url, local_sha256=sha, local_file=source.local)


# ----------------------------------------------------------------- mode


def _mode(
    clip: ResolvedClip, st: _Settings, refs: list[Reference], diags: list[Diagnostic]
) -> tuple[str, Span]:
    has_start = any(r.role == "start" for r in refs)
    has_end = any(r.role == "end" for r in refs)
    media = [r for r in refs if r.field.startswith("media_urls")]
    explicit = st.values.get("mode")
    if explicit is not None:
        span = st.spans["mode"]
        if explicit == "text-to-video" and refs:
            diags.append(
                _diag(
                    "SHOT324",
                    f"`mode text-to-video` sends no assets, but clip `{clip.name}` supplies "
                    f"{len(refs)}",
                    span,
                    labels=[Label(r.span, f"{r.role} → {r.field}") for r in refs],
                    help="remove `mode text-to-video` to infer the mode, or remove the assets",
                )
            )
        return str(explicit), span
    if has_start and media:
        start = next(r for r in refs if r.role == "start")
        diags.append(
            _diag(
                "SHOT323",
                f"clip `{clip.name}` has a start frame and references: say which mode "
                "the API should use",
                start.span,
                labels=[Label(r.span, f"→ {r.field}") for r in media],
                help="add `mode image-to-video` or `mode media-to-video` to the clip",
            )
        )
        return "media-to-video", clip.decl.name.span
    if media:
        return "media-to-video", media[0].span
    if has_start:
        return "image-to-video", next(r.span for r in refs if r.role == "start")
    if has_end:
        end = next(r for r in refs if r.role == "end")
        diags.append(
            _diag(
                "SHOT325",
                f"clip `{clip.name}` has an end frame but no start frame",
                end.span,
                help="add `start <image asset>`, or set the mode explicitly",
            )
        )
        return "image-to-video", end.span
    return str(CONTRACT.defaults["mode"]), clip.decl.name.span


# ----------------------------------------------------------------- durations


class _Timing:
    __slots__ = ("origin", "seconds", "shot_times", "span")

    def __init__(
        self,
        seconds: float,
        span: Span,
        shot_times: list[tuple[int, int] | None],
        origin: str,
    ) -> None:
        self.seconds = seconds  # the clip duration (int when whole)
        self.span = span
        self.shot_times = shot_times  # (start ms, end ms) per shot
        self.origin = origin  # "set", "defaults", "shots" or "default"


def _sum_mismatch(
    clip: ResolvedClip, known: list[int], clip_ms: int, span: Span, own: bool
) -> Diagnostic:
    """SHOT320: every shot has a duration, and they do not add up to the clip's."""
    total = sum(known)
    return _diag(
        "SHOT320",
        f"the shots of clip `{clip.name}` last {_seconds_text(total)} s, but the "
        f"clip's duration is {_seconds_text(clip_ms)} s",
        span,
        labels=[
            Label(s.duration.span if s.duration else s.span, f"{_seconds_text(d)} s")
            for s, d in zip(clip.shots, known, strict=True)
        ],
        help=f"make the shots add up to {_seconds_text(clip_ms)} s, or "
        + (
            f"remove the clip's `duration` (it defaults to the sum, {_seconds_text(total)} s)"
            if own
            else f"give the clip `duration {_seconds_text(total)}s`"
        ),
    )


def _timing(clip: ResolvedClip, st: _Settings, diags: list[Diagnostic]) -> _Timing:
    shots = clip.shots
    durs = [s.duration.millis if s.duration is not None else None for s in shots]
    clip_ms: int | None = st.values.get("duration")
    own = st.own.get("duration", False)
    span = st.spans.get("duration", clip.decl.name.span)
    times: list[tuple[int, int] | None] = [None] * len(shots)
    origin = ("set" if own else "defaults") if clip_ms is not None else "default"
    known = [d for d in durs if d is not None]
    if shots and len(known) == len(shots):
        total = sum(known)
        t = 0
        for i, d in enumerate(known):
            times[i] = (t, t + d)
            t += d
        if clip_ms is not None and total != clip_ms:
            diags.append(_sum_mismatch(clip, known, clip_ms, span, own))
        elif clip_ms is not None:
            pass  # the clip's (or the defaults') duration, and the shots agree with it
        else:
            clip_ms = total
            origin = "shots"
            span = shots[0].duration.span if shots[0].duration else shots[0].span
            if total % 1000 != 0:
                diags.append(
                    _diag(
                        "SHOT321",
                        f"the shots of clip `{clip.name}` last {_seconds_text(total)} s; the "
                        "API needs a whole number of seconds",
                        clip.decl.name.span,
                        labels=[
                            Label(s.duration.span, f"{_seconds_text(s.duration.millis)} s")
                            for s in shots
                            if s.duration is not None
                        ],
                        help="adjust the shot durations to a whole number of seconds",
                    )
                )
    elif known:
        if clip_ms is None:
            clip_ms = int(str(CONTRACT.defaults["duration"])) * 1000
        if sum(known) >= clip_ms:
            diags.append(
                _diag(
                    "SHOT320",
                    f"the shots of clip `{clip.name}` with a duration already last "
                    f"{_seconds_text(sum(known))} s of the clip's {_seconds_text(clip_ms)} s, "
                    "leaving no time for the others",
                    span,
                    labels=[
                        Label(s.duration.span, f"{_seconds_text(s.duration.millis)} s")
                        for s in shots
                        if s.duration is not None
                    ],
                    help="give every shot a duration, or shorten these",
                )
            )
    elif clip_ms is None:
        clip_ms = int(str(CONTRACT.defaults["duration"])) * 1000
    if clip_ms is None:
        return _Timing(0, span, times, origin)
    seconds: int | float = clip_ms // 1000 if clip_ms % 1000 == 0 else clip_ms / 1000
    return _Timing(seconds, span, times, origin)


# ----------------------------------------------------------------- packages


def _packages(
    clip: ResolvedClip, standard: Package | None
) -> tuple[list[str], list[str], list[str]]:
    """(style, keep, avoid) of the clip's ``use`` lines; the built-in
    standard package when no used package has constraints (G8)."""
    if standard is not None:
        standard_keep = tuple(k.name for k in standard.keep)
        standard_avoid = tuple(a.name for a in standard.avoid)
    else:
        standard_keep, standard_avoid = STANDARD_KEEP, STANDARD_AVOID
    style: list[str] = []
    keep: list[str] = []
    avoid: list[str] = []
    has_constraints = False
    seen: set[tuple[str, str]] = set()  # (list, item): membership in O(1), not a list scan
    for use in clip.uses:
        off = {w.lower() for w in use.without}
        pkg = use.package
        for s in pkg.style:
            line = _one_line(s.value)
            if ("style", line) not in seen:
                seen.add(("style", line))
                style.append(line)
        if pkg.keep or pkg.avoid:
            has_constraints = True
        for k in pkg.keep:
            if k.name.lower() not in off and ("keep", k.name) not in seen:
                seen.add(("keep", k.name))
                keep.append(k.name)
        for a in pkg.avoid:
            if a.name.lower() not in off and ("avoid", a.name) not in seen:
                seen.add(("avoid", a.name))
                avoid.append(a.name)
    if not has_constraints:
        keep, avoid = list(standard_keep), list(standard_avoid)
    return style, keep, avoid


#: G8, the provider's standard constraint package.  When the checker provides its
#: built-in ``standard`` package, that one is used through ``use``; this is the default
#: for a clip that uses no package with constraints.
STANDARD_KEEP: tuple[str, ...] = ("stable faces", "natural motion")
STANDARD_AVOID: tuple[str, ...] = ("deformation", "watermark", "logo", "subtitles")


# ----------------------------------------------------------------- the plan


def _is_raw(clip: ResolvedClip) -> bool:
    """A clip written as plain prose is sent as written (:attr:`ResolvedClip.verbatim`)."""
    return clip.verbatim


def _payload_sources(
    clip: ResolvedClip,
    st: _Settings,
    refs: list[Reference],
    mode: tuple[str, Span],
    timing: _Timing,
) -> dict[str, FieldSource]:
    """The field-source map of the clip: every payload field (and ``media_urls[i]``,
    and ``prompt``) with its value, the span that produced it and its origin."""
    clip_span = clip.decl.name.span
    out: dict[str, FieldSource] = {}

    def setting(api: str) -> None:
        origin = "set" if st.own.get(api) else "defaults"
        out[api] = FieldSource(st.values[api], st.spans[api], origin)

    out["mode"] = FieldSource(mode[0], mode[1], None)
    if "mode" in st.values:
        out["mode"].origin = "set" if st.own.get("mode") else "defaults"
    else:
        out["mode"].origin = "inferred"
    for api in ("quality_tier", "channel", "aspect_ratio", "resolution"):
        if api in st.values:
            setting(api)
        elif api != "channel":  # payload policy: always explicit, except channel
            out[api] = FieldSource(CONTRACT.defaults[api], clip_span, "default")
    seconds = timing.seconds
    duration = str(seconds) if isinstance(seconds, int) else _seconds_text(round(seconds * 1000))
    out["duration"] = FieldSource(duration, timing.span, timing.origin)
    media = [r for r in refs if r.field.startswith("media_urls[")]
    for r in refs:
        out[r.field] = FieldSource(r.url, r.span, "output" if r.output is not None else "asset")
    if media:
        out["media_urls"] = FieldSource([r.url for r in media], media[0].span, None)
    for api in ("generate_audio", "fixed_lens", "seed"):
        if api in st.values:
            setting(api)
    out["prompt"] = FieldSource(None, clip_span, "template")
    return out


class _Describer:
    """Names in shots become phrases (S3): prose stays as written, a bare asset name
    becomes how the prompt calls the asset (SHOT327 when the clip does not supply it)."""

    __slots__ = ("by_name", "checked", "clip", "diags")

    def __init__(
        self,
        checked: CheckedStoryboard,
        clip: ResolvedClip,
        by_name: Mapping[str, Reference],
        diags: list[Diagnostic],
    ) -> None:
        self.checked = checked
        self.clip = clip
        self.by_name = by_name
        self.diags = diags

    def __call__(self, value: nodes.Text | nodes.Ident, what: str) -> str:
        if isinstance(value, nodes.Text):
            return value.value
        ref = self.by_name.get(value.name)
        if ref is not None:
            return ref.phrase
        member = self.checked.cast.get(value.name)
        if member is not None and member in self.clip.cast:
            if member.look is not None:  # a member without references: its words
                return member.look
            return value.name.replace("_", " ")
        known = value.name in self.checked.assets
        self.diags.append(
            _diag(
                "SHOT327",
                f"`{value.name}` is "
                + ("an asset not supplied to" if known else "not an asset of")
                + f" clip `{self.clip.name}`",
                value.span,
                help=f"add `ref {value.name} as character` (or `start {value.name}`) to the clip"
                if known
                else f'declare `asset {value.name} image "https://..."` or quote the '
                f"{what} as prose",
            )
        )
        return value.name.replace("_", " ")


def _shot_context(
    number: int,
    shot: nodes.Shot,
    time: tuple[int, int] | None,
    describe: _Describer,
) -> ShotContext:
    """The template variable ``shots[i]`` of one shot."""
    span = None if time is None else (_seconds_text(time[0]), _seconds_text(time[1]))
    texts: list[str] = []
    dialogue: list[DialogueContext] = []
    entry: dict[str, Any] = {  # one dict, filled in place: this runs once per shot
        "number": number,
        "start": span[0] if span is not None else None,
        "end": span[1] if span is not None else None,
        "timecode": f"{span[0]}–{span[1]} s" if span is not None else None,
        "duration": _seconds_text(shot.duration.millis) if shot.duration is not None else None,
        "subject": None,
        "action": None,
        "scene": None,
        "camera": None,
        "light": None,
        "style": None,
        "texts": texts,
        "dialogue": dialogue,
    }
    for item in shot.items:
        if isinstance(item, nodes.Dialogue):
            speaker = describe(item.speaker, "speaker")
            dialogue.append({"speaker": _one_line(speaker), "line": _one_line(item.line.value)})
            continue
        text = describe(item.value, item.key)
        if item.key == "text":
            texts.append(text)
            continue
        text = _one_line(text)
        before = entry[item.key]
        entry[item.key] = text if before is None else f"{before}; {text}"
    return cast("ShotContext", entry)


def _context(
    checked: CheckedStoryboard,
    clip: ResolvedClip,
    refs: list[Reference],
    timing: _Timing,
    mode: str,
    audio: bool,
    describe: _Describer,
) -> TemplateContext:
    """The template context of the clip (docs/compiler.md, from :mod:`.context`)."""
    times = timing.shot_times
    shots = [
        _shot_context(i + 1, shot, times[i] if i < len(times) else None, describe)
        for i, shot in enumerate(clip.shots)
    ]
    texts = _unnamed_looks(clip) + [describe(t.text, "text") for t in clip.texts]
    style, keep, avoid = _packages(clip, checked.packages.get("standard"))
    context: TemplateContext = {
        "storyboard": {"title": checked.title or ""},
        "clip": {
            "name": clip.name,
            "mode": mode,
            "duration": timing.seconds,
            "audio": audio,
            "raw": _is_raw(clip),
            "edit": any(r.role == "source" for r in refs),
            "extension": any(r.role == "extension" for r in refs),
        },
        "texts": texts,
        "references": [r.context() for r in refs],
        "shots": shots,
        "style": style,
        "keep": keep,
        "avoid": avoid,
        "constraints": keep + [f"no {a}" for a in avoid],
        "timecodes": bool(shots) and all(s["timecode"] is not None for s in shots),
    }
    return context


def _unnamed_looks(clip: ResolvedClip) -> list[str]:
    """The description of each member the clip brings that has no reference (so no
    reference sentence) and that no shot names (so no subject or speaker says its look):
    said once, before the clip's text, so every member brought is described."""
    named: set[str] = set()
    for shot in clip.shots:
        for item in shot.items:
            if isinstance(item, nodes.ShotField) and isinstance(item.value, nodes.Ident):
                named.add(item.value.name)
            elif isinstance(item, nodes.Dialogue) and isinstance(item.speaker, nodes.Ident):
                named.add(item.speaker.name)
    out: list[str] = []
    for m in clip.cast:
        if m.refs or m.look is None or m.name in named:
            continue
        look = _one_line(m.look).rstrip(".")
        if m.kind == "product":
            out.append(
                f"The product in the scene is {look}; keep its shape, colour and markings exactly."
            )
        else:
            out.append(
                f"A main character in the scene is {look}; keep their appearance consistent."
            )
    return out


def plan_clip(
    checked: CheckedStoryboard,
    clip: ResolvedClip,
    *,
    names: re.Pattern[str] | Literal[False] | None = False,
) -> ClipPlan:
    """Work out everything about ``clip`` except its prompt text: the field-source map,
    the references, the template context; then run the checker's prose lints on the
    clip (:func:`seedance_dsl.check.prose.clip_prose_diagnostics`).  ``names`` is
    :func:`asset_name_pattern` (computed here when not given)."""
    diags: list[Diagnostic] = []
    st = _convert_settings(clip)
    diags += st.diagnostics
    refs, slots = _references(clip, diags)
    mode = _mode(clip, st, refs, diags)
    timing = _timing(clip, st, diags)
    sources = _payload_sources(clip, st, refs, mode, timing)

    by_name: dict[str, Reference] = {}
    for r in refs:
        by_name.setdefault(r.name, r)
        if r.member is not None:
            by_name.setdefault(r.member, r)
    audio_field = sources.get("generate_audio")
    audio = bool(
        audio_field.value if audio_field is not None else CONTRACT.defaults["generate_audio"]
    )
    context = _context(
        checked, clip, refs, timing, mode[0], audio, _Describer(checked, clip, by_name, diags)
    )

    if names is False:
        names = asset_name_pattern(checked)
    audio_off = audio_field.span if audio_field is not None and not audio else None
    diags += clip_prose_diagnostics(clip, names, by_name, audio_off=audio_off)

    depends = list(clip.depends_on)
    for r in refs:
        if r.output is not None and r.output.clip not in depends:
            depends.append(r.output.clip)
    return ClipPlan(
        clip=clip,
        sources=sources,
        references=refs,
        slots=slots,
        depends_on=tuple(depends),
        context=context,
        diagnostics=diags,
    )


# ----------------------------------------------------------------- API rules


def _rule_help(p: RuleProblem, fields: Mapping[str, Any]) -> str | None:
    c = CONTRACT
    rule = p.rule
    if rule.endswith(".allowed"):
        api = rule.split(".")[0]
        allowed = SETTINGS[DSL_KEY[api]].vocabulary
        return f"use {DSL_KEY.get(api, api)} " + ", ".join(allowed[:-1]) + f" or {allowed[-1]}"
    if rule == "resolution.pro_only":
        lower = [r for r in c.resolutions if r not in c.pro_only_resolutions]
        return f"use tier {c.pro_tier}, or resolution {lower[-1]}"
    if rule == "duration.whole":
        return "use a whole number of seconds, like `duration 5s`"
    if rule == "duration.range":
        return (
            f"use a duration from {c.duration_min}s to {c.duration_max}s; continue a "
            "longer piece in another clip with `extend`"
        )
    if rule == "seed.range":
        return f"use a seed from {c.seed_min} to {c.seed_max} (-1 means random)"
    if rule == "seed.channel":
        ok = [ch for ch in c.channels if ch not in c.seed_unsupported_channels]
        return "remove `seed`, or use channel " + " or ".join(ok)
    if rule == "seed.tier":
        ok = [t for t in c.quality_tiers if t not in c.seed_unsupported_tiers]
        return "remove `seed`, or use tier " + " or ".join(ok)
    if rule == "url.public":
        return "host the asset at a public https URL (the provider's servers fetch it)"
    if rule == "media_urls.max":
        return f"a clip takes at most {c.media_urls_max} references: remove some"
    if rule == "mode.image_needs_image_url":
        return "add `start <image asset>`, or remove `mode image-to-video`"
    if rule == "mode.media_needs_media_urls":
        return "add `ref <asset> as character` (or motion, style), or remove the mode"
    if rule == "prompt.too_long":
        return "shorten the clip's shots and text, or split the clip in two"
    if rule == "prompt.too_short":
        return "give the clip a shot or a `text`"
    return None


def rule_diagnostics(
    body: Mapping[str, Any],
    source_map: Mapping[str, Span],
    fallback: Span,
    *,
    unchecked: Iterable[str] = (),
    skip: Callable[[RuleProblem], bool] = lambda p: False,
    labelled: Mapping[str, Span] | None = None,
    url_spans: Mapping[str, Span] | None = None,
) -> list[Diagnostic]:
    """Every API rule the body breaks, as a diagnostic at the span of its field; the
    other fields of a cross-field rule are labels when they are in ``labelled``.  A URL
    problem points at the URL as written (``url_spans``), with a label at the role."""
    labelled = source_map if labelled is None else labelled
    out: list[Diagnostic] = []
    for p in body_problems(body, unchecked=frozenset(unchecked)):
        if skip(p):
            continue
        span = source_map.get(p.field) or source_map.get(p.field.split("[")[0]) or fallback
        labels = [
            Label(labelled[r], f"{DSL_KEY.get(r, r)} is set here")
            for r in p.related
            if r in labelled and labelled[r] != span
        ]
        if p.rule == "url.public" and url_spans and p.field in url_spans:
            labels.append(Label(span, f"used here, as {p.field}"))
            span = url_spans[p.field]
        out.append(
            _diag(
                RULE_CODES[p.rule],
                p.message,
                span,
                labels=labels,
                help=_rule_help(p, body),
                notes=(f"API rule {p.rule}: {_rule_text(p.rule)}",),
            )
        )
    return out


def _rule_text(rule: str) -> str:
    from ..api.rules import RULES

    return RULES.get(rule, rule)


def plan_diagnostics(plan: ClipPlan, prompt: str | None) -> list[Diagnostic]:
    """The API rules on the plan's payload.  With ``prompt=None`` the prompt rules are
    skipped (the prompt is not rendered by :func:`rules_check`)."""
    body = plan.payload(prompt if prompt is not None else "...")
    unchecked = [f"media_urls[{s.index}]" if s.index is not None else s.field for s in plan.slots]
    unchecked += [r.field for r in plan.references if r.local_path is not None]
    # a duration already reported by SHOT320/321 is not reported again
    reported = {d.code for d in plan.diagnostics}

    def skip(p: RuleProblem) -> bool:
        if prompt is None and p.rule.startswith("prompt."):
            return True
        if p.rule == "mode.image_needs_image_url" and "SHOT325" in reported:
            return True
        return p.rule == "duration.whole" and bool(reported & {"SHOT320", "SHOT321"})

    source_map: dict[str, Span] = {}
    set_here: dict[str, Span] = {}  # the fields the storyboard sets (not API defaults)
    for k, f in plan.sources.items():
        source_map[k] = f.span
        if f.origin != "default":
            set_here[k] = f.span
    return rule_diagnostics(
        body,
        source_map,
        plan.clip.decl.name.span,
        unchecked=unchecked,
        skip=skip,
        labelled=set_here,
        url_spans={r.field: r.url_span for r in plan.references if r.url_span is not None},
    )


def raw_prompt(context: Mapping[str, Any]) -> str:
    """The prompt the built-in template gives a *raw* clip (``context["clip"]["raw"]``):
    its asset sentences, then its text, as written.  Lets :func:`rules_check` check the
    length of such prompts without jinja2 (a test keeps it equal to the template)."""
    parts = [r["sentence"] for r in context["references"]]
    parts += context["texts"]
    parts += [t for shot in context["shots"] for t in shot["texts"]]
    from .prompt import tidy

    return tidy("\n".join(parts))


def rules_check(
    checked: CheckedStoryboard, *, clips: Collection[str] | None = None
) -> list[Diagnostic]:
    """Every compiler check that needs no prompt rendering: API rules (SHOT3xx), the
    prose rules (G4, S1, S4), modes, durations and roles — and the prompt length of raw
    clips (whose prompt is known without the template) when the built-in template is
    used.  Imports neither jinja2 nor pydantic, so ``seedance check`` can call it and
    stay fast.  ``clips`` limits the checks to the clips of those names."""
    return _rules(checked, clips)[0]


def _rules(
    checked: CheckedStoryboard, clips: Collection[str] | None
) -> tuple[list[Diagnostic], list[ClipPlan]]:
    out: list[Diagnostic] = []
    plans: list[ClipPlan] = []
    names = asset_name_pattern(checked)
    for clip in checked.clips:
        if clips is not None and clip.name not in clips:
            continue
        plan = plan_clip(checked, clip, names=names)
        plans.append(plan)
        out += plan.diagnostics
        known = checked.template_path is None and plan.context["clip"]["raw"]
        out += plan_diagnostics(plan, raw_prompt(plan.context) if known else None)
    return _dedupe(out), plans


def rendered_prompt_diagnostics(
    clip: ResolvedClip, prompt: str | None, clip_diags: Sequence[Diagnostic]
) -> list[Diagnostic]:
    """G4 on a rendered prompt: a house template could still write an id, a URL or a
    label into it (not reported again when the clip's prose already has one)."""
    if prompt is None or any(d.code in ("SHOT403", "SHOT404") for d in clip_diags):
        return []
    return [
        Diagnostic(
            code,
            "error",
            f"the prompt of clip `{clip.name}` contains `{fragment}` (G4)",
            clip.decl.name.span,
            help="raw ids, URLs and in-app labels never go into the prompt; "
            "check the prompt template",
        )
        for code, fragment in prompt_problems(prompt)
    ]


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def _builtin_length_is_safe(context: Mapping[str, Any]) -> bool:
    """Whether the built-in template's prompt for ``context`` surely has a length the
    API accepts, without rendering it: an upper bound of its length (every string of
    the context, plus the template's own words per string and per shot) is under the
    maximum, and it surely has the `Constraints:` line (over the minimum)."""
    upper = sum(len(t) + 16 for t in _strings(context)) + 120 * (len(context["shots"]) + 2)
    return upper <= CONTRACT.prompt_max_chars and bool(context["constraints"])


def _prompt_check(
    checked: CheckedStoryboard, plans: list[ClipPlan]
) -> tuple[list[Diagnostic], dict[str, str]]:
    """What only rendering the prompts finds (SHOT5xx, prompt length, G4 in the prompt),
    for ``check``.  Loads jinja2 only when the storyboard names a template, or when the
    built-in template's prompt of a clip might be too long or too short."""
    if checked.template_path is None:
        plans = [
            p
            for p in plans
            if not p.context["clip"]["raw"] and not _builtin_length_is_safe(p.context)
        ]
        if not plans:
            return [], {}
    from .prompt import TemplateProblem, load_template

    decl_span = checked.template.span if checked.template is not None else None
    out: list[Diagnostic] = []
    sources: dict[str, str] = {}
    try:
        tpl = load_template(checked.template_path, decl_span=decl_span, roots=roots_of(checked))
    except TemplateProblem as problem:
        return [problem.diagnostic], _template_source(problem.diagnostic)
    if not tpl.builtin:
        sources[tpl.path] = tpl.source
    for plan in plans:
        try:
            prompt: str | None = tpl.render(plan.context)
        except TemplateProblem as problem:
            out.append(problem.diagnostic)
            sources.update(_template_source(problem.diagnostic))
            continue
        found = plan_diagnostics(plan, prompt)
        out += found
        out += rendered_prompt_diagnostics(plan.clip, prompt, [*plan.diagnostics, *found])
    return out, sources


def roots_of(checked: CheckedStoryboard) -> tuple[str, ...]:
    """The directories the storyboard's template may be read from: the checker's, or
    (a model built by hand) the storyboard's directory tree and ``$SEEDANCE_ROOTS``."""
    if checked.roots:
        return checked.roots
    from ..syntax.source import project_roots

    return project_roots(checked.path)


def _template_source(d: Diagnostic) -> dict[str, str]:
    """The text of the template file a diagnostic points at (for its snippet)."""
    if d.span is None or d.code not in ("SHOT502", "SHOT503"):
        return {}  # the others point at the storyboard's `template` line
    from ..syntax.source import read_bytes

    data, _ = read_bytes(d.span.file, limit_name="template_file_bytes")
    if data is None:
        return {}
    return {d.span.file: data.decode("utf-8", "replace")}


def with_rules_check(result: CheckResult) -> CheckResult:
    """``result`` with everything else ``compile`` would report added: the diagnostics of
    :func:`rules_check` and, when the storyboard names a template (or the built-in
    template's prompt length is in doubt), of rendering every clip's prompt (SHOT5xx,
    SHOT401/402, G4 in the prompt).  This is what ``seedance check`` and
    :func:`seedance_dsl.check.check_file` report; running it twice adds nothing.

    When the resolver found errors, the rules still run on every clip that has none of
    its own, so one ``check`` shows all the problems it can — but only when every error
    lies inside some clip: a broken top-level declaration (defaults, an asset, a
    package) would only add follow-on errors.  ``compile`` stops at the first stage
    with errors.  A template outside the project (SHOT008) is never loaded."""
    checked = result.storyboard
    if checked is None or result.rules_checked:
        return result
    done = CheckResult(result.storyboard, result.diagnostics, result.sources, rules_checked=True)
    errors = [d for d in result.diagnostics if d.is_error]
    clean: set[str] | None = None
    if errors:
        inside: dict[str, bool] = {c.name: False for c in checked.clips}
        for d in errors:
            owner = _clip_at(checked, d.span)
            if owner is None:
                return done
            inside[owner] = True
        clean = {name for name, broken in inside.items() if not broken}
    extra, plans = _rules(checked, clean)
    sources: dict[str, str] = {}
    if not any(d.code == "SHOT008" for d in result.diagnostics):
        more, sources = _prompt_check(checked, plans)
        extra = _dedupe([*extra, *more])
    if not extra:
        return done
    return CheckResult(
        result.storyboard,
        (*result.diagnostics, *extra),
        {**result.sources, **sources},
        rules_checked=True,
    )


def _clip_at(checked: CheckedStoryboard, span: Span | None) -> str | None:
    """The clip whose declaration contains ``span``, if any."""
    if span is None:
        return None
    for c in checked.clips:
        cs = c.decl.span
        if cs.file == span.file and cs.start_pos <= span.start_pos < max(cs.end_pos, 1):
            return c.name
    return None


def _dedupe(diags: list[Diagnostic]) -> list[Diagnostic]:
    """Report each problem once (package prose is checked in every clip that uses it),
    in source order (stable: diagnostics without a span first)."""
    seen: set[tuple[str, str, Span | None]] = set()
    out: list[Diagnostic] = []
    for d in diags:
        key = (d.code, d.message, d.span)
        if key in seen:
            continue
        seen.add(key)
        out.append(d)
    out.sort(key=lambda d: (d.span.file, d.span.line, d.span.column) if d.span else ("", 0, 0))
    return out
