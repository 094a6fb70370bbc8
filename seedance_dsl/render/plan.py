"""``seedance plan``: what a render would do, from the state database alone (no network).

For each clip: **submit** (a new render), **reuse** (this exact request was rendered
before against this server), **resume** (a render of it is in flight: it will be polled,
not paid again) or **wait** (it needs an output of a clip that is not rendered yet), and
an estimate of its credits (:mod:`.pricing`).  The same decisions drive
:mod:`.runner`, so the plan is what a render does.  How renders are named (server
namespace, storyboard id, request hash, output directory) is :mod:`.identity`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import UsageError
from .events import diagnostics_json
from .identity import (
    SANDBOX_SERVER,
    default_out_dir,
    loopback_allowed,
    request_hash,
    sandbox_files_gone,
    storyboard_id,
)
from .pricing import PriceTable
from .redaction import redact_request
from .state import RenderRecord, StateDB

if TYPE_CHECKING:
    from ..compiler.model import ClipOutputs, CompiledClip, CompiledStoryboard
    from ..syntax.diagnostics import Diagnostic

__all__ = ["Plan", "PlanEntry", "decide", "make_plan", "render_order"]

Action = Literal["submit", "reuse", "resume", "wait", "invalid"]


def render_order(storyboard: CompiledStoryboard, selected: Sequence[str] | None) -> list[str]:
    """The clips to render (the selection plus everything it needs), dependencies first,
    otherwise in file order."""
    names = [c.name for c in storyboard.clips]
    graph = storyboard.graph
    if selected:
        unknown = [s for s in selected if s not in graph]
        if unknown:
            raise UsageError(
                f"no clip named {', '.join(repr(u) for u in unknown)} in {storyboard.path}",
                help=f"clips in this storyboard: {', '.join(names) or '(none)'}",
            )
        wanted: set[str] = set()
        stack = list(selected)
        while stack:
            n = stack.pop()
            if n in wanted:
                continue
            wanted.add(n)
            stack.extend(d for d in graph.get(n, ()) if d in graph)
    else:
        wanted = set(names)
    order: list[str] = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def visit(n: str) -> None:
        if n in placed:
            return
        if n in visiting:
            raise UsageError(f"clip {n!r} depends on itself (a cycle in the clip graph)")
        visiting.add(n)
        for d in graph.get(n, ()):
            if d in wanted:
                visit(d)
        visiting.discard(n)
        placed.add(n)
        order.append(n)

    for n in names:
        if n in wanted:
            visit(n)
    return order


@dataclass(frozen=True, slots=True)
class PlanEntry:
    clip: str
    action: Action
    reason: str
    credits_estimate: int
    depends_on: tuple[str, ...] = ()
    waits_on: tuple[str, ...] = ()
    idempotency_key: str | None = None
    request: Mapping[str, Any] | None = None
    record: RenderRecord | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "clip": self.clip,
            "action": self.action,
            "reason": self.reason,
            "credits_estimate": self.credits_estimate,
            "depends_on": list(self.depends_on),
            "waits_on": list(self.waits_on),
            "idempotency_key": self.idempotency_key,
            # without a presigned URL's query (an earlier clip's output URL)
            "request": redact_request(self.request) if self.request is not None else None,
            "task_id": self.record.task_id if self.record else None,
        }


@dataclass(frozen=True, slots=True)
class PlannedUpload:
    """A local file ``render`` would upload (its bytes are not in the store yet)."""

    name: str  # the asset's name (the first, when the same bytes have several)
    path: str
    size: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "size": self.size, "sha256": self.sha256}


@dataclass(frozen=True, slots=True)
class Plan:
    storyboard: str
    title: str
    server: str
    take: int
    entries: tuple[PlanEntry, ...]
    prices: PriceTable
    #: where the videos and manifest.json go
    out_dir: str | None = None
    #: the storyboard's warnings (a plan is only made of a storyboard without errors)
    diagnostics: tuple[Diagnostic, ...] = ()
    #: the texts of the storyboard's files (to draw the diagnostics at their lines)
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    #: the local files render would upload before the first submit (not yet in the store)
    uploads: tuple[PlannedUpload, ...] = ()
    #: the store they would go to (``None``: the in-process sandbox, or none configured)
    upload_store: str | None = None
    #: what to know about the uploads (no store configured, the sandbox starts empty)
    upload_note: str = ""

    @property
    def total_estimate(self) -> int:
        """Estimated credits of everything that would be submitted (submit + wait)."""
        return sum(e.credits_estimate for e in self.entries if e.action in ("submit", "wait"))

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in self.entries:
            out[e.action] = out.get(e.action, 0) + 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "storyboard": self.storyboard,
            "title": self.title,
            "server": self.server,
            "take": self.take,
            "out_dir": self.out_dir,
            "diagnostics": diagnostics_json(self.diagnostics),
            "clips": [e.to_json() for e in self.entries],
            "counts": self.counts(),
            "credits_estimate_total": self.total_estimate,
            "uploads": [u.to_json() for u in self.uploads],
            "upload_bytes": sum(u.size for u in self.uploads),
            "upload_store": self.upload_store,
            "upload_note": self.upload_note,
            "estimate_note": (
                "credit figures are ESTIMATES from a price table ("
                + self.prices.source
                + "); the server's credits_used is the real charge"
            ),
        }


def decide(
    clip: CompiledClip,
    outputs: Mapping[str, ClipOutputs],
    *,
    db: StateDB | None,
    server: str,
    storyboard: str,
    take: int,
    prices: PriceTable,
) -> PlanEntry:
    """The plan for one clip whose inputs are all in ``outputs``."""
    resolved = _resolved(clip, outputs, server, take)
    if isinstance(resolved, PlanEntry):
        return resolved
    payload, key, body_hash = resolved
    estimate = prices.estimate(payload)
    rec = db.latest_for(server, storyboard, clip.name, take, body_hash) if db else None
    if rec is not None and rec.state in ("done", "completed") and sandbox_files_gone(rec):
        return PlanEntry(
            clip.name,
            "submit",
            "the files of an earlier sandbox render are gone; rendering again (free)",
            estimate,
            clip.depends_on,
            idempotency_key=rec.idempotency_key,
            request=payload,
            record=rec,
        )
    if rec is not None and rec.state in ("done", "completed"):
        return PlanEntry(
            clip.name,
            "reuse",
            f"unchanged since task {rec.task_id} rendered it",
            0,
            clip.depends_on,
            idempotency_key=rec.idempotency_key,
            request=payload,
            record=rec,
        )
    if rec is not None and rec.in_flight:
        what = f"task {rec.task_id}" if rec.task_id else "a submit whose answer was lost"
        return PlanEntry(
            clip.name,
            "resume",
            f"in flight ({what}); will be polled, not paid again",
            0,
            clip.depends_on,
            idempotency_key=rec.idempotency_key,
            request=payload,
            record=rec,
        )
    return PlanEntry(
        clip.name,
        "submit",
        _submit_reason(rec, db, server=server, storyboard=storyboard, clip=clip.name, take=take),
        estimate,
        clip.depends_on,
        idempotency_key=key,
        request=payload,
        record=rec,
    )


def _resolved(
    clip: CompiledClip, outputs: Mapping[str, ClipOutputs], server: str, take: int
) -> PlanEntry | tuple[dict[str, Any], str, str]:
    """The body a clip sends, its Idempotency-Key and its hash (or the ``invalid``
    entry).  A clip without placeholders sends its compiled payload, which the
    compiler's own rule checks (:mod:`seedance_dsl.api.rules`) already passed.  A clip
    filled with earlier outputs is checked by the same rules as the renderer's request
    (:class:`~seedance_dsl.api.RequestBody`).  Neither imports pydantic (start-up
    time, docs/benchmarks.md)."""
    if not clip.slots and not clip.local_references:
        import hashlib

        from ..compiler.model import canonical_json

        payload = dict(clip.payload)
        body = canonical_json(payload)
        return payload, clip.preview_key(take), hashlib.sha256(body.encode("utf-8")).hexdigest()
    from ..api.body import RequestRejected

    try:
        request = clip.resolve(
            outputs, allow_loopback_http=loopback_allowed(server), assets=pending_uploads(clip)
        )
    except RequestRejected as exc:
        return PlanEntry(
            clip.name,
            "invalid",
            f"the request breaks an API rule: {exc}",
            0,
            clip.depends_on,
        )
    return (
        request.to_payload(),
        clip.idempotency_key(request, take),
        request_hash(request, clip),
    )


def _submit_reason(
    rec: RenderRecord | None,
    db: StateDB | None,
    *,
    server: str,
    storyboard: str,
    clip: str,
    take: int,
) -> str:
    """Why a clip is submitted (again)."""
    if rec is not None and rec.state == "failed":
        return f"retry: task {rec.task_id} failed ({rec.error_code or 'error'})"
    if rec is not None and rec.state == "rejected":
        return f"retry: the server refused it before ({rec.error_code or 'error'})"
    previous = db.latest_done(server, storyboard, clip, take) if db is not None else None
    if previous is not None:
        return f"request changed since task {previous.task_id}"
    if take:
        return f"new render (take {take})"
    return "not rendered yet"


def _live_inputs(entries: list[PlanEntry], prices: PriceTable) -> list[PlanEntry]:
    """``--sandbox``: a clip that will be submitted needs live output URLs of its
    inputs, and an earlier in-process sandbox's are gone, so an input clip it would
    reuse is rendered again (free), as the renderer does."""
    from dataclasses import replace

    by_name = {e.clip: i for i, e in enumerate(entries)}
    out = list(entries)
    for e in entries:
        if e.action not in ("submit", "wait"):
            continue
        for d in e.depends_on:
            i = by_name.get(d)
            if i is not None and out[i].action == "reuse":
                request = out[i].request
                out[i] = replace(
                    out[i],
                    action="submit",
                    credits_estimate=prices.estimate(request) if request is not None else 0,
                    reason=f"rendered again (free): {e.clip} needs a live output URL "
                    "and the earlier sandbox is gone",
                )
    return out


def make_plan(
    storyboard: CompiledStoryboard,
    *,
    server: str,
    clips: Sequence[str] | None = None,
    take: int = 0,
    prices: PriceTable | None = None,
    db: StateDB | None = None,
    out_dir: str | Path | None = None,
) -> Plan:
    """What ``render`` would do now.  Reads the state database (if any); no network."""
    from ..compiler.model import ClipOutputs

    prices = prices or PriceTable()
    sid = storyboard_id(storyboard)
    own_db = db is None and StateDB.exists_for(storyboard.path)
    if own_db:
        db = StateDB.for_storyboard(storyboard.path, readonly=True)
    try:
        outputs: dict[str, ClipOutputs] = {}
        pending: set[str] = set()
        entries: list[PlanEntry] = []
        for name in render_order(storyboard, clips):
            clip = storyboard.clip(name)
            missing = tuple(d for d in clip.depends_on if d not in outputs)
            if missing:
                blocked = [d for d in missing if d not in pending]
                reason = "waits for " + ", ".join(missing)
                if blocked:
                    reason += " (which cannot be rendered)"
                entries.append(
                    PlanEntry(
                        name,
                        "wait" if not blocked else "invalid",
                        reason,
                        prices.estimate(clip.payload) if not blocked else 0,
                        clip.depends_on,
                        waits_on=missing,
                    )
                )
                if not blocked:
                    pending.add(name)
                continue
            # --take N applies to the clips asked for; the clips they need keep take 0
            clip_take = 0 if take and clips and name not in clips else take
            entry = decide(
                clip, outputs, db=db, server=server, storyboard=sid, take=clip_take, prices=prices
            )
            entries.append(entry)
            if entry.action == "reuse" and entry.record is not None:
                rec = entry.record
                outputs[name] = ClipOutputs(rec.video_url or "", rec.last_frame_url)
            elif entry.action in ("submit", "resume"):
                pending.add(name)
        if server == SANDBOX_SERVER:
            entries = _live_inputs(entries, prices)
        return Plan(
            sid,
            storyboard.title,
            server,
            take,
            tuple(entries),
            prices,
            out_dir=str(out_dir or default_out_dir(storyboard.path, server)),
            diagnostics=tuple(d for d in storyboard.diagnostics if not d.is_error),
            sources=dict(storyboard.sources),
        )
    finally:
        if own_db and db is not None:
            db.close()


def pending_uploads(clip: CompiledClip) -> dict[str, str]:
    """Stand-in URLs for the local files of ``clip`` before the upload step (``plan``
    and the render preflight): content-addressed, so the entry says what will go."""
    return {
        r.name: f"https://pending-upload.invalid/sha256/{r.local_sha256 or r.name}"
        for r in clip.local_references
    }


def planned_uploads(
    storyboard: CompiledStoryboard,
    clips: Sequence[str] | None,
    conn: sqlite3.Connection | None,
    store_id: str | None,
) -> tuple[PlannedUpload, ...]:
    """The local files of the clips ``render`` would render (``clips`` and what they
    need) whose bytes are not recorded in ``asset_uploads`` for ``store_id`` — each
    once, as the upload step sends them.  ``store_id`` ``None``: every file."""
    wanted = set(render_order(storyboard, clips))
    there: set[tuple[str, int]] = set()
    if conn is not None and store_id is not None:
        try:
            rows = conn.execute(
                "SELECT sha256, size FROM asset_uploads WHERE store = ?", (store_id,)
            ).fetchall()
        except sqlite3.OperationalError:  # no upload was ever recorded
            rows = []
        there = {(str(sha), int(size)) for sha, size in rows}
    out: dict[str, PlannedUpload] = {}
    for clip in storyboard.clips:
        if clip.name not in wanted:
            continue
        for r in clip.local_references:
            f = r.local_file
            if f is None or f.sha256 in out or (f.sha256, f.size) in there:
                continue
            out[f.sha256] = PlannedUpload(r.name, f.path, f.size, f.sha256)
    return tuple(out.values())
