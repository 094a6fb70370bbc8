"""Provenance in a video's own MP4 tags, shared by ``render`` (each clip) and ``cut``.

Every video seedance writes carries two container tags: ``comment`` says what it is
(``seedance clip ...`` or ``seedance cut ...``) and ``description`` is a JSON object
(storyboard, title, source hash, take, and the clip(s) with task id and ``.shot`` line).
So a file that leaves its render directory can still be traced (``seedance trace``).

The tags are added by a stream-copy remux (:func:`remux_with_tags`): packets are copied
untouched into a temporary file beside the video, which is then renamed over it.  When
the file is not one PyAV can remux, the original bytes are left exactly as they were.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._files import create_temp_beside

__all__ = [
    "CLIP_COMMENT_PREFIX",
    "CUT_COMMENT_PREFIX",
    "has_provenance",
    "provenance_tags",
    "read_provenance",
    "read_tags",
    "remux_with_tags",
]

#: the container comment every cut carries (how an earlier cut is known: free to remake)
CUT_COMMENT_PREFIX = "seedance cut"
#: the container comment every clip downloaded by ``render`` carries
CLIP_COMMENT_PREFIX = "seedance clip"

_KINDS = {CUT_COMMENT_PREFIX: "cut", CLIP_COMMENT_PREFIX: "clip"}


def provenance_tags(comment: str, doc: Mapping[str, Any], title: str | None) -> dict[str, str]:
    """The MP4 tags of a video: ``comment``, ``description`` (``doc`` as JSON), ``title``."""
    tags = {
        "comment": comment,
        "description": json.dumps(dict(doc), ensure_ascii=False, separators=(",", ":")),
    }
    if title:
        tags["title"] = title
    return tags


def read_tags(path: str | Path) -> dict[str, str]:
    """The container's metadata tags (``{}`` when the file cannot be read as a video)."""
    import av

    try:
        with av.open(str(path)) as f:
            return dict(f.metadata)
    except (av.error.FFmpegError, OSError, ValueError):
        return {}


def read_provenance(path: str | Path) -> dict[str, Any] | None:
    """``{"kind": "clip" | "cut", **description}`` from ``path``'s tags, or ``None``."""
    tags = read_tags(path)
    comment = tags.get("comment", "")
    kind = next((k for prefix, k in _KINDS.items() if comment.startswith(prefix)), None)
    if kind is None:
        return None
    try:
        doc = json.loads(tags.get("description", ""))
    except ValueError:
        return None
    return {"kind": kind, **doc} if isinstance(doc, dict) else None


_stamped: dict[tuple[str, int, int], bool] = {}


def has_provenance(path: str | Path) -> bool:
    """Whether ``path`` carries seedance provenance tags (cached by size and mtime)."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return False
    key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _stamped:
        if len(_stamped) > 4096:
            _stamped.clear()
        _stamped[key] = read_provenance(p) is not None
    return _stamped[key]


def remux_with_tags(path: Path, tags: Mapping[str, str]) -> bool:
    """Rewrite ``path`` with ``tags`` added, by stream copy (no re-encode: every packet is
    copied byte for byte), atomically (temporary file beside it, then a rename).

    Returns ``False``, with ``path`` untouched, when the file is not an ``.mp4`` whose
    every stream is audio or video that PyAV can read and write again."""
    import av

    if path.suffix.lower() != ".mp4":
        return False  # another container (.mov, .webm): written as mp4 it would change
    fd, tmp = create_temp_beside(path, ".mp4")
    os.close(fd)
    try:
        with av.open(str(path)) as src:
            streams = list(src.streams)
            if (
                not streams
                or not src.streams.video
                or any(s.type not in ("video", "audio") for s in streams)
                or "mp4" not in (src.format.name or "").split(",")
            ):
                raise ValueError("not an MP4 of audio and video streams")
            with av.open(str(tmp), "w", format="mp4") as out:
                for k, v in src.metadata.items():
                    out.metadata[k] = v
                for k, v in tags.items():
                    out.metadata[k] = v
                plan: dict[int, Any] = {}
                for s in streams:
                    o: Any = out.add_stream_from_template(s)
                    for k, v in s.metadata.items():
                        o.metadata[k] = v
                    plan[s.index] = o
                for pkt in src.demux(*streams):
                    if pkt.dts is None and pkt.pts is None:
                        continue  # the demuxer's flush packet
                    pkt.stream = plan[pkt.stream.index]
                    out.mux(pkt)
        os.replace(tmp, path)
    except (av.error.FFmpegError, OSError, ValueError, TypeError):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return True
