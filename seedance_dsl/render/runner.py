"""The render scheduler: every clip rendered once, fast, inside the rate limit, resumable.

One asyncio task (the *dispatcher*) asks the sans-IO core (:func:`.control.next_action`)
what the next request is — a poll that is due, or the submit of a clip whose inputs
exist — reserves a slot of the shared request budget (:class:`.budget.SharedBudget`,
the client's limiter) and starts it with that slot.  Polls go first: they free
concurrency slots and unblock dependent clips.  Downloads are not API requests and run
beside it.  Each action returns an outcome; one place (:meth:`Renderer._apply`) applies
it, and every change of a clip's status goes through the lifecycle table
(:mod:`.lifecycle`), which also says what the clip's record in the state database
(:mod:`.state`) becomes.  The intent to submit is written before the submit is sent.

The parts: :class:`.control.ConcurrencyController` (tasks in flight: a ``503
service_busy`` lowers it to what the server accepted, each finished task raises it by
``1/limit``, up to ``--concurrency``), :class:`.control.CreditLedger` (credits charged
and reserved), :class:`.netwatch.NetworkWatch` (the bound on silence),
:mod:`.assembly` (the manifest, from what the run knows).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from .._timing import mark, mark_once
from ..api.spec import CONTRACT
from ..client import errors as cerr
from ..client.policy import RETRY_KINDS, ClientEvent, ClientEventKind
from ..compiler.model import idempotency_key as derive_key
from ..secret import ensure_no_secret
from .assembly import ClipFacts, manifest_entry
from .budget import SharedBudget
from .control import (
    SLOW_START,
    ConcurrencyController,
    CreditLedger,
    Refuse,
    Start,
    next_action,
)
from .diagnose import locate_field, server_diagnostic
from .events import (
    TERMINAL,
    UNFINISHED,
    ClipResult,
    ClipStatus,
    EventSink,
    RenderEvent,
    RenderSummary,
    diagnostics_json,
)
from .expectations import ExpKey, RenderTimes, kind_of
from .identity import (
    SANDBOX_SERVER,
    OutputConflict,
    loopback_allowed,
    request_hash,
    sandbox_files_gone,
    storyboard_id,
)
from .lifecycle import Event, Phase, step
from .manifest import iso, write_manifest
from .netwatch import NetworkWatch
from .outputs import foreign_owner, output_paths, place_files, sweep_partial_files
from .plan import render_order
from .polling import PollPolicy, measure_render_time
from .preflight import DiskError, write_failure
from .pricing import PriceTable
from .redaction import redact_request, redact_request_json, redact_text
from .state import RenderRecord, StateDB, StateError

if TYPE_CHECKING:
    from ..api.body import RequestBody, SubmitResponse
    from ..api.models import Task
    from ..client.ratelimit import Slot
    from ..compiler.model import ClipOutputs, CompiledClip, CompiledStoryboard

DEFAULT_CONCURRENCY = 32

__all__ = [
    "DEFAULT_CONCURRENCY",
    "SLOW_START",
    "RenderClient",
    "RenderOptions",
    "Renderer",
    "locate_field",
]


class RenderClient(Protocol):
    """What the renderer needs of :class:`seedance_dsl.client.AsyncSeedanceClient`."""

    async def submit(
        self,
        request: RequestBody,
        idempotency_key: str,
        *,
        retry: Any = None,
        slot: Slot | None = None,
    ) -> SubmitResponse: ...

    async def get_task(self, task_id: str, *, slot: Slot | None = None) -> Task: ...

    async def download(self, url: str, path: Path) -> Path: ...


@dataclass(frozen=True, slots=True)
class RenderOptions:
    clips: Sequence[str] | None = None
    take: int = 0
    max_credits: int | None = None
    #: the most tasks kept in flight (the server may allow fewer: 503 adapts it down)
    concurrency: int = DEFAULT_CONCURRENCY
    prices: PriceTable = field(default_factory=PriceTable)
    poll: PollPolicy = field(default_factory=PollPolicy)
    #: give up (exit 3, state saved) after this long without any answer from the server
    network_grace_s: float = 300.0
    #: the same, while the server has not answered once in this run (a wrong base URL,
    #: a server that is not running): fail sooner
    first_contact_grace_s: float = 30.0
    #: downloads running at once
    download_concurrency: int = 4
    #: the client's retry policy for submits (``None``: the client's own)
    submit_retry: Any = None
    #: a task still processing this long after its submit is reported as stuck (kept,
    #: never resubmitted; the next run polls it again): limit ``render_task_timeout``
    task_timeout_s: float = 3600.0
    #: asset name -> URL of each local file the storyboard uses (after the upload step,
    #: render/local_assets.py): fills the compiled placeholders
    asset_urls: Mapping[str, str] = field(default_factory=dict)
    #: where local files are uploaded for a real service (an ``assets.store.AssetStore``,
    #: e.g. ``S3Store``); ``None``: the sandbox under ``--sandbox``, else an error
    store: Any = None
    #: probe the remote asset URLs before the first submit (render/local_assets.py)
    url_preflight: bool = False
    #: what the manifest records of each uploaded local file (path, sha256, URL without
    #: its query, expiry): render/local_assets.py UploadedAsset.to_json()
    local_files: Sequence[Mapping[str, Any]] = ()
    #: ``() -> store`` for renewing an expired chained input (render/inputs.py): the
    #: store above, the sandbox's, or the profile's; ``None``: ``store`` only
    store_factory: Callable[[], Any] | None = None
    #: an output URL that does not say when it expires is taken to live this long after
    #: its task completed (limit ``output_url_lifetime``)
    output_url_lifetime_s: float = 86400.0
    #: a chained input must stay valid this long when its clip is submitted, else it is
    #: renewed (limit ``output_url_margin``)
    output_url_margin_s: float = 900.0


@dataclass(slots=True)
class _Clip:
    compiled: CompiledClip
    status: ClipStatus = "waiting"
    reason: str = ""
    #: the request as sent (chained inputs renewed, render/inputs.py)
    request: RequestBody | None = None
    #: the request with the original output URLs: its hash and key (a renewal is the
    #: same intent, never a second charge)
    identity: RequestBody | None = None
    #: its expired chained inputs are being renewed / were checked (render/inputs.py)
    renewing: bool = False
    inputs_checked: bool = False
    #: what is sent has renewed chained inputs (``request`` differs from ``identity``)
    inputs_renewed: bool = False
    key: str = ""
    hash: str = ""
    attempt: int = 0
    estimate: int = 0
    #: the clip's record as the state database last returned it
    record: RenderRecord | None = None
    task_id: str | None = None
    exp_key: ExpKey = ("", "", 0)
    submit_sent: float = 0.0  # monotonic
    submit_answered: float = 0.0
    submitted_wall: float | None = None
    seen_processing_s: float = 0.0  # elapsed at the last poll that saw it processing
    #: that poll's time from :meth:`anchor` (the tail's steps are counted from it)
    seen_since_anchor: float | None = None
    next_poll_at: float = 0.0
    retry_at: float = 0.0
    polls: int = 0
    requests: int = 0
    busy_retries: int = 0
    conflicts: int = 0
    not_found: int = 0
    outputs: ClipOutputs | None = None
    result: ClipResult | None = None
    started_mono: float | None = None
    fresh: bool = False  # the intent was first recorded by this run
    #: cold run: this clip's polls learn its kind's render time (``probe``), or it is not
    #: polled until that is known (``held``); see :mod:`.polling`
    probe: bool = False
    held: bool = False

    def anchor(self, max_advance_s: float) -> float:
        """When the server most likely created the task: halfway between the submit's
        send and its answer (the answer also waits for the client to read it), at most
        ``max_advance_s`` before the answer (a submit the client retried was created
        by its last attempt).  Polls are scheduled from here: the learned render times
        are the server's ``created_at``→``updated_at``."""
        return self.submit_answered - min(
            max(0.0, self.submit_answered - self.submit_sent) / 2, max_advance_s
        )

    @property
    def name(self) -> str:
        return self.compiled.name

    @property
    def record_id(self) -> int | None:
        return self.record.id if self.record is not None else None


