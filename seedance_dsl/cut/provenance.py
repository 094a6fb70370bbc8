"""Where a video came from: ``seedance trace VIDEO.mp4``.

A cut carries its provenance in its MP4 tags (``comment`` says it is a seedance cut,
``description`` is a JSON object: storyboard, source hash, take, and per clip its task id
and ``.shot`` line).  A clip's video as ``render`` downloaded it carries the same tags
(``comment`` ``seedance clip ...``; see :mod:`seedance_dsl.provenance`); one without them
(rendered before, or a file PyAV could not remux) is traced through the ``manifest.json``
of the directory it lies in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..provenance import CUT_COMMENT_PREFIX, read_provenance
from .assemble import CutError

__all__ = ["CUT_COMMENT_PREFIX", "NotTraceable", "trace"]


class NotTraceable(CutError):
    """The file carries no seedance provenance and no manifest beside it lists it."""


def trace(path: Path) -> dict[str, Any]:
    """What is known of ``path``: ``{"kind": "cut", ...}`` from its tags, or
    ``{"kind": "clip", ...}`` from a clip's tags or else the manifest beside it.
    Raises :class:`NotTraceable`."""
    doc = read_provenance(path)
    if doc is not None:
        return {"file": str(path), **doc}
    entry, storyboard = _from_manifest(path)
    if entry is not None:
        return {
            "kind": "clip",
            "file": str(path),
            "storyboard": storyboard.get("path"),
            "title": storyboard.get("title"),
            "source_hash": storyboard.get("source_hash"),
            "clip": entry.get("clip"),
            "take": entry.get("take"),
            "task_id": entry.get("task_id"),
            "seed": entry.get("seed"),
            "source": entry.get("source"),
            "prompt": entry.get("prompt"),
        }
    raise NotTraceable(
        f"{path} carries no seedance provenance",
        help="only a `seedance cut` output (its MP4 tags) or a rendered clip in its "
        "render directory (next to its manifest.json) can be traced",
    )


def _from_manifest(path: Path) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    manifest = path.parent / "manifest.json"
    from ..render.manifest_file import ManifestError, read_manifest

    try:
        doc = read_manifest(manifest)
    except ManifestError:
        return None, {}  # a manifest that is not one lists nothing
    if doc is None:
        return None, {}
    me = path.resolve()
    for e in doc.get("clips", []) or []:
        if not isinstance(e, dict):
            continue
        video = (e.get("files") or {}).get("video") or {}
        p = video.get("path") if isinstance(video, dict) else None
        if isinstance(p, str) and (Path(p).resolve() == me or Path(p).name == path.name):
            sb = doc.get("storyboard")
            return e, sb if isinstance(sb, dict) else {}
    return None, {}
