"""The manifest's entries, assembled from what the run knows.

Each clip of a run keeps the record the state database returned when the clip's
record was last written (:meth:`.state.StateDB.update` returns it), so the manifest is
built from memory after every clip: no read of the database per manifest.  The JSON
shape is :mod:`.manifest`'s (docs/rendering.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..provenance import has_provenance
from .manifest import iso
from .redaction import strip_query
from .state import RenderRecord

__all__ = ["ClipFacts", "manifest_entry"]


@dataclass(frozen=True, slots=True)
class ClipFacts:
    """One clip as the run knows it when the manifest is written."""

    clip: str
    status: str
    reason: str
    prompt: str
    take: int
    request: Mapping[str, Any] | None
    source: str
    record: RenderRecord | None


def _files(rec: RenderRecord) -> dict[str, Any]:
    files: dict[str, Any] = {}
    if rec.video_path and rec.state == "done":
        files["video"] = {
            "path": rec.video_path,
            "bytes": rec.video_bytes,
            "provenance": has_provenance(rec.video_path),
        }
        if rec.frame_path:
            files["last_frame"] = {"path": rec.frame_path, "bytes": rec.frame_bytes}
    return files


def manifest_entry(facts: ClipFacts) -> dict[str, Any]:
    """The manifest's entry of one clip."""
    entry: dict[str, Any] = {
        "clip": facts.clip,
        "status": str(facts.status),
        "reason": facts.reason or None,
        "prompt": facts.prompt,
        "take": facts.take,
        "request": dict(facts.request) if facts.request is not None else None,
        "source": facts.source,
    }
    rec = facts.record
    if rec is None:
        return entry
    entry.update(
        task_id=rec.task_id,
        idempotency_key=rec.idempotency_key,
        credits_used=rec.credits_used,
        credits_refunded=rec.credits_refunded,
        seed=rec.seed,
        error=({"code": rec.error_code, "message": rec.error_message} if rec.error_code else None),
        timings={
            "intent_at": iso(rec.created_at),
            "submitted_at": iso(rec.submitted_at),
            "completed_at": iso(rec.completed_at),
            "downloaded_at": iso(rec.downloaded_at),
            "render_s": rec.render_s,
        },
        # a presigned output URL's query is a credential for the paid video: not kept
        urls={
            "video": strip_query(rec.video_url) if rec.video_url else None,
            "last_frame": strip_query(rec.last_frame_url) if rec.last_frame_url else None,
        },
        files=_files(rec),
    )
    return entry
