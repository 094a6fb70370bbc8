"""What a cut joins, decided without I/O.

:func:`plan_inputs` turns the storyboard's clip order and the render manifest (plus, for
another take, the finished renders the state database knows) into a list of
:class:`CutInput`; :func:`copy_blocker` says why the inputs cannot be joined by stream
copy (``None`` when they can).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from ..errors import SeedanceDSLError
from ..syntax import nodes as n

#: the "codec" of a slate that stands for a clip not rendered yet (``--gaps``)
SLATE = "slate"

__all__ = [
    "SLATE",
    "ClipNotRendered",
    "CutEdit",
    "CutError",
    "CutInput",
    "StreamInfo",
    "copy_blocker",
    "cut_edits",
    "edited",
    "plan_inputs",
]


class CutError(SeedanceDSLError):
    """A cut cannot be made (a file cannot be read or written)."""

    exit_code = 1
    kind = "cut"


class ClipNotRendered(CutError):
    """A clip of the storyboard has no finished video to cut (exit 1)."""

    def __init__(self, clip: str, source: str | None, command: str) -> None:
        where = f" ({source})" if source else ""
        super().__init__(
            f"clip {clip!r}{where} is not rendered yet, so there is nothing to cut",
            help=f"render it first: `{command}`",
        )
        self.clip = clip


@dataclass(frozen=True, slots=True)
class CutInput:
    """One clip's video, as the cut will use it."""

    clip: str
    take: int
    path: str
    source: str | None = None  # the clip's `.shot` line ("film.shot:8:1")
    prompt: str | None = None
    seed: int | None = None
    task_id: str | None = None
    #: the clip's shots: (start s, end s, text), from the compiled storyboard
    shots: tuple[tuple[float, float, str], ...] = ()
    #: with ``--gaps``, a clip not rendered yet: a slate of this many seconds (``path`` "")
    gap_s: float | None = None
    #: from the ``cut`` block: the part of the clip kept (start s, end s)
    trim: tuple[float, float] | None = None
    #: from the ``cut`` block: a crossfade of this many seconds from the clip before
    fade_s: float | None = None


@dataclass(frozen=True, slots=True)
class CutEdit:
    """One entry of the storyboard's ``cut { ... }`` block."""

    clip: str
    trim: tuple[float, float] | None = None
    fade_s: float | None = None


def cut_edits(tree: n.Storyboard) -> list[CutEdit] | None:
    """The entries of the storyboard's ``cut`` block in order (the checker has made sure
    each names a clip once, with trims and fades that fit), or None without a block."""
    block = next((i for i in tree.items if isinstance(i, n.CutDecl)), None)
    if block is None:
        return None
    return [
        CutEdit(
            e.clip.name,
            (e.trim.start.seconds, e.trim.end.seconds) if e.trim is not None else None,
            e.fade.seconds if e.fade is not None and e.fade.millis else None,
        )
        for e in block.entries
    ]


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """What a file's streams are, as far as joining them goes (probed by :mod:`.media`)."""

    path: str
    video_codec: str
    width: int
    height: int
    pix_fmt: str
    time_base: Fraction
    rate: Fraction
    frames: int
    duration_s: float
    extradata: bytes = b""
    audio_codec: str | None = None
    sample_rate: int | None = None
    channels: int | None = None
    audio_extradata: bytes = b""
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: the part of the file the cut keeps (start s, end s); ``frames``/``duration_s``
    #: are then the kept part's (:func:`edited`)
    trim: tuple[float, float] | None = None
    fade_s: float | None = None  # a crossfade from the clip before into this one


def edited(info: StreamInfo, inp: CutInput) -> StreamInfo:
    """``info`` with ``inp``'s trim and fade: its frames and duration those of the part
    kept (the trim's end clamped to the file's length)."""
    if inp.trim is None and inp.fade_s is None:
        return info
    if inp.trim is None:
        return replace(info, fade_s=inp.fade_s)
    a, b = inp.trim
    b = min(b, info.duration_s) if info.duration_s > 0 else b
    a = min(a, b)
    frames = max(1, round(Fraction(b - a) * info.rate)) if info.rate else info.frames
    return replace(info, trim=(a, b), fade_s=inp.fade_s, frames=frames, duration_s=b - a)


