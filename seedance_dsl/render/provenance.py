"""A clip's provenance, written into the MP4 ``render`` downloaded (see
:mod:`seedance_dsl.provenance`): storyboard, title, source hash, clip, take, task id,
seed, ``.shot`` line and prompt, so ``seedance trace`` works on a file moved anywhere.

The tags go in by a stream-copy remux and an atomic rename *before* the state database
records the file, so the size it records is the tagged file's: a re-run recognises it
as whole and never downloads (or pays) again.  A file that cannot be remuxed is kept
byte for byte as the server sent it, and is reported as carrying no provenance.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ..provenance import (
    CLIP_COMMENT_PREFIX,
    provenance_tags,
    remember_provenance,
    remux_with_tags,
)

__all__ = ["clip_tags", "stamp_clip"]


def clip_tags(
    *,
    storyboard: str,
    title: str | None,
    source_hash: str | None,
    clip: str,
    take: int,
    task_id: str | None,
    seed: int | None,
    source: str,
    prompt: str,
) -> dict[str, str]:
    """The MP4 tags of one rendered clip."""
    doc: dict[str, Any] = {
        "storyboard": storyboard,
        "title": title,
        "source_hash": source_hash,
        "clip": clip,
        "take": take,
        "task_id": task_id,
        "seed": seed,
        "source": source,
        "prompt": prompt,
    }
    comment = f"{CLIP_COMMENT_PREFIX} {clip} of {Path(storyboard).name} (take {take})"
    return provenance_tags(comment, doc, title)


async def stamp_clip(video: Path, tags: dict[str, str]) -> bool:
    """Add ``tags`` to the downloaded ``video`` (stream copy, atomic), off the event loop.
    ``False``: not written, the file is left as it was.  A stamped file is remembered
    as such: the manifest does not open it again to ask."""
    return await asyncio.to_thread(_stamp_and_remember, video, tags)


def _stamp_and_remember(video: Path, tags: dict[str, str]) -> bool:
    stamped = remux_with_tags(video, tags)
    if stamped:
        remember_provenance(video)
    return stamped
