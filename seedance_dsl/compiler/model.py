"""What the compiler produces and the renderer consumes.

A :class:`CompiledClip` holds its request body with *placeholders* where an output of
an earlier clip goes (``<last frame of clip arrival>``); :meth:`CompiledClip.resolve`
fills them with real URLs once those clips are rendered and validates the result
against the request model.  The Idempotency-Key is derived from the final body (see
:func:`idempotency_key`), so an unchanged request always gets the same key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..check.model import ClipOutputRef
from ..errors import SeedanceDSLError
from ..syntax import nodes
from ..syntax.diagnostics import Diagnostic, has_errors
from ..syntax.nodes import Span

if TYPE_CHECKING:
    from ..api.body import RequestBody
    from ..api.models import VideoRequest
    from ..assets.model import LocalAsset
    from .context import ReferenceContext

OutputKind = Literal["last_frame", "video"]

#: Version of the key derivation; bump it only if the derivation must change.
IDEMPOTENCY_SCHEME = "sdsl1"


def idempotency_key(storyboard: str, clip: str, canonical_body: str, take: int = 0) -> str:
    """The Idempotency-Key of one render of one clip.

    ``sdsl1-`` + the first 40 hex digits of sha256 over the storyboard's title, the
    clip's name, the take number and the canonical JSON of the body (sorted keys, no
    spaces).  Same storyboard + clip + body + take → same key, on every machine; any
    change to the body, or a new ``--take``, gives a new key.
    """
    import hashlib  # here, not at import time: `seedance check` imports this module

    h = hashlib.sha256()
    for part in (IDEMPOTENCY_SCHEME, storyboard, clip, str(take), canonical_body):
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return f"{IDEMPOTENCY_SCHEME}-{h.hexdigest()[:40]}"


def canonical_json(payload: Mapping[str, Any]) -> str:
    """The canonical JSON of a body (sorted keys, no spaces, UTF-8 kept): the same text
    as :meth:`seedance_dsl.api.models.VideoRequest.canonical_json` for the same body,
    without importing pydantic."""
    import json

    return json.dumps(dict(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def placeholder(clip: str, output: OutputKind) -> str:
    what = "last frame" if output == "last_frame" else "video"
    return f"<{what} of clip {clip}>"


def local_placeholder(asset: str, path: str) -> str:
    """Where the URL of a local file goes until it is uploaded (or served by the sandbox)."""
    return f"<local file {path} of asset {asset}, uploaded at render>"


class MissingLocalAsset(SeedanceDSLError, KeyError):
    """:meth:`CompiledClip.resolve` was not given the URL of a local file the clip uses."""

    exit_code = 2
    kind = "missing_asset"

    def __init__(self, clip: str, asset: str, path: str) -> None:
        self.clip = clip
        self.asset = asset
        self.path = path
        super().__init__(
            f"clip `{clip}` uses the local file {path} (asset `{asset}`), "
            f"but no URL was given for asset `{asset}`",
            help=f"upload the file first and pass its URL: resolve(..., assets={{{asset!r}: url}})",
        )

    def __str__(self) -> str:
        return self.message


class MissingClipOutput(SeedanceDSLError, KeyError):
    """:meth:`CompiledClip.resolve` was not given an output the clip needs.

    ``clip`` is the clip being resolved, ``needs`` the earlier clip whose output is
    missing and ``output`` which one (``"last_frame"`` or ``"video"``).  It is also a
    ``KeyError``, so code that caught the old bare ``KeyError`` still catches it.
    """

    exit_code = 2
    kind = "missing_output"

    def __init__(self, clip: str, needs: str, output: OutputKind, *, returned: bool) -> None:
        self.clip = clip
        self.needs = needs
        self.output = output
        what = "last frame" if output == "last_frame" else "video"
        if returned:
            message = (
                f"clip `{clip}` needs the {what} of clip `{needs}`, "
                f"but the outputs given for `{needs}` have no {what}"
            )
            help = (
                f"pass the {output}_url the server returned for `{needs}`: "
                f"ClipOutputs(video_url=..., last_frame_url=...)"
            )
        else:
            message = (
                f"clip `{clip}` needs the {what} of clip `{needs}`, "
                f"but `outputs` has no entry for `{needs}`"
            )
            help = (
                f"render `{needs}` first and pass its outputs: "
                f"resolve({{{needs!r}: ClipOutputs(video_url=..., last_frame_url=...)}}) "
                f"(seedance_dsl.compiler.ClipOutputs; the clip's `depends_on` lists "
                f"every clip it needs)"
            )
        super().__init__(message, help=help)

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return self.message


@dataclass(frozen=True, slots=True)
class InputSlot:
    """Where an output of another clip goes in this clip's payload."""

    field: Literal["image_url", "end_image_url", "media_urls"]
    index: int | None  # position in media_urls, None for the single-URL fields
    clip: str
    output: OutputKind