def plan_inputs(
    order: Sequence[str],
    manifest: Mapping[str, Any] | None,
    *,
    take: int,
    command: Callable[[str], str],
    sources: Mapping[str, str] | None = None,
    shots: Mapping[str, tuple[tuple[float, float, str], ...]] | None = None,
    lookup: Callable[[str, int], Mapping[str, Any] | None] | None = None,
    gaps: Mapping[str, float] | None = None,
    edits: Mapping[str, CutEdit] | None = None,
) -> list[CutInput]:
    """The inputs of a cut, in ``order`` (the storyboard's clips).

    A clip's video comes from the manifest entry when that entry is of ``take`` and has a
    video, else from ``lookup(clip, take)`` (the state database's newest finished render:
    ``{"path", "seed", "task_id"}``).  A clip with neither raises :class:`ClipNotRendered`
    naming it and the command that renders it (``command(clip)``), unless ``gaps`` gives
    its length: then it is a slate of that length (:attr:`CutInput.gap_s`).  ``edits``
    (the ``cut`` block's entries by clip) give each input its trim and fade.
    """
    entries: dict[str, Mapping[str, Any]] = {}
    for e in (manifest or {}).get("clips", []) or []:
        if isinstance(e, Mapping) and isinstance(e.get("clip"), str):
            entries[e["clip"]] = e
    out: list[CutInput] = []
    for name in order:
        e = entries.get(name, {})
        source = (sources or {}).get(name) or _str(e.get("source"))
        path: str | None = None
        seed = task_id = None
        files = e.get("files") if isinstance(e.get("files"), Mapping) else None
        video = files.get("video") if files else None
        if e.get("take", 0) == take and isinstance(video, Mapping):  # done or reused
            path = _str(video.get("path"))
            seed, task_id = e.get("seed"), _str(e.get("task_id"))
        if path is None and lookup is not None:
            rec = lookup(name, take)
            if rec is not None:
                path, seed, task_id = _str(rec.get("path")), rec.get("seed"), rec.get("task_id")
        edit = (edits or {}).get(name) or CutEdit(name)
        if path is None and gaps is not None and name in gaps:
            gap = gaps[name] if edit.trim is None else edit.trim[1] - edit.trim[0]
            out.append(
                CutInput(
                    clip=name, take=take, path="", source=source, gap_s=gap, fade_s=edit.fade_s
                )
            )
            continue
        if path is None:
            raise ClipNotRendered(name, source, command(name))
        out.append(
            CutInput(
                clip=name,
                take=take,
                path=path,
                source=source,
                prompt=_str(e.get("prompt")),
                seed=seed if isinstance(seed, int) else None,
                task_id=task_id if isinstance(task_id, str) else None,
                shots=(shots or {}).get(name, ()),
                trim=edit.trim,
                fade_s=edit.fade_s,
            )
        )
    if out and all(i.gap_s is not None for i in out):
        raise ClipNotRendered(order[0], out[0].source, command(order[0]))
    return out


def copy_blocker(infos: Sequence[StreamInfo]) -> str | None:
    """Why ``infos`` cannot be joined by stream copy, or ``None`` when they can: the same
    video codec (and its parameters), size, pixel format, time base and frame rate, and
    the same audio (codec, rate, channels) or none at all, in every file."""
    if not infos:
        return "nothing to join"
    first = infos[0]
    edit = next((i for i in infos if i.trim is not None or i.fade_s), None)
    if edit is not None:
        what = "trims" if edit.trim is not None else "fades into"
        return f"the cut block {what} {edit.path}"
    if first.video_codec == SLATE:
        return f"clip {first.extra.get('clip')!r} is not rendered yet (a slate)"

    def key(i: StreamInfo) -> tuple[Any, ...]:
        return (i.video_codec, i.width, i.height, i.pix_fmt, i.time_base, i.rate, i.extradata)

    def akey(i: StreamInfo) -> tuple[Any, ...]:
        return (i.audio_codec, i.sample_rate, i.channels, i.audio_extradata)

    for other in infos[1:]:
        if other.video_codec == SLATE:
            return f"clip {other.extra.get('clip')!r} is not rendered yet (a slate)"
        if key(other) != key(first):
            return (
                f"{other.path} is {_desc(other)} but {first.path} is {_desc(first)}"
                if _desc(other) != _desc(first)
                else f"{other.path} has other codec parameters than {first.path}"
            )
        if akey(other) != akey(first):
            return f"{other.path} has other audio than {first.path}"
    return None


def _desc(i: StreamInfo) -> str:
    return (
        f"{i.video_codec} {i.width}x{i.height} {i.pix_fmt} {float(i.rate):g} fps tb {i.time_base}"
    )


def _str(v: object) -> str | None:
    return v if isinstance(v, str) else None
