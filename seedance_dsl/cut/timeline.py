"""A cut as an OpenTimelineIO timeline (``seedance cut FILE --timeline out.otio``).

One video track; one clip per storyboard clip, in order, each with its real length (the
frames probed from its file), a source range over the whole file, a reference to the
file, the clip's prompt, seed, task id and ``.shot`` line under ``metadata["seedance"]``,
and a marker per shot (its timecode and text).  The ``cut { }`` block's trims are the
clips' source ranges; a fade is an SMPTE dissolve centred on the cut (half the fade's
frames each side, taken from the clips' ends, as OpenTimelineIO counts transitions), so
the track lasts as long as the cut's video.  The format follows the file's suffix
(``.otio``; ``.otioz`` and the adapters' formats where their plugins are installed).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .assemble import CutError, CutInput, StreamInfo

__all__ = ["check_timeline_format", "write_timeline"]


def check_timeline_format(path: Path) -> None:
    """Raise :class:`CutError` now (before any video is written) when no OpenTimelineIO
    adapter writes ``path``'s suffix."""
    import opentimelineio as otio

    try:
        adapter = otio.adapters.from_filepath(str(path))
    except otio.exceptions.NoKnownAdapterForExtensionError as exc:
        raise _no_adapter(path) from exc
    if not adapter.has_feature("write_to_file") and not adapter.has_feature("write_to_string"):
        raise _no_adapter(path)


def _no_adapter(path: Path) -> CutError:
    return CutError(
        f"no OpenTimelineIO adapter writes {path.suffix or 'files without a suffix'}",
        help="use --timeline NAME.otio (or .otioz); other formats need their "
        "OpenTimelineIO adapter plugin installed",
    )


#: the formats that keep any frame rate; the others (EDL, FCP XML) need a timecode rate
NATIVE_SUFFIXES = (".otio", ".otioz", ".otiod")


def edit_rate(rate: float) -> float:
    """A SMPTE timecode rate to express ``rate`` in: itself when it is one, else the first
    of 24, 25, 30, 48, 50, 60 it divides (12 fps -> 24), else the nearest one."""
    import opentimelineio as otio

    rt = otio.opentime.RationalTime
    if rt.is_smpte_timecode_rate(rate):
        return rate
    for cand in (24.0, 25.0, 30.0, 48.0, 50.0, 60.0):
        if rate > 0 and (cand / rate).is_integer():
            return cand
    return float(rt.nearest_smpte_timecode_rate(rate))


def build_timeline(
    title: str,
    inputs: Sequence[CutInput],
    infos: Sequence[StreamInfo],
    *,
    timecode_rate: bool = False,
) -> object:
    """The timeline; with ``timecode_rate``, every time is expressed at a SMPTE rate
    (:func:`edit_rate`), as EDL and FCP XML require."""
    import opentimelineio as otio

    timeline = otio.schema.Timeline(name=title)
    track = otio.schema.Track(name="Video", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    items = list(zip(inputs, infos, strict=True))
    # frames each item gives up to a dissolve: (at its start, at its end)
    halves = [[0, 0] for _ in items]
    fades: dict[int, tuple[int, int, float]] = {}
    for k in range(1, len(items)):
        info = items[k][1]
        if not info.fade_s:
            continue
        rate = float(info.rate) if info.rate else 24.0
        total = round(info.fade_s * rate)
        before, after = total // 2, total - total // 2  # the in and out offsets
        halves[k - 1][1] = after  # the clip before ends where the dissolve is centred
        halves[k][0] = before  # and this one starts there
        fades[k] = (before, after, rate)
    for k, (inp, info) in enumerate(items):
        head, tail = halves[k]
        if k in fades:
            before, after, frate = fades[k]
            fer = edit_rate(frate) if timecode_rate else frate
            track.append(
                otio.schema.Transition(
                    name=f"fade into {inp.clip}",
                    transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                    in_offset=otio.opentime.RationalTime(before, frate).rescaled_to(fer),
                    out_offset=otio.opentime.RationalTime(after, frate).rescaled_to(fer),
                    metadata={"seedance": {"fade_s": info.fade_s}},
                )
            )
        rate = float(info.rate) if info.rate else 24.0
        if inp.gap_s is not None:  # --gaps: a clip not rendered yet
            er = edit_rate(rate) if timecode_rate else rate
            length = otio.opentime.RationalTime(info.frames - head - tail, rate).rescaled_to(er)
            gap = otio.schema.Gap(name=f"{inp.clip} (not rendered)", duration=length)
            gap.metadata["seedance"] = {"clip": inp.clip, "source": inp.source, "gap": True}
            track.append(gap)
            continue
        er = edit_rate(rate) if timecode_rate else rate

        def at(value: float, rate: float = rate, er: float = er) -> Any:
            return otio.opentime.RationalTime(value, rate).rescaled_to(er)

        first = round(info.trim[0] * rate) if info.trim is not None else 0
        kept = otio.opentime.TimeRange(at(first + head), at(info.frames - head - tail))
        # a trimmed clip's file lasts at least to the kept part's end (its trim is clamped
        # to the file's length): the range the editors' formats need covers that much
        whole = otio.opentime.TimeRange(at(0), at(first + info.frames))
        ref = otio.schema.ExternalReference(
            target_url=Path(inp.path).resolve().as_uri(), available_range=whole
        )
        clip = otio.schema.Clip(
            name=inp.clip if not inp.take else f"{inp.clip} (take {inp.take})",
            media_reference=ref,
            source_range=kept,
        )
        clip.metadata["seedance"] = {
            "clip": inp.clip,
            "take": inp.take,
            "prompt": inp.prompt,
            "seed": inp.seed,
            "task_id": inp.task_id,
            "source": inp.source,
            "file": inp.path,
        }
        for number, (start, end, text) in enumerate(inp.shots, 1):
            start_t = at(round(start * rate))
            dur = at(round((end - start) * rate))
            marker = otio.schema.Marker(
                name=f"Shot {number} ({start:g}–{end:g} s): {text}",
                marked_range=otio.opentime.TimeRange(start_t, dur),
                metadata={
                    "seedance": {"shot": number, "start_s": start, "end_s": end, "text": text}
                },
            )
            clip.markers.append(marker)
        track.append(clip)
    return timeline


def write_timeline(
    path: Path, title: str, inputs: Sequence[CutInput], infos: Sequence[StreamInfo]
) -> None:
    """Write the timeline to ``path`` (the adapter follows the suffix)."""
    import opentimelineio as otio

    native = path.suffix.lower() in NATIVE_SUFFIXES
    timeline = build_timeline(title, inputs, infos, timecode_rate=not native)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        otio.adapters.write_to_file(timeline, str(path))
    except otio.exceptions.NoKnownAdapterForExtensionError as exc:
        raise _no_adapter(path) from exc
    except OSError as exc:
        raise CutError(f"cannot write the timeline {path}: {exc.strerror or exc}") from exc
    except Exception as exc:  # an adapter plugin's own refusal: never a traceback
        raise CutError(
            f"the OpenTimelineIO adapter for {path.suffix} could not write {path}: "
            f"{type(exc).__name__}: {exc}",
            help="write --timeline NAME.otio, which keeps everything, and convert it "
            "with `otioconvert`",
        ) from exc