@dataclass(frozen=True, slots=True)
class ClipOutputs:
    """The real outputs of a rendered clip, as the server returned them."""

    video_url: str
    last_frame_url: str | None


@dataclass(frozen=True, slots=True)
class Reference:
    """One asset supplied to a clip (G2, G3): where it goes in the payload and how the
    prompt names it.  ``name`` is the author's name for it and never reaches the prompt."""

    role: nodes.Role
    kind: Literal["image", "video"]
    field: str  # "image_url", "end_image_url", "media_urls[0]"
    position: int | None  # 1-based among media_urls of the same kind; None for frames
    phrase: str  # "the character in reference image 1"
    sentence: str  # what the prompt says about it (G3, G5, G6)
    url: str  # the URL, or a placeholder for an output of an earlier clip
    name: str  # "conductor", "arrival.last_frame"
    span: Span  # the role line (`start station`)
    output: ClipOutputRef | None = None
    url_span: Span | None = None  # where the URL is written (the asset's declaration)
    member: str | None = None  # the cast member the asset belongs to (`character mara`)
    #: a local file (the path as written); ``url`` is then its :func:`local_placeholder`
    local_path: str | None = None
    #: the sha256 of that file's bytes, when ``check`` read it
    local_sha256: str | None = None
    #: what ``check`` read of that file (absolute path, size, MIME): the upload step's input
    local_file: LocalAsset | None = None

    def context(self) -> ReferenceContext:
        """The template variable ``references[i]`` (docs/compiler.md)."""
        return {
            "role": self.role,
            "kind": self.kind,
            "field": self.field,
            "position": self.position,
            "phrase": self.phrase,
            "sentence": self.sentence,
        }


