"""A cut as an OpenTimelineIO timeline (``seedance cut FILE --timeline out.otio``).

One video track; one clip per storyboard clip, in order, each with its real length (the
frames probed from its file), a source range over the whole file, a reference to the
file, the clip's prompt, seed, task id and ``.shot`` line under ``metadata["seedance"]``,
and a marker per shot (its timecode and text).  The format follows the file's suffix
(``.otio``; ``.otioz`` and the adapters' formats where their plugins are installed).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

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


def build_timeline(title: str, inputs: Sequence[CutInput], infos: Sequence[StreamInfo]) -> object:
    import opentimelineio as otio

    timeline = otio.schema.Timeline(name=title)
    track = otio.schema.Track(name="Video", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    for inp, info in zip(inputs, infos, strict=True):
        rate = float(info.rate) if info.rate else 24.0
        length = otio.opentime.RationalTime(info.frames, rate)
        whole = otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), length)
        ref = otio.schema.ExternalReference(
            target_url=Path(inp.path).resolve().as_uri(), available_range=whole
        )
        clip = otio.schema.Clip(
            name=inp.clip if not inp.take else f"{inp.clip} (take {inp.take})",
            media_reference=ref,
            source_range=whole,
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
            start_t = otio.opentime.RationalTime(round(start * rate), rate)
            dur = otio.opentime.RationalTime(round((end - start) * rate), rate)
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

    timeline = build_timeline(title, inputs, infos)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        otio.adapters.write_to_file(timeline, str(path))
    except otio.exceptions.NoKnownAdapterForExtensionError as exc:
        raise _no_adapter(path) from exc
    except OSError as exc:
        raise CutError(f"cannot write the timeline {path}: {exc.strerror or exc}") from exc