# -- what an action returns (one place applies it: Renderer._apply) ------------------


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    response: SubmitResponse | None = None
    error: cerr.SeedanceError | None = None


@dataclass(frozen=True, slots=True)
class PollOutcome:
    sent: float
    task: Task | None = None
    error: cerr.SeedanceError | None = None


@dataclass(frozen=True, slots=True)
class DownloadOutcome:
    reused: bool
    video: Path
    frame: Path | None
    stamped: bool = False
    error: cerr.SeedanceError | None = None


Outcome = SubmitOutcome | PollOutcome | DownloadOutcome


def _import_finishing() -> None:
    """What polling and finishing a clip need and submitting does not: the pydantic
    models of the task answers (~70 ms; a submit is sent and its answer parsed without
    them, api/body.py) and PyAV (the provenance stamp, ~80 ms).  A thread imports them
    while the first renders run."""
    from ..api import models  # noqa: F401

    with contextlib.suppress(Exception):  # the stamp itself reports a missing PyAV
        import av  # noqa: F401

        from . import provenance  # noqa: F401


async def _wait_event(event: asyncio.Event, timeout: float | None) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout)


#: how the dispatcher waits for something to happen (``timeout``: ``None`` = no bound);
#: a test passes one that advances a fake clock instead
Idle = Callable[[asyncio.Event, float | None], Awaitable[None]]

_DEP_WHAT = {
    "stuck": "is stuck on the server",
    "failed": "failed",
    "skipped": "was skipped",
    "over_budget": "was not submitted (over --max-credits)",
    "no_credits": "was not submitted (insufficient credits)",
    "interrupted": "was interrupted",
}