@dataclass(frozen=True, slots=True)
class CompiledClip:
    name: str
    #: The request body as it would be sent, with placeholder strings in input slots.
    payload: Mapping[str, Any]
    prompt: str
    slots: tuple[InputSlot, ...]
    depends_on: tuple[str, ...]
    #: payload field path ("prompt", "resolution", "media_urls[1]") -> the span that produced it
    source_map: Mapping[str, Span]
    span: Span
    storyboard_title: str
    #: the assets supplied to the clip, in payload order (image_url, end_image_url, media_urls)
    references: tuple[Reference, ...] = ()
    #: the template context the prompt was rendered from (docs/compiler.md)
    context: Mapping[str, Any] = field(default_factory=dict)
    #: False when a diagnostic (error) was reported for this clip
    valid: bool = True
    #: payload field -> where its value came from: "set" (the clip), "defaults" (the
    #: storyboard's defaults block), "default" (the API default, sent explicitly),
    #: "inferred" (mode), "shots" (duration = sum of shots), "asset", "output",
    #: "template" (prompt)
    origins: Mapping[str, str] = field(default_factory=dict)
    #: the compiler's diagnostics about this clip (also in the storyboard's diagnostics)
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def has_placeholders(self) -> bool:
        return bool(self.slots) or bool(self.local_references)

    @property
    def local_references(self) -> tuple[Reference, ...]:
        """The references that are local files (filled by ``resolve(assets=...)``)."""
        return tuple(r for r in self.references if r.local_path is not None)

    def resolve(
        self,
        outputs: Mapping[str, ClipOutputs],
        *,
        allow_loopback_http: bool = False,
        assets: Mapping[str, str] | None = None,
    ) -> RequestBody:
        """The final request, with every slot filled from ``outputs`` (by clip name),
        checked by the API's rules (:class:`~seedance_dsl.api.RequestBody`: no pydantic).

        ``outputs`` maps the name of each clip in :attr:`depends_on` to its
        :class:`ClipOutputs` (the URLs the server returned for it).  A clip without
        placeholders needs none: ``clip.resolve({})``.  ``assets`` maps the name of each
        local-file asset the clip uses (:attr:`local_references`) to its URL (after the
        upload, or the sandbox's URL).

        Raises:
            MissingClipOutput: ``outputs`` has no entry for a clip this one needs, or
                that entry lacks the output used (a ``last_frame_url`` of ``None``).  It
                names both clips and the output; it is a ``KeyError`` too.
            RequestRejected: the filled body breaks a rule of the API (for example, an
                output URL the API does not accept); a ``ValueError``, its
                ``problems`` list each rule.
        """
        from ..api.body import RequestBody

        body: dict[str, Any] = dict(self.payload)
        if "media_urls" in body:
            body["media_urls"] = list(body["media_urls"])
        for slot in self.slots:
            out = outputs.get(slot.clip)
            if out is None:
                raise MissingClipOutput(self.name, slot.clip, slot.output, returned=False)
            url = out.video_url if slot.output == "video" else out.last_frame_url
            if url is None:
                raise MissingClipOutput(self.name, slot.clip, slot.output, returned=True)
            if slot.index is None:
                body[slot.field] = url
            else:
                body[slot.field][slot.index] = url
        _fill_local(self, body, assets or {})
        return RequestBody.check(body, allow_loopback_http=allow_loopback_http)

    def idempotency_key(self, request: RequestBody | VideoRequest, take: int = 0) -> str:
        return idempotency_key(self.storyboard_title, self.name, self.identity_json(request), take)

    def identity_json(self, request: RequestBody | VideoRequest) -> str:
        """What identifies the request: its canonical JSON, with the URL of each local
        file replaced by ``local:sha256:<hex>`` (a presigned URL changes with every
        signature; the bytes do not, so a second render is the same intent)."""
        text = request.canonical_json()
        if not self.local_references:
            return text
        import json

        body = json.loads(text)
        for r in self.local_references:
            token = f"local:sha256:{r.local_sha256 or r.name}"
            if r.field.startswith("media_urls["):
                body["media_urls"][int(r.field[len("media_urls[") : -1])] = token
            else:
                body[r.field] = token
        return canonical_json(body)

    def preview_key(self, take: int = 0) -> str:
        """The key of :attr:`payload` as compiled.  For a clip with placeholders it is
        *provisional*: the renderer derives the real key from the resolved body."""
        return idempotency_key(self.storyboard_title, self.name, canonical_json(self.payload), take)


def _fill_local(clip: CompiledClip, body: dict[str, Any], assets: Mapping[str, str]) -> None:
    for r in clip.local_references:
        url = assets.get(r.name)
        if url is None:
            raise MissingLocalAsset(clip.name, r.name, r.local_path or "")
        if r.field.startswith("media_urls["):
            body["media_urls"][int(r.field[len("media_urls[") : -1])] = url
        else:
            body[r.field] = url


@dataclass(frozen=True, slots=True)
class CompiledStoryboard:
    path: str
    title: str
    source_hash: str
    clips: tuple[CompiledClip, ...]  # in file order
    diagnostics: tuple[Diagnostic, ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    @property
    def graph(self) -> Mapping[str, tuple[str, ...]]:
        """clip name -> names of the clips it depends on."""
        return {c.name: c.depends_on for c in self.clips}

    def clip(self, name: str) -> CompiledClip:
        for c in self.clips:
            if c.name == name:
                return c
        raise KeyError(name)

    def diagnostics_for(self, names: Sequence[str]) -> tuple[Diagnostic, ...]:
        """The diagnostics that concern the clips ``names``: their own, plus every
        diagnostic not about one particular clip (check's, a template that fails to
        load), in the storyboard's order."""
        own = {d for c in self.clips for d in c.diagnostics}
        wanted = {d for c in self.clips if c.name in names for d in c.diagnostics}
        return tuple(d for d in self.diagnostics if d not in own or d in wanted)
