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
    "remember_provenance",
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
    return _provenance_of(read_tags(path))


_stamped: dict[tuple[str, int, int], bool] = {}

#: the MP4 (iTunes-style) metadata items :func:`_mp4_tags` reads
_ITEMS = {b"\xa9cmt": "comment", b"desc": "description", b"\xa9nam": "title"}
#: a moov atom larger than this is left to PyAV
_MOOV_MAX = 16 << 20


def _atoms(buf: bytes, start: int, end: int) -> dict[bytes, tuple[int, int]]:
    """The child atoms of ``buf[start:end]``: type -> (body start, body end) (the first
    of each type)."""
    found: dict[bytes, tuple[int, int]] = {}
    off = start
    while off + 8 <= end:
        size = int.from_bytes(buf[off : off + 4], "big")
        kind, head = buf[off + 4 : off + 8], 8
        if size == 1 and off + 16 <= end:
            size, head = int.from_bytes(buf[off + 8 : off + 16], "big"), 16
        elif size == 0:
            size = end - off
        if size < head or off + size > end:
            break
        found.setdefault(kind, (off + head, off + size))
        off += size
    return found


def _moov(path: Path) -> bytes | None:
    """The ``moov`` atom's body, read by seeking over the others (``mdat``: the media)."""
    with open(path, "rb") as f:
        while True:
            head = f.read(8)
            if len(head) < 8:
                return None
            size, kind, body = int.from_bytes(head[:4], "big"), head[4:], 8
            if size == 1:
                size, body = int.from_bytes(f.read(8), "big"), 16
            if kind == b"moov":
                if size == 0 or not body <= size <= _MOOV_MAX + body:
                    return None
                data = f.read(size - body)
                return data if len(data) == size - body else None
            if size < body:
                return None
            f.seek(size - body, os.SEEK_CUR)


def _mp4_tags(path: Path) -> dict[str, str]:
    """The comment, description and title of an MP4 as :func:`remux_with_tags` writes
    them (``moov/udta/meta/ilst``), read without PyAV; ``{}`` when not found there."""
    try:
        moov = _moov(path)
    except OSError:
        return {}
    if moov is None:
        return {}
    udta = _atoms(moov, 0, len(moov)).get(b"udta")
    meta = _atoms(moov, *udta).get(b"meta") if udta else None
    ilst = _atoms(moov, meta[0] + 4, meta[1]).get(b"ilst") if meta else None  # + version
    if ilst is None:
        return {}
    tags: dict[str, str] = {}
    for kind, (start, end) in _atoms(moov, *ilst).items():
        name = _ITEMS.get(kind)
        data = _atoms(moov, start, end).get(b"data") if name else None
        if name and data and data[1] - data[0] >= 8:  # type and locale, then the value
            with contextlib.suppress(UnicodeDecodeError):
                tags[name] = moov[data[0] + 8 : data[1]].decode("utf-8")
    return tags


def _provenance_of(tags: Mapping[str, str]) -> dict[str, Any] | None:
    comment = tags.get("comment", "")
    kind = next((k for prefix, k in _KINDS.items() if comment.startswith(prefix)), None)
    if kind is None:
        return None
    try:
        doc = json.loads(tags.get("description", ""))
    except ValueError:
        return None
    return {"kind": kind, **doc} if isinstance(doc, dict) else None


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
        # a file seedance stamped is recognised from its moov atom alone (no PyAV:
        # ~110 ms to import, then an av.open per file); anything else asks PyAV
        found = _provenance_of(_mp4_tags(p)) is not None
        _stamped[key] = found or read_provenance(p) is not None
    return _stamped[key]


def remember_provenance(path: str | Path) -> None:
    """``path`` has just been stamped (:func:`remux_with_tags` returned ``True``): so
    :func:`has_provenance` answers from memory, without opening the file again (a
    render's manifest asks about every clip it wrote; each read costs an ``av.open``)."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return
    if len(_stamped) > 4096:
        _stamped.clear()
    _stamped[(str(p.resolve()), st.st_size, st.st_mtime_ns)] = True


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