class Renderer:
    """Render the clips of one compiled storyboard against one server."""

    def __init__(
        self,
        storyboard: CompiledStoryboard,
        *,
        client: RenderClient,
        budget: SharedBudget,
        db: StateDB,
        server: str,
        out_dir: Path,
        options: RenderOptions | None = None,
        on_event: EventSink | None = None,
        sandbox_netloc: str | None = None,
        clock: Any = time.monotonic,
        idle: Idle = _wait_event,
    ) -> None:
        self.sb = storyboard
        self.client = client
        self.budget = budget
        self.db = db
        self.server = server
        self.out_dir = out_dir.absolute()
        self.opts = options or RenderOptions()
        self._emit_cb = on_event
        self._sandbox_netloc = sandbox_netloc
        self._clock = clock
        self._idle = idle
        self.sid = storyboard_id(storyboard)
        self.allow_loopback = loopback_allowed(server)
        order = render_order(storyboard, self.opts.clips)
        self.clips: dict[str, _Clip] = {n: _Clip(storyboard.clip(n)) for n in order}
        self._wake = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        learned = db.fact(server, "accepted_in_flight") or 0.0
        self.concurrency = ConcurrencyController(self.opts.concurrency, learned)
        self.ledger = CreditLedger(self.opts.max_credits)
        self.net = NetworkWatch(
            self._now,
            grace_s=self.opts.network_grace_s,
            first_contact_grace_s=self.opts.first_contact_grace_s,
        )
        self._t0 = clock()
        self._interrupt_reason: str | None = None
        self._fatal: cerr.SeedanceError | None = None
        self._credits_stopped = False
        self._budget_stopped = False
        self.times = RenderTimes(db, server)
        self._dl_sem = asyncio.Semaphore(max(1, self.opts.download_concurrency))
        #: earlier clip -> its outputs with renewed URLs (what is sent; never its identity)
        self._renewed: dict[str, ClipOutputs] = {}
        self._renewed_at: dict[str, float] = {}  # when those were handed out
        self._seed_budget()
        self.submits = 0
        self.polls = 0
        self._posts_sent = 0
        self._posts_unsent = 0
        self.rate_limited = 0
        self.busy = 0
        #: (clip, completed per server or None, noticed wall time) for the benchmarks
        self.notices: list[tuple[str, str | None, float]] = []

    def _seed_budget(self) -> None:
        """The account's rate window outlives a process: count what earlier runs sent
        (a re-run right after Ctrl-C or kill -9 must not earn a 429), log what we send."""
        if self.server == SANDBOX_SERVER:
            return
        budget, db, server = self.budget, self.db, self.server
        span = budget.window_s + budget.margin_s + budget.arrival_slack_s
        now_wall = time.time()
        budget.seed([now_wall - at for at in db.recent_requests(server, span, now_wall)])
        budget.on_take = lambda: db.log_request(server, time.time())

    # ------------------------------------------------------------------ events

    def _now(self) -> float:
        return float(self._clock())

    def _emit(
        self,
        kind: str,
        c: _Clip | None = None,
        message: str = "",
        **data: Any,
    ) -> None:
        if self._emit_cb is None:
            return
        ev = RenderEvent(
            kind=kind,
            t=self._now() - self._t0,
            clip=c.name if c else None,
            status=c.status if c else None,
            message=redact_text(message),
            data=data,
        )
        self._emit_cb(ev)

    def on_client_event(self, event: ClientEvent) -> None:
        """Hook for the client's ``on_event``: counts 429 answers and sent submits."""
        # one ``rate_limited`` event per 429 (its ``request`` event is not counted again)
        if event.kind is ClientEventKind.RATE_LIMITED:
            self.rate_limited += 1
        # submit attempts that left this machine, and those that never did (a failed name
        # look-up or connect): a submit cut off by the stop is counted only if it may
        # have been sent
        if event.kind is ClientEventKind.REQUEST and event.method == "POST":
            if event.sent:
                self._posts_sent += 1
            else:
                self._posts_unsent += 1
        # what the server did inside a call still in progress (the client retrying)
        if event.kind in RETRY_KINDS:
            status, code = event.status, event.code
            self.net.last_error = (
                f"HTTP {status} {code}, retried by the client"
                if status is not None
                else f"no answer ({code}), retried by the client"
            )

    def interrupt(self, reason: str = "interrupted") -> None:
        """Stop soon and cleanly (Ctrl-C): every step so far is in the state database."""
        if self._interrupt_reason is None:
            self._interrupt_reason = reason
        self._wake.set()

    # ------------------------------------------------------------ the lifecycle

    def _keep(self, c: _Clip, rec: RenderRecord) -> RenderRecord:
        c.record = rec
        return rec

    def _move(self, c: _Clip, event: Event, **record_fields: Any) -> None:
        """The one place a clip's status changes: the lifecycle table says to what, and
        what its record becomes (written first, with ``record_fields``)."""
        t = step(c.status, event)
        if t.record is not None:
            assert c.record is not None, f"{event}: clip {c.name} has no record"
            self._keep(c, self.db.update(c.record.id, state=str(t.record), **record_fields))
        else:
            assert not record_fields, f"{event} writes no record"
        if c.status == "submitting":
            self.ledger.release(c.name)
        if t.target == Phase.SUBMITTING:
            self.ledger.reserve(c.name, c.estimate)
        leaving = c.status == "rendering" and t.target != Phase.RENDERING
        c.status = t.target.value
        if leaving:
            c.held = False
            if c.probe:
                c.probe = False
                self._release_held(c.exp_key)
            self._tighten_tail()

    # -------------------------------------------------------------- expectations

    # --------------------------------------------------------------- preparation

    def _deps_state(self, c: _Clip) -> tuple[bool, str | None]:
        """(all inputs available, reason this clip cannot run)."""
        ready = True
        for d in c.compiled.depends_on:
            dep = self.clips.get(d)
            if dep is None:
                continue
            if dep.status in UNFINISHED:
                return False, f"input clip {d} {_DEP_WHAT[dep.status]}"
            if dep.outputs is None:
                ready = False
        return ready, None

    def _outputs(self) -> dict[str, ClipOutputs]:
        return {n: c.outputs for n, c in self.clips.items() if c.outputs is not None}

    def _stale(self, outputs: ClipOutputs) -> bool:
        """Outputs of an earlier in-process sandbox, which is gone."""
        if self._sandbox_netloc is None or self.server != SANDBOX_SERVER:
            return False
        return urlsplit(outputs.video_url).netloc != self._sandbox_netloc

    def _retry_key(self, c: _Clip, attempt: int) -> str:
        request = c.identity
        assert request is not None
        if attempt == 0:
            return c.compiled.idempotency_key(request, self._take(c.name))
        return derive_key(
            self.sb.title,
            f"{c.name}#retry{attempt}",
            c.compiled.identity_json(request),
            self._take(c.name),
        )

    def _resolve(self, c: _Clip, outputs: Mapping[str, ClipOutputs]) -> RequestBody | None:
        from ..api.body import RequestRejected

        try:
            return c.compiled.resolve(
                outputs, allow_loopback_http=self.allow_loopback, assets=self.opts.asset_urls
            )
        except RequestRejected as exc:
            self._fail(
                c, Event.INVALID, "invalid_request", f"the request breaks an API rule: {exc}"
            )
            return None

    def _prepare(self, c: _Clip) -> None:
        """Inputs exist: resolve the request and decide (reuse, resume, or submit).  The
        hash and key come from the original output URLs (``c.identity``); what is sent
        (``c.request``) has the renewed ones (render/inputs.py)."""
        identity = self._resolve(c, self._outputs())
        if identity is None:
            return
        c.identity = c.request = identity
        c.hash = request_hash(identity, c.compiled)
        payload = identity.to_payload()
        c.exp_key = kind_of(payload)
        c.estimate = self.opts.prices.estimate(payload)
        rec = self.db.latest_for(self.server, self.sid, c.name, self._take(c.name), c.hash)
        if rec is not None and rec.state in ("done", "completed") and rec.video_url:
            self._prepare_rendered(c, rec)
            return
        resumes = rec is not None and rec.in_flight and rec.task_id and not self._sandboxed
        if not resumes:  # it will be submitted: its chained inputs must still be valid
            if self._renewal_started(c):
                return
            if self._renewed and c.compiled.slots:
                sent = self._resolve(c, {**self._outputs(), **self._renewed})
                if sent is None:
                    return
                c.request = sent
                c.inputs_renewed = sent != identity
        if rec is not None and rec.in_flight:
            self._prepare_in_flight(c, rec)
        else:
            if rec is not None and rec.state == "failed":
                c.attempt = rec.attempt + 1
            elif rec is not None:
                c.attempt = rec.attempt
            c.key = self._retry_key(c, c.attempt)
            self._move(c, Event.NEW)
            self._emit("ready", c, credits_estimate=c.estimate)

    @property
    def _sandboxed(self) -> bool:
        return self.server == SANDBOX_SERVER

    # ------------------------------------------------ chained inputs (render/inputs.py)

    def _renewal_started(self, c: _Clip) -> bool:
        """Whether a chained input of ``c`` expires too soon and its renewal has started
        (``c`` waits for it); checked once per run."""
        from .inputs import chained_inputs, stale_inputs

        if c.inputs_checked or not c.compiled.slots:
            return False
        c.inputs_checked = True
        issued: dict[str, float | None] = {}
        for d in c.compiled.depends_on:
            dep = self.clips.get(d)
            rec = dep.record if dep is not None else None
            issued[d] = rec.completed_at if rec is not None else None
            issued[d] = self._renewed_at.get(d, issued[d])
        sent = {**self._outputs(), **self._renewed}
        inputs = chained_inputs(
            c.compiled, sent, issued, lifetime_s=self.opts.output_url_lifetime_s
        )
        stale = stale_inputs(inputs, now=time.time(), margin_s=self.opts.output_url_margin_s)
        if not stale:
            return False
        c.renewing = True
        self._spawn(self._renew(c, stale, sent))
        return True

    async def _renew(self, c: _Clip, stale: Sequence[Any], sent: Mapping[str, ClipOutputs]) -> None:
        from .inputs import InputExpired, renew_inputs

        try:
            got = await renew_inputs(
                stale,
                sent,
                refetch=self._refetch,
                local_file=self._downloaded_file,
                store_of=self._store_of,
                margin_s=self.opts.output_url_margin_s,
                lifetime_s=self.opts.output_url_lifetime_s,
                storyboard=self.sb.path,
            )
        except InputExpired as exc:
            c.renewing = False
            field_path = exc.input.field if exc.input is not None else ""
            span = c.compiled.source_map.get(field_path) or c.compiled.span
            message = f"{exc.message}; to fix it: {exc.help}"
            self._fail(c, Event.INPUT_EXPIRED, "input_expired", message, location=str(span))
            return
        c.renewing = False
        self._renewed.update(got.outputs)
        self._renewed_at.update(dict.fromkeys(got.outputs, time.time()))
        if got.uploads:
            from ..assets.store import record_uploads

            record_uploads(self.db.connection, self._store_of(), got.uploads)
        for message, data in got.events:
            self._emit("input_renewed", c, message, **data)

    async def _refetch(self, name: str) -> ClipOutputs | str:
        """The outputs of clip ``name``'s task as the server gives them now."""
        from ..compiler.model import ClipOutputs

        dep = self.clips.get(name)
        task_id = dep.task_id or (dep.record.task_id if dep.record else None) if dep else None
        if task_id is None:
            return "was not possible (no task id is recorded)"
        slot = await self.budget.reserve()
        self.polls += 1
        try:
            task = await self._net_call(self.client.get_task(task_id, slot=slot))
        except cerr.SeedanceError as exc:
            return f"was refused ({self._describe(exc)})"
        finally:
            slot.done()
        out = task.output
        if task.status != "completed" or out is None or not out.video_url:
            return f"is {task.status} without outputs"
        return ClipOutputs(out.video_url, out.last_frame_url)

    def _downloaded_file(self, name: str, output: str) -> Path | str:
        """The file downloaded for an output of clip ``name`` (whole, as recorded)."""
        dep = self.clips.get(name)
        rec = dep.record if dep is not None else None
        if rec is None:
            return "nothing was downloaded for it"
        path, size = (
            (rec.video_path, rec.video_bytes)
            if output == "video"
            else (rec.frame_path, rec.frame_bytes)
        )
        if not path:
            return "nothing was downloaded for it"
        p = Path(path)
        if not p.is_file() or (size is not None and p.stat().st_size != size):
            return f"the downloaded file {p} is missing or changed"
        return p

    def _store_of(self) -> Any:
        if self.opts.store is not None:
            return self.opts.store
        factory = self.opts.store_factory
        return factory() if factory is not None else None

    def _prepare_rendered(self, c: _Clip, rec: RenderRecord) -> None:
        """This exact request was rendered before: reuse it, unless it is an earlier
        in-process sandbox's whose outputs are needed live (render again, free)."""
        from ..compiler.model import ClipOutputs

        outs = ClipOutputs(rec.video_url or "", rec.last_frame_url)
        needs_fresh = self._stale(outs) and (
            sandbox_files_gone(rec)  # nothing left to download them from
            or any(self._needs_submit_with(child) for child in self._children(c.name))
        )
        c.key, c.attempt = rec.idempotency_key, rec.attempt
        self._keep(c, rec)
        if not needs_fresh:
            c.task_id = rec.task_id
            c.outputs = outs
            self._reuse(c, rec)
            return
        # an in-process sandbox's outputs die with it: render again (free) so that
        # the clips that need them get live URLs
        self._move(c, Event.RERENDER, task_id=None)
        c.reason = "outputs of an earlier sandbox are gone; rendering again (free)"
        self._emit("ready", c, c.reason)

    def _prepare_in_flight(self, c: _Clip, rec: RenderRecord) -> None:
        """A submit of an earlier run: poll its task, or re-send it (same key)."""
        c.key, c.attempt = rec.idempotency_key, rec.attempt
        self._keep(c, rec)
        if rec.task_id and self.server != SANDBOX_SERVER:
            c.task_id = rec.task_id
            self._move(c, Event.RESUME)
            c.submitted_wall = rec.submitted_at
            elapsed = time.time() - (rec.submitted_at or time.time())
            c.submit_sent = c.submit_answered = self._now() - max(0.0, elapsed)
            c.next_poll_at = self._now()
            c.reason = f"resuming task {rec.task_id}"
            self._result(c).credits_used = int(rec.credits_used or 0)
            self._result(c).charged_earlier = True
            self._emit("resumed", c, c.reason, task_id=rec.task_id)
        else:
            self._move(c, Event.RESEND)
            c.reason = "re-sending an unanswered submit with the same Idempotency-Key"
            self._emit("ready", c, c.reason)

    def _take(self, name: str) -> int:
        """``--take N`` applies to the clips asked for; the clips they need keep take 0."""
        if self.opts.take and self.opts.clips and name not in self.opts.clips:
            return 0
        return self.opts.take

    def _children(self, name: str) -> list[_Clip]:
        return [c for c in self.clips.values() if name in c.compiled.depends_on]

    def _needs_submit_with(self, child: _Clip) -> bool:
        """Would ``child`` be submitted (not reused) with the stored outputs of its inputs?"""
        from ..api.body import RequestRejected
        from ..compiler.model import ClipOutputs

        if child.status != "waiting":
            return False
        outs: dict[str, ClipOutputs] = {}
        for d in child.compiled.depends_on:
            dep = self.clips.get(d)
            if dep is not None and dep.outputs is not None:
                outs[d] = dep.outputs
                continue
            rec = self.db.latest_done(self.server, self.sid, d, self._take(d))
            if rec is None or not rec.video_url:
                return True
            outs[d] = ClipOutputs(rec.video_url, rec.last_frame_url)
        try:
            req = child.compiled.resolve(
                outs, allow_loopback_http=self.allow_loopback, assets=self.opts.asset_urls
            )
        except (KeyError, RequestRejected):
            return True
        rec = self.db.latest_for(
            self.server,
            self.sid,
            child.name,
            self._take(child.name),
            request_hash(req, child.compiled),
        )
        # a sandbox render whose files are gone is rendered again too
        return rec is None or rec.state not in ("done", "completed") or sandbox_files_gone(rec)

    # ------------------------------------------------------------------ outcomes

    def _result(self, c: _Clip) -> ClipResult:
        if c.result is None:
            c.result = ClipResult(c.name, c.status, credits_estimate=c.estimate)
        c.result.status = c.status
        c.result.task_id = c.task_id
        c.result.requests = c.requests
        return c.result

    def _fail(
        self,
        c: _Clip,
        event: Event,
        code: str | None,
        message: str,
        *,
        location: str | None = None,
        **record_fields: Any,
    ) -> None:
        # a server's or the client's message may quote a presigned URL: never its query
        message = redact_text(message)
        if isinstance(record_fields.get("error_message"), str):
            record_fields["error_message"] = redact_text(record_fields["error_message"])
        self._move(c, event, **record_fields)
        c.reason = message
        r = self._result(c)
        r.error_code, r.error_message, r.reason, r.location = code, message, message, location
        self._emit(
            "failed",
            c,
            message,
            error={"code": code, "message": message},
            location=location,
            diagnostic=r.diagnostic,
            credits_refunded=r.credits_refunded,
            task_id=c.task_id,
        )
        self._manifest_due_now()

    def _end(self, c: _Clip, event: Event, reason: str, **record_fields: Any) -> None:
        self._move(c, event, **record_fields)
        c.reason = reason
        r = self._result(c)
        r.reason = reason
        self._emit(c.status, c, reason)

    def _reuse(self, c: _Clip, rec: RenderRecord) -> None:
        r = self._result(c)
        r.credits_used = 0
        r.render_s = rec.render_s
        ok = self._files_ok(c, rec)
        if ok is not None:
            self._move(c, Event.REUSE)
            r.video_path, r.frame_path = ok
            r.reason = f"unchanged since task {rec.task_id}"
            self._result(c)
            self._emit("reused", c, r.reason, task_id=rec.task_id, video=r.video_path)
            self._manifest_due_now()
            return
        self._move(c, Event.REFETCH)
        c.reason = "rendered before; fetching the files again"
        self._spawn(self._download(c, rec, reused=True))

    def _files_ok(self, c: _Clip, rec: RenderRecord) -> tuple[str, str | None] | None:
        """The record's files, copied into the output directory if needed."""
        want_video, want_frame = self._paths(rec.clip, rec.video_url, rec.last_frame_url)
        if not place_files(rec, want_video, want_frame):
            return None
        assert rec.video_path is not None
        if want_video.resolve() != Path(rec.video_path).resolve():
            frame_path = str(want_frame) if rec.frame_path and want_frame else rec.frame_path
            self._keep(c, self.db.update(rec.id, video_path=str(want_video), frame_path=frame_path))
        frame = str(want_frame) if rec.frame_path and want_frame else None
        return str(want_video), frame

    def _paths(
        self, clip: str, video_url: str | None, frame_url: str | None
    ) -> tuple[Path, Path | None]:
        return output_paths(self.out_dir, clip, self._take(clip), video_url, frame_url)

    # ------------------------------------------------------------------ the loop

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._running.add(task)

        def done(t: asyncio.Task[None]) -> None:
            self._running.discard(t)
            self._wake.set()
            if not t.cancelled() and t.exception() is not None and self._fatal is None:
                exc = t.exception()
                self._crash = exc

        task.add_done_callback(done)

    _crash: BaseException | None = None

    def _advance(self) -> None:
        progressed = True
        while progressed:
            progressed = False
            for c in self.clips.values():
                if c.status != "waiting" or c.renewing:
                    continue
                ready, why = self._deps_state(c)
                if why is not None:
                    self._end(c, Event.SKIP, why)
                    progressed = True
                elif ready:
                    self._prepare(c)
                    progressed = True

    def _in_flight(self) -> int:
        return sum(1 for c in self.clips.values() if c.status in ("submitting", "rendering"))

    def _next_action(self, now: float) -> Start | float:
        """The request to start now, or the seconds until something is due; clips that
        may never be submitted end here."""
        while True:
            decision = next_action(
                self.clips.values(),
                now,
                cap=self.concurrency.limit,
                ledger=self.ledger,
                stopping=bool(self._interrupt_reason or self._fatal),
                credits_stopped=self._credits_stopped,
            )
            if isinstance(decision, Refuse):
                self._refuse(self.clips[decision.clip.name], decision.phase)
                continue
            return decision if isinstance(decision, Start) else decision.seconds

    def _refuse(self, c: _Clip, phase: Phase) -> None:
        if phase == Phase.NO_CREDITS:
            self._end(
                c, Event.NO_CREDITS, "not submitted: the server reported insufficient credits"
            )
            return
        self._budget_stopped = True
        self._end(
            c,
            Event.OVER_BUDGET,
            f"not submitted: ~{c.estimate} credits (estimate) would exceed "
            f"--max-credits {self.opts.max_credits} ({self.ledger.committed_text()})",
        )

    def _done(self) -> bool:
        return not self._running and all(c.status in TERMINAL for c in self.clips.values())

    def _emit_warnings(self) -> None:
        """The storyboard's warnings (as `seedance check` draws them), before any submit:
        a clip whose dialogue will not be heard is still paid for."""
        warnings = [d for d in self.sb.diagnostics if not d.is_error]
        if not warnings:
            return
        from ..syntax.report import render_human

        n = len(warnings)
        self._emit(
            "warnings",
            None,
            f"{n} warning{'' if n == 1 else 's'} in {self.sb.path}",
            diagnostics=diagnostics_json(warnings),
            text=render_human(warnings, self.sb.sources),
        )

    def _check_out_dir(self) -> None:
        """Refuse (before anything is sent) to write into a directory that holds videos
        another server rendered: they were paid for, and one manifest.json serves one
        server.  Animatics of ``--sandbox`` are free and may be replaced."""
        foreign = foreign_owner(self.out_dir, self.manifest_path, self.db, self.sid, self.server)
        if foreign is not None:
            where = "--sandbox" if self.server == SANDBOX_SERVER else self.server
            raise OutputConflict(
                f"{self.out_dir} holds renders made (and paid for) on {foreign}; "
                f"rendering on {where} there would overwrite them; nothing was submitted",
                help="choose another directory with --out (the files there are kept as they are)",
            )

    async def run(self) -> RenderSummary:
        self._t0 = self._now()
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._check_out_dir()
        sweep_partial_files(self.out_dir)
        self._emit_warnings()
        self._emit(
            "start",
            None,
            f"rendering {len(self.clips)} clip(s) of {self.sb.path}",
            storyboard=self.sb.path,
            server=self.server,
            clips=list(self.clips),
            out_dir=str(self.out_dir),
            max_credits=self.opts.max_credits,
            take=self.opts.take,
        )
        try:
            await self._loop()
        except asyncio.CancelledError:
            self.interrupt("cancelled")
            await self._stop_all()
        except Exception as exc:
            # a write that failed (a full or read-only disk): stop like an interruption,
            # exit 3; the state database holds every step committed before
            self._write_failed = write_failure(exc)
            if self._write_failed is None:
                raise
            self.interrupt(self._write_failed.message)
            await self._stop_all()
            self._interrupt_reason = self._write_failed.format()  # the summary: with help
        return self._summary()

    _write_failed: DiskError | None = None

    #: a clip's outcome is committed in the state database but not yet in manifest.json:
    #: written once per batch of outcomes (when the loop has nothing to start), not
    #: once per clip; the next run rewrites it from the database if this one dies first
    _manifest_due = False
    #: since when an outcome waits for it (the run's clock); while clips keep finishing
    #: it is written when no download is in flight (their ends wake the loop) and the
    #: loop is not about to poll again, and at the latest MANIFEST_EVERY_S after the
    #: first outcome it lacks: downloads that end a few ms apart are one batch
    _manifest_due_since = float("inf")
    MANIFEST_EVERY_S = 5.0

    def _manifest_due_now(self) -> None:
        if not self._manifest_due:
            self._manifest_due = True
            self._manifest_due_since = self._now()

    def _flush_manifest(self) -> None:
        if self._manifest_due:
            self._manifest_due = False
            self._write_manifest()

    def _flush_manifest_batch(self, timeout: float | None) -> None:
        """The loop's one write point before it idles (for ``timeout``): the batch is
        whole when no clip is being submitted, polled or downloaded and the loop is not
        about to act again within two minimal poll intervals (the run's tail, whose next
        completion would need another write), or an outcome has waited long enough."""
        if not self._manifest_due:
            return
        if self._now() - self._manifest_due_since >= self.MANIFEST_EVERY_S:
            self._flush_manifest()
            return
        if any(self._acting(c) for c in self.clips.values()):
            return
        if timeout is None or timeout >= 2 * self.opts.poll.min_interval_s:
            self._flush_manifest()

    @staticmethod
    def _acting(c: _Clip) -> bool:
        """A submit, poll or download of ``c`` is under way (its outcome is coming)."""
        if c.status in ("submitting", "downloading"):
            return True
        return c.status == "rendering" and c.next_poll_at == float("inf")

    async def _loop(self) -> None:
        await self._dispatch()
        self._flush_manifest()  # a stop writes it in _stop_all

    async def _dispatch(self) -> None:
        while True:
            if self._crash is not None:
                crash, self._crash = self._crash, None
                if write_failure(crash) is None:
                    await self._stop_all()
                raise crash
            if self._interrupt_reason or self._fatal:
                await self._stop_all()
                return
            self._advance()
            if self._done():
                return
            now = self._now()
            grace = self.net.grace()
            silent = self.net.silent_since()
            if silent is not None and now - silent > grace:
                self.interrupt(self.net.silence_message(now - silent))
                continue
            action = self._next_action(now)
            if isinstance(action, Start):
                wait = self.budget.time_until_available()
                if wait <= 0:
                    await self._start(action)
                    continue
            else:
                wait = action
            self._wake.clear()
            if self._done():
                return
            timeout = None if wait == float("inf") else max(0.0, wait)
            if silent is not None:  # wake up in time to keep the bound on silence
                timeout = min(timeout or float("inf"), max(0.0, silent + grace - now) + 0.01)
            if timeout is not None and timeout <= 0:
                await asyncio.sleep(0)
                continue
            self._flush_manifest_batch(timeout)
            if self._warm_up_due(silent, timeout):
                self._warmed = True  # idle with renders under way: import the rest now
                threading.Thread(target=_import_finishing, name="seedance-warm-up").start()
            await self._idle(self._wake, timeout)

    #: the imports of finishing a clip have been started (:func:`_import_finishing`)
    _warmed = False

    def _warm_up_due(self, silent: float | None, timeout: float | None) -> bool:
        """Start the finishing imports now?  Once renders are under way, every call has
        been answered (``silent`` is ``None``: a thread importing PyAV holds the GIL for
        tens of ms, which would delay the submits still being sent and their answers,
        and so every clip's first poll) and the loop is about to sleep a while."""
        if self._warmed or not self.submits or silent is not None:
            return False
        return timeout is None or timeout > 0.2

    async def _start(self, action: Start) -> None:
        """Reserve the request's slot, then start it with that slot."""
        c = self.clips[action.clip.name]
        slot = await self.budget.reserve()
        c.requests += 1
        if action.kind == "poll":
            c.next_poll_at = float("inf")
            self._spawn(self._with_slot(slot, self._poll(c, slot)))
        else:
            self._move(c, Event.DISPATCH)
            self._spawn(self._with_slot(slot, self._submit(c, slot)))

    @staticmethod
    async def _with_slot(slot: Slot, action: Awaitable[None]) -> None:
        """Run ``action``; a slot its request never used counts from its end."""
        try:
            await action
        finally:
            slot.done()

    async def _stop_all(self) -> None:
        for t in list(self._running):
            t.cancel()
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        self._running.clear()
        # why the run stopped is said once (the summary's message); each clip says where
        # it was left and what the next run does with it
        for c in self.clips.values():
            if c.status not in TERMINAL:
                self._end(c, Event.INTERRUPT, self._left_at(c))
        if self._write_failed is None:
            self._write_manifest()
        else:  # the disk that failed may not take the manifest either
            with contextlib.suppress(OSError, DiskError, StateError):
                self._write_manifest()

    def _left_at(self, c: _Clip) -> str:
        """Where a clip was when the run stopped, and what the next run does with it."""
        if c.status == "rendering" and c.task_id:
            return f"task {c.task_id} in flight; the next run polls it (not paid again)"
        if c.status == "submitting":
            return (
                "submit sent, answer not received; the next run re-sends it with the same "
                "Idempotency-Key (not paid twice)"
            )
        if c.status == "downloading":
            return "rendered; the download did not finish; the next run downloads it again"
        return "not started"

    # ------------------------------------------------------------------ network

    def _net_fail(self, exc: cerr.SeedanceError, since: float | None = None) -> None:
        """A call got no useful answer: nothing, or a refusal (503, 429, 5xx, 409 "still
        running").  The bound on silence counts from when that call was sent
        (``since``), not from when the client gave up retrying it."""
        what = self._describe(exc)
        if self.net.fail(what, since):
            # say it once per outage, so a run that waits on the network says why
            doing = "does not answer" if exc.status is None else "refuses the requests"
            self._emit(
                "network",
                None,
                f"the server {doing} ({what}); retrying, giving up after "
                f"{self.net.grace():g} s without a useful answer (state is saved)",
            )

    @staticmethod
    def _describe(exc: cerr.SeedanceError) -> str:
        if exc.status is None:
            return f"no answer: {exc.message}"
        return f"HTTP {exc.status} {exc.code}: {exc.message}"

    async def _net_call(self, call: Awaitable[Any]) -> Any:
        """Await one submit or poll, known as in progress while it runs (the loop stops
        a render whose server keeps a call unanswered past the bound)."""
        token = self.net.begin()
        self._wake.set()  # the loop re-plans its sleep with this call in view
        try:
            return await call
        finally:
            self.net.end(token)

    def _backoff(self, n: int) -> float:
        base = max(self.opts.poll.min_interval_s, 0.05)
        return min(self.opts.poll.max_interval_s, base * float(1 << min(n, 6)))

    # ------------------------------------------------------------------ actions

    def _apply(self, c: _Clip, outcome: Outcome) -> None:
        """The one place an action's outcome changes the run."""
        if isinstance(outcome, SubmitOutcome):
            if outcome.response is not None:
                self._accepted(c, outcome.response)
            else:
                assert outcome.error is not None
                self._submit_refused(c, outcome.error)
        elif isinstance(outcome, PollOutcome):
            if outcome.task is not None:
                self._polled(c, outcome.task)
            else:
                assert outcome.error is not None
                self._poll_failed(c, outcome.error, outcome.sent)
        else:
            self._downloaded(c, outcome)

    async def _submit(self, c: _Clip, slot: Slot) -> None:
        assert c.request is not None
        # defence in depth: an output URL of another clip could carry the key too
        ensure_no_secret(c.request.canonical_json(), where=f"the request of clip {c.name}")
        if c.record is None:
            c.fresh = self.db.get(self.server, c.key) is None
            rec = self.db.record_intent(
                server=self.server,
                storyboard=self.sid,
                clip=c.name,
                take=self._take(c.name),
                attempt=c.attempt,
                request_hash=c.hash,
                idempotency_key=c.key,
                # the body as sent, without a presigned URL's query (render/redaction.py)
                request_json=redact_request_json(c.request.canonical_json()),
            )
            self._keep(c, rec)
        self._emit("submitting", c, key=c.key, credits_estimate=c.estimate)
        c.submit_sent = self._now()
        self.submits += 1
        mark_once("first_post")
        mark("post")
        posts = (self._posts_sent, self._posts_unsent)
        retry = {"retry": self.opts.submit_retry} if self.opts.submit_retry is not None else {}
        try:
            resp = await self._net_call(self.client.submit(c.request, c.key, slot=slot, **retry))
        except asyncio.CancelledError:  # the run stops while the client retries
            if self._posts_sent == posts[0] and self._posts_unsent > posts[1]:
                self.submits -= 1  # every attempt so far failed before leaving this machine
            raise
        except cerr.SeedanceError as exc:
            self._apply(c, SubmitOutcome(error=exc))
            return
        self._apply(c, SubmitOutcome(response=resp))

    def _submit_refused(self, c: _Clip, exc: cerr.SeedanceError) -> None:
        """A submit that got no 2xx (in the order the client's errors nest)."""
        if isinstance(exc, cerr.InsufficientCredits):
            self._no_credits(c, exc)
        elif isinstance(exc, cerr.ServiceBusy):
            self._busy(c, exc)
        elif isinstance(exc, cerr.InvalidRequest):
            self._invalid(c, exc)
        elif isinstance(exc, cerr.IdempotencyConflict):
            self._conflict(c, exc)
        elif isinstance(exc, cerr.Unauthorized):
            self._fatal = exc
            self._move(c, Event.RETRY_LATER)
            self._wake.set()
        elif isinstance(exc, (cerr.NotFound, cerr.UnexpectedResponse)):
            self.net.ok()
            self._fail(
                c,
                Event.REFUSED,
                exc.code,
                f"the server refused the submit: {exc.message}",
                error_code=exc.code,
                error_message=exc.message,
            )
        else:
            # transport error, timeout, 500, 429 after retries: unknown whether it was
            # committed; the same key later is safe either way
            if isinstance(exc, cerr.TransportError) and not exc.reached_server:
                self.submits -= 1  # never left this machine: not a submit
            self._net_fail(exc, c.submit_sent)
            self._move(c, Event.RETRY_LATER)
            c.retry_at = self._now() + self._backoff(2)

    def _no_credits(self, c: _Clip, exc: cerr.SeedanceError) -> None:
        self.net.ok()
        self._credits_stopped = True
        self._end(
            c,
            Event.CREDITS_EXHAUSTED,
            "not submitted: insufficient credits (HTTP 402); clips in flight carry on",
            error_code=exc.code,
            error_message=exc.message,
        )
        self._emit("credits_exhausted", None, str(exc.message))

    def _busy(self, c: _Clip, exc: cerr.SeedanceError) -> None:
        self.busy += 1
        others = self._in_flight() - 1
        if others >= 1:
            self.net.ok()  # the server's concurrency limit: tasks are in flight
        else:
            self._net_fail(exc, c.submit_sent)  # it refuses everything: bounded
        learned = self.concurrency.on_busy(others)
        if learned is not None:
            self.db.set_fact(self.server, "accepted_in_flight", learned)
        c.busy_retries += 1
        self._move(c, Event.BUSY)
        c.retry_at = self._now() + (self._backoff(c.busy_retries) if others <= 0 else 0.0)
        limit = self.concurrency.limit
        self._emit(
            "busy",
            c,
            f"server busy (503); keeping {limit} task(s) in flight",
            concurrency=limit,
        )

    def _invalid(self, c: _Clip, exc: cerr.SeedanceError) -> None:
        self.net.ok()
        field_path = locate_field(c.compiled, exc.message or "")
        span = c.compiled.source_map.get(field_path) if field_path else None
        span = span or c.compiled.span
        self._result(c).diagnostic = server_diagnostic(self.sb, c.compiled, exc, field_path, span)
        self._fail(
            c,
            Event.REFUSED,
            exc.code,
            f"the server refused the request: {exc.message}"
            + (f" (field {field_path})" if field_path else ""),
            location=str(span),
            error_code=exc.code,
            error_message=exc.message,
        )

    def _conflict(self, c: _Clip, exc: cerr.IdempotencyConflict) -> None:
        if not exc.still_running and exc.task_id and c.inputs_renewed:
            self._adopt(c, exc.task_id)
            return
        if not exc.still_running:
            self.net.ok()
            self._fail(
                c,
                Event.REFUSED,
                exc.code,
                f"the server refused the submit: {exc.message}",
                error_code=exc.code,
                error_message=exc.message,
            )
            return
        self._net_fail(exc, c.submit_sent)
        c.conflicts += 1
        if c.conflicts > 8:
            self._fail(
                c,
                Event.GIVE_UP,
                "idempotency_conflict",
                "the server keeps answering 409 for this key",
            )
            return
        self._move(c, Event.RETRY_LATER)
        c.retry_at = self._now() + self._backoff(c.conflicts)

    def _adopt(self, c: _Clip, task_id: str) -> None:
        """A re-sent submit whose chained inputs were renewed since it was first sent
        (its answer was lost): the body differs, so the server answers 409 naming the
        task of our key — the first send's, already paid.  Poll it; never pay again."""
        self.net.ok()
        c.submit_answered = self._now()
        c.submitted_wall = time.time()
        c.task_id = task_id
        self._move(c, Event.ACCEPTED, task_id=task_id, submitted_at=c.submitted_wall)
        c.started_mono = None  # not timed from this send, nor charged by it
        self._result(c).charged_earlier = True
        c.next_poll_at = self._now()
        c.reason = (
            f"task {task_id}: the first submit with this Idempotency-Key (its chained "
            "inputs were renewed since); polled, not paid again"
        )
        self._emit("resumed", c, c.reason, task_id=task_id)

    def _accepted(self, c: _Clip, resp: SubmitResponse) -> None:
        self.net.ok()
        learned = self.concurrency.on_accepted(self._in_flight())
        if learned is not None:
            self.db.set_fact(self.server, "accepted_in_flight", learned)
        c.submit_answered = self._now()
        c.submitted_wall = time.time()
        c.task_id = resp.id
        credits = int(resp.credits_used or 0)
        self.ledger.charge(credits)
        r = self._result(c)
        r.credits_used = credits
        self._move(
            c,
            Event.ACCEPTED,
            task_id=resp.id,
            credits_used=credits,
            submitted_at=c.submitted_wall,
        )
        c.started_mono = c.submit_sent
        exp = self.times.expectation(c.exp_key)
        if resp.status in CONTRACT.terminal_statuses:
            c.next_poll_at = self._now()
        elif not exp.known:
            self._cold_first_poll(c)
        else:
            c.next_poll_at = self._anchor(c) + self.opts.poll.first_poll(
                exp, self.times.floor(c.exp_key), tail=self._tail_has_room()
            )
        self._emit(
            "submitted",
            c,
            f"task {resp.id}",
            task_id=resp.id,
            credits_used=credits,
            expected_s=exp.expected_s,
        )

    async def _poll(self, c: _Clip, slot: Slot) -> None:
        assert c.task_id is not None and c.record_id is not None
        c.polls += 1
        self.polls += 1
        sent = self._now()
        try:
            task = await self._net_call(self.client.get_task(c.task_id, slot=slot))
        except cerr.SeedanceError as exc:
            self._apply(c, PollOutcome(sent, error=exc))
            return
        self._apply(c, PollOutcome(sent, task=task))

    def _poll_failed(self, c: _Clip, exc: cerr.SeedanceError, sent: float) -> None:
        if isinstance(exc, cerr.NotFound):
            self.net.ok()
            c.not_found += 1
            if c.not_found >= 2:
                message = f"task {c.task_id} no longer exists on the server"
                self._fail(c, Event.GONE, "not_found", message, error_code="not_found")
                return
            # the server may have lost it (a restarted sandbox): submit again, same key
            self._move(c, Event.LOST, task_id=None)
            c.task_id = None
        elif isinstance(exc, cerr.Unauthorized):
            self._fatal = exc
            c.next_poll_at = self._now()
            self._wake.set()
        else:
            if isinstance(exc, cerr.TransportError) and not exc.reached_server:
                self.polls -= 1  # never left this machine
            self._net_fail(exc, sent)
            c.next_poll_at = self._now() + self._backoff(2)

    def _polled(self, c: _Clip, task: Task) -> None:
        self.net.ok()
        now = self._now()
        elapsed = now - c.submit_answered
        if task.status == "completed":
            self._completed(c, task, now)
        elif task.status == "failed":
            self._task_failed(c, task)
        elif elapsed >= self.opts.task_timeout_s:
            self._stuck(c, task.status, elapsed)
        else:
            c.seen_processing_s = max(c.seen_processing_s, elapsed)
            self.times.seen_processing(c.exp_key, elapsed)
            exp = self.times.expectation(c.exp_key)
            anchor = self._anchor(c)
            since = c.seen_since_anchor = now - anchor
            if c.probe and not exp.known:
                c.next_poll_at = anchor + self.opts.poll.probe_next_poll(since)
            elif c.held and not exp.known:
                c.next_poll_at = c.submit_answered + self.opts.task_timeout_s
            else:
                c.next_poll_at = anchor + self.opts.poll.next_poll(
                    exp,
                    since,
                    self.times.floor(c.exp_key) if not exp.known else 0.0,
                    tail=exp.known and self._tail_has_room(),
                )
            # the poll that can tell a task is stuck goes out when the ceiling is reached
            c.next_poll_at = min(c.next_poll_at, c.submit_answered + self.opts.task_timeout_s)
            self._emit(
                "polled",
                c,
                "still rendering",
                elapsed_s=round(elapsed, 3),
                expected_s=exp.expected_s,
            )

    #: requests kept aside when the tail's polls are tightened
    TAIL_RESERVE = 2

    def _tail_has_room(self) -> bool:
        """Are the clips still rendering the run's tail, with requests to spare?  Every
        clip in flight may need two more polls, every clip not yet submitted a submit
        and a poll, and a reserve stays: only then are the tail's polls tightened, so
        they never make a clip wait for the next window."""
        rendering = sum(1 for o in self.clips.values() if o.status in ("submitting", "rendering"))
        unsent = sum(1 for o in self.clips.values() if o.status in ("waiting", "ready"))
        need = 2 * rendering + 2 * unsent + self.TAIL_RESERVE
        return self.budget.available() >= need

    def _tighten_tail(self) -> None:
        """A clip left rendering: if the ones still rendering are now the run's tail,
        their scheduled polls (not those in flight) move up to the tail's schedule."""
        if not self._tail_has_room():
            return
        poll = self.opts.poll
        for o in self.clips.values():
            if o.status != "rendering" or o.next_poll_at == float("inf"):
                continue  # not rendering, or a poll in flight
            exp = self.times.expectation(o.exp_key)
            if o.held or o.probe or not exp.known:
                continue  # no render time learned yet
            if o.seen_since_anchor is None:
                tail = poll.first_poll(exp, tail=True)
            else:
                tail = poll.next_poll(exp, o.seen_since_anchor, tail=True)
            o.next_poll_at = min(o.next_poll_at, self._anchor(o) + tail)

    def _anchor(self, c: _Clip) -> float:
        return c.anchor(self.opts.poll.min_interval_s)

    def _cold_first_poll(self, c: _Clip) -> None:
        """Nothing learned about this kind of clip: the first one in flight is its probe
        (polled to learn the render time), the others wait for what it teaches; a held
        clip is still polled once when the task ceiling is reached."""
        probing = any(
            o.probe and o.exp_key == c.exp_key and o.status == "rendering"
            for o in self.clips.values()
        )
        if probing:
            c.held = True
            c.next_poll_at = c.submit_answered + self.opts.task_timeout_s
        else:
            c.probe = True
            c.next_poll_at = self._anchor(c) + self.opts.poll.probe_first_poll()

    def _release_held(self, key: ExpKey) -> None:
        """A kind's probe left rendering: its held clips follow the render time it taught,
        or (nothing was learned: it failed, was lost or resumed) the oldest one becomes
        the probe and is polled now."""
        held = [
            o
            for o in self.clips.values()
            if o.held and o.exp_key == key and o.status == "rendering"
        ]
        if not held:
            return
        exp = self.times.expectation(key)
        ceiling = self.opts.task_timeout_s
        if exp.known:
            # no room for a second poll each: one poll late enough to find them done
            scarce = self.budget.available() < 2 * len(held) + self.TAIL_RESERVE
            for o in held:
                o.held = False
                first = self.opts.poll.first_poll(exp, scarce=scarce)
                o.next_poll_at = min(self._anchor(o) + first, o.submit_answered + ceiling)
        else:
            o = min(held, key=lambda x: x.submit_answered)
            o.held, o.probe = False, True
            o.next_poll_at = self._now()
        self._wake.set()

    def _stuck(self, c: _Clip, status: str, elapsed: float) -> None:
        """A task processing past the ceiling: stop waiting, keep it (it is paid)."""
        from ..limits import LIMITS

        def secs(x: float) -> str:
            return f"{x:.1f}" if x < 100 else f"{x:.0f}"

        env = LIMITS["render_task_timeout"].env
        self._end(
            c,
            Event.STUCK,
            f"task {c.task_id} still {status} {secs(elapsed)} s after its submit (the "
            f"ceiling is {secs(self.opts.task_timeout_s)} s; set {env} to raise it); it is "
            "paid and kept, never resubmitted: the next run polls it again",
        )
        self._write_manifest()

    def _completed(self, c: _Clip, task: Task, now: float) -> None:
        from ..compiler.model import ClipOutputs

        out = task.output
        if out is None or not out.video_url:
            message = f"task {task.id} completed without a video URL"
            self._fail(c, Event.NO_OUTPUT, "no_output", message)
            return
        render_s = measure_render_time(
            lower_s=c.seen_processing_s,
            upper_s=now - c.submit_sent,
            created_at=task.created_at,
            updated_at=task.updated_at,
        )
        self.notices.append((c.name, task.updated_at, time.time()))
        mark("completed")
        if c.started_mono is not None and c.fresh:
            # a render timed from its own first submit (not a resumed one) teaches the estimate
            self.times.learn(c.exp_key, render_s)
            self.concurrency.on_rendered()
        credits = task.credits_used
        self._move(
            c,
            Event.COMPLETED,
            video_url=out.video_url,
            last_frame_url=out.last_frame_url,
            seed=out.seed,
            completed_at=time.time(),
            render_s=render_s,
            **({"credits_used": credits} if credits is not None else {}),
        )
        r = self._result(c)
        r.render_s = render_s
        if credits is not None and c.started_mono is not None:
            self.ledger.settle(int(credits), r.credits_used)
            r.credits_used = int(credits)
        elif credits is not None and r.charged_earlier:
            r.credits_used = int(credits)  # charged by an earlier run's submit
        c.outputs = ClipOutputs(out.video_url, out.last_frame_url)
        self._emit(
            "completed",
            c,
            f"rendered in {render_s:.1f} s",
            task_id=task.id,
            server_created_at=task.created_at,
            server_completed_at=task.updated_at,
            noticed_at=iso(time.time()),
            polls=c.polls,
            render_s=round(render_s, 3),
            seed=out.seed,
        )
        assert c.record is not None
        self._spawn(self._download(c, c.record, reused=False))

    def _task_failed(self, c: _Clip, task: Task) -> None:
        err = task.error
        code = (err.code if err else None) or "task_failed"
        message = (err.message if err else None) or "the server reported the task failed"
        refunded = int(task.credits_refunded or 0)
        r = self._result(c)
        r.credits_refunded = refunded
        if c.started_mono is not None:
            self.ledger.refund(refunded)
        self._fail(
            c,
            Event.TASK_FAILED,
            code,
            f"task {task.id} failed: {message} ({refunded} credits refunded)",
            error_code=code,
            error_message=message,
            credits_refunded=refunded,
            completed_at=time.time(),
        )

    async def _download(self, c: _Clip, rec: RenderRecord, *, reused: bool) -> None:
        assert rec.video_url
        video, frame = self._paths(c.name, rec.video_url, rec.last_frame_url)
        self._emit("downloading", c, video=str(video))
        video_url, frame_url = rec.video_url, rec.last_frame_url
        if reused:  # rendered long ago: its URLs may have expired
            video_url, frame_url = await self._live_output_urls(c, rec)
        try:
            async with self._dl_sem:
                stamped = await self._fetch_outputs(c, rec, (video_url, video), (frame_url, frame))
        except cerr.SeedanceError as exc:
            disk = write_failure(exc)
            if disk is not None:  # --out is full or read-only: stop, the task is kept
                raise disk from None
            self._apply(c, DownloadOutcome(reused, video, frame, error=exc))
            return
        self._apply(c, DownloadOutcome(reused, video, frame, stamped=stamped))

    async def _fetch_outputs(
        self,
        c: _Clip,
        rec: RenderRecord,
        video: tuple[str, Path],
        frame: tuple[str | None, Path | None],
    ) -> bool:
        """The video (then its provenance stamp) and the last frame, side by side: a
        clip is finished one round trip sooner.  Both end before a failure of either is
        raised (each writes its file atomically or not at all); returns whether the
        video was stamped."""

        async def video_then_stamp() -> bool:
            await self.client.download(video[0], video[1])
            return await self._stamp(c, rec, video[1])

        jobs: list[Awaitable[Any]] = [video_then_stamp()]
        if frame[0] and frame[1] is not None:
            jobs.append(self.client.download(frame[0], frame[1]))
        got = await asyncio.gather(*jobs, return_exceptions=True)
        for outcome in got:
            if isinstance(outcome, BaseException):
                raise outcome
        return bool(got[0])

    async def _live_output_urls(self, c: _Clip, rec: RenderRecord) -> tuple[str, str | None]:
        """The record's output URLs, or — when one has expired (render/inputs.py) — the
        task's fresh ones (fetched again; the record keeps the originals: the identity
        of the clips that use them)."""
        from .inputs import output_expiry

        assert rec.video_url
        now, life = time.time(), self.opts.output_url_lifetime_s
        urls = [u for u in (rec.video_url, rec.last_frame_url) if u]
        expiries = [output_expiry(u, rec.completed_at, life) for u in urls]
        if not any(at is not None and at <= now for at in expiries):
            return rec.video_url, rec.last_frame_url
        fresh = await self._refetch(c.name)
        if isinstance(fresh, str):
            return rec.video_url, rec.last_frame_url  # the download says why it fails
        self._emit("outputs_renewed", c, "its output URLs had expired; the task was fetched again")
        return fresh.video_url, fresh.last_frame_url

    def _downloaded(self, c: _Clip, got: DownloadOutcome) -> None:
        rec = c.record
        assert rec is not None
        if got.error is not None:
            exc = got.error
            hint = (
                "the output URL has probably expired; render it again with --take N"
                if exc.status in (403, 404, 410)
                else "run again to retry the download (the task is not paid twice)"
            )
            message = (
                f"could not download {rec.video_url}: {exc.message}; {hint}"  # _fail cuts the query
            )
            self._fail(c, Event.DOWNLOAD_FAILED, exc.code, message)
            return
        video, frame = got.video, got.frame
        vbytes = video.stat().st_size
        fbytes = frame.stat().st_size if frame is not None and rec.last_frame_url else None
        self._move(
            c,
            Event.REFETCHED if got.reused else Event.DOWNLOADED,
            video_path=str(video),
            frame_path=str(frame) if fbytes is not None else None,
            video_bytes=vbytes,
            frame_bytes=fbytes,
            downloaded_at=time.time(),
        )
        r = self._result(c)
        r.video_path = str(video)
        r.frame_path = str(frame) if fbytes is not None else None
        self._emit(
            c.status,
            c,
            str(video),
            video=str(video),
            last_frame=r.frame_path,
            provenance=got.stamped,
        )
        self._manifest_due_now()
        mark("downloaded")

    async def _stamp(self, c: _Clip, rec: RenderRecord, video: Path) -> bool:
        """The clip's provenance into its MP4 tags (:mod:`.provenance`), before the state
        database records the file's size."""
        from .provenance import clip_tags, stamp_clip

        tags = clip_tags(
            storyboard=self.sb.path,
            title=self.sb.title,
            source_hash=self.sb.source_hash,
            clip=c.name,
            take=self._take(c.name),
            task_id=rec.task_id,
            seed=rec.seed,
            source=str(c.compiled.span),
            prompt=c.compiled.prompt,
        )
        return await stamp_clip(video, tags)

    # ------------------------------------------------------------------ output

    def _facts(self, c: _Clip) -> ClipFacts:
        return ClipFacts(
            clip=c.name,
            status=c.status,
            reason=c.reason,
            prompt=c.compiled.prompt,
            take=self._take(c.name),
            request=redact_request(c.request.to_payload()) if c.request else None,
            source=str(c.compiled.span),
            record=c.record,
        )

    def _write_manifest(self) -> None:
        mark("manifest_start")
        write_manifest(
            self.manifest_path,
            storyboard={
                "path": self.sb.path,
                "title": self.sb.title,
                "source_hash": self.sb.source_hash,
                **({"local_files": list(self.opts.local_files)} if self.opts.local_files else {}),
            },
            server=self.server,
            clips=[manifest_entry(self._facts(c)) for c in self.clips.values()],
        )
        mark("manifest")

    @property
    def manifest_path(self) -> Path:
        return self.out_dir / "manifest.json"

    def _summary(self) -> RenderSummary:
        results = [self._result(c) for c in self.clips.values()]
        for c, r in zip(self.clips.values(), results, strict=True):
            if not r.reason:
                r.reason = c.reason
        message = ""
        if self._fatal is not None:
            message = self._fatal.format()
        elif self._interrupt_reason:
            message = self._interrupt_reason
        summary = RenderSummary(
            storyboard=self.sb.path,
            server=self.server,
            out_dir=str(self.out_dir),
            manifest=str(self.manifest_path) if self.manifest_path.exists() else None,
            clips=results,
            wall_s=self._now() - self._t0,
            submits=self.submits,
            polls=self.polls,
            rate_limited=self.rate_limited,
            busy=self.busy,
            diagnostics=diagnostics_json([d for d in self.sb.diagnostics if not d.is_error]),
            interrupted=self._interrupt_reason is not None and self._fatal is None,
            budget_stopped=self._budget_stopped,
            credits_stopped=self._credits_stopped,
            message=message,
        )
        summary.usage_error = self._fatal is not None
        return summary
