"""The sandbox's bookkeeping: accounts, tasks, idempotency records, rate windows.

No HTTP here: the app (:mod:`.app`) asks this object questions and tells it what
happened.  Every method takes the one lock, so the event-loop thread, the render
workers and a test thread calling :meth:`SandboxState.inspect` can share it.

Task state moves lazily: a task is ``processing`` until both its (scaled, jittered)
render time has passed and its animatic is drawn; whoever looks first after that
(a GET, a submit of the same account, an inspection) moves it to ``completed`` or
``failed`` and, for a failed task, refunds its credits.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import random
import secrets
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from ..api.spec import CONTRACT
from .settings import SandboxSettings

__all__ = ["IdemRecord", "SandboxState", "TaskRecord", "iso_ms"]

FAULT_STREAMS = ("fail", "post_503", "post_500", "drop", "jitter", "seed")


def iso_ms(t: datetime) -> str:
    """ISO-8601 in UTC with milliseconds and ``Z``: ``2026-06-03T10:00:00.000Z``."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


@dataclass(slots=True)
class TaskRecord:
    id: str
    key: str
    idempotency_key: str
    prompt: str
    quality_tier: str
    channel: str
    aspect_ratio: str
    resolution: str
    duration: int
    credits_used: int
    created_mono: float
    created_wall: datetime
    due_mono: float
    will_fail: bool
    output_seed: int
    base_url: str
    status: str = "processing"
    credits_refunded: int = 0
    render_done_mono: float | None = None
    render_error: str | None = None
    finished_mono: float | None = None
    error: dict[str, str] | None = None

    @property
    def video_name(self) -> str:
        return f"{self.id}.mp4"

    @property
    def frame_name(self) -> str:
        return f"{self.id}.png"

    def updated_wall(self) -> datetime:
        if self.finished_mono is None:
            return self.created_wall
        return self.created_wall + timedelta(seconds=self.finished_mono - self.created_mono)


@dataclass(slots=True)
class IdemRecord:
    """What one Idempotency-Key of one account stands for."""

    fingerprint: str
    state: Literal["in_flight", "done"] = "in_flight"
    status_code: int = 0
    body: dict[str, Any] | None = None
    task_id: str | None = None


Lookup = Literal["new", "replay", "running", "different_body"]


@dataclass(slots=True)
class _Counters:
    requests_per_route: Counter[str] = field(default_factory=Counter)
    requests_per_key: Counter[str] = field(default_factory=Counter)
    responses_per_status: Counter[int] = field(default_factory=Counter)
    rate_limited: Counter[str] = field(default_factory=Counter)
    requests_per_idempotency_key: Counter[str] = field(default_factory=Counter)
    tasks_per_idempotency_key: Counter[str] = field(default_factory=Counter)
    replays: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    credits_charged: Counter[str] = field(default_factory=Counter)
    credits_refunded: Counter[str] = field(default_factory=Counter)


class SandboxState:
    """Accounts, tasks and counters of one sandbox."""

    def __init__(
        self,
        settings: SandboxSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.wall = wall
        self.lock = threading.RLock()
        self.balances: dict[str, int] = dict(settings.keys)
        self.revoked: set[str] = set()
        self.tasks: dict[str, TaskRecord] = {}
        self.idem: dict[tuple[str, str], IdemRecord] = {}
        self.windows: dict[str, deque[float]] = defaultdict(deque)
        self.rng = {name: random.Random(f"{settings.seed}:{name}") for name in FAULT_STREAMS}
        self.counters = _Counters()
        #: signs output URLs (``output_url_ttl_s``); new with each sandbox
        self._url_secret = secrets.token_bytes(32)

    # -- accounts -----------------------------------------------------------------

    def authenticate(self, authorization: str | None) -> str | None:
        """The account (key) of an ``Authorization: Bearer …`` header, or ``None``."""
        if not authorization:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        with self.lock:
            if token in self.balances and token not in self.revoked:
                return token
        return None

    def add_key(self, key: str, credits: int) -> None:
        with self.lock:
            self.balances[key] = credits
            self.revoked.discard(key)

    def revoke_key(self, key: str) -> None:
        with self.lock:
            self.revoked.add(key)

    def top_up(self, key: str, credits: int) -> int:
        with self.lock:
            self.balances[key] += credits
            return self.balances[key]

    def balance(self, key: str) -> int:
        with self.lock:
            self.refresh(key)
            return self.balances[key]

    # -- counting and rate limiting -----------------------------------------------

    def count_request(self, route: str, key: str | None) -> None:
        with self.lock:
            self.counters.requests_per_route[route] += 1
            if key is not None:
                self.counters.requests_per_key[key] += 1

    def count_response(self, status: int) -> None:
        with self.lock:
            self.counters.responses_per_status[status] += 1

    def rate_limit(self, key: str) -> float | None:
        """Count one request of ``key``; if over the limit, the seconds to wait instead.

        A sliding window: at most ``rate_limit_requests`` accepted requests in any
        (scaled) window.  Rejected requests are not counted.
        """
        s = self.settings
        window = s.scaled(s.rate_limit_window_s)
        with self.lock:
            now = self.clock()
            q = self.windows[key]
            while q and q[0] <= now - window:
                q.popleft()
            if len(q) >= s.rate_limit_requests:
                self.counters.rate_limited[key] += 1
                return max(q[0] + window - now, 0.001)
            q.append(now)
            return None

    # -- faults -------------------------------------------------------------------

    def roll(self, stream: str, fraction: float) -> bool:
        """A seeded coin: ``True`` with probability ``fraction`` (one stream per fault)."""
        if fraction <= 0.0:
            return False
        with self.lock:
            hit = self.rng[stream].random() < fraction
            if hit:
                self.counters.faults[stream] += 1
            return hit

    def post_fault(self) -> Literal["503", "500"] | None:
        """Whether this POST is answered by an injected 503 or 500 (one seeded draw)."""
        s = self.settings
        if s.post_503_fraction <= 0.0 and s.post_500_fraction <= 0.0:
            return None
        with self.lock:
            x = self.rng["post_503"].random()
            if x < s.post_503_fraction:
                self.counters.faults["post_503"] += 1
                return "503"
            if x < s.post_503_fraction + s.post_500_fraction:
                self.counters.faults["post_500"] += 1
                return "500"
            return None

    # -- idempotency --------------------------------------------------------------

    def idem_lookup(self, key: str, idem_key: str, fingerprint: str) -> tuple[Lookup, IdemRecord]:
        """Look the key up and, if it is new, reserve it (``in_flight``) atomically."""
        with self.lock:
            self.counters.requests_per_idempotency_key[idem_key] += 1
            rec = self.idem.get((key, idem_key))
            if rec is None:
                rec = IdemRecord(fingerprint)
                self.idem[(key, idem_key)] = rec
                return "new", rec
            if rec.state == "in_flight":
                return "running", rec
            if rec.fingerprint != fingerprint:
                return "different_body", rec
            self.counters.replays += 1
            return "replay", rec

    def idem_release(self, key: str, idem_key: str) -> None:
        """Forget a reservation whose request created nothing (a 4xx or a 5xx)."""
        with self.lock:
            rec = self.idem.get((key, idem_key))
            if rec is not None and rec.state == "in_flight":
                del self.idem[(key, idem_key)]

    # -- tasks --------------------------------------------------------------------

    def processing_count(self, key: str) -> int:
        with self.lock:
            self.refresh(key)
            return sum(1 for t in self.tasks.values() if t.key == key and t.status == "processing")

    def busy_retry_after(self, key: str) -> float:
        """Seconds until the account's earliest rendering task is expected to finish."""
        with self.lock:
            now = self.clock()
            dues = [
                t.due_mono for t in self.tasks.values() if t.key == key and t.status == "processing"
            ]
            floor = self.settings.scaled(1.0)
            return max(min(dues) - now, floor) if dues else floor

    def create_task(
        self,
        *,
        key: str,
        idem_key: str,
        record: IdemRecord,
        normalized: dict[str, Any],
        price: int,
        base_url: str,
    ) -> TaskRecord:
        """Charge ``price``, create the task and complete the idempotency record."""
        s = self.settings
        with self.lock:
            now = self.clock()
            jitter = self.rng["jitter"].uniform(-s.render_jitter, s.render_jitter)
            render_s = s.scaled(s.render_time_s * (1.0 + jitter))
            will_fail = self.rng["fail"].random() < s.fail_fraction if s.fail_fraction else False
            if will_fail:
                self.counters.faults["fail"] += 1
            seed = normalized.get("seed")
            if seed is None or seed == -1:
                seed = self.rng["seed"].randrange(0, CONTRACT.seed_max + 1)
            task = TaskRecord(
                id=CONTRACT.task_id_prefix + secrets.token_hex(10),
                key=key,
                idempotency_key=idem_key,
                prompt=str(normalized["prompt"]),
                quality_tier=str(normalized["quality_tier"]),
                channel=str(normalized["channel"]),
                aspect_ratio=str(normalized["aspect_ratio"]),
                resolution=str(normalized["resolution"]),
                duration=int(normalized["duration"]),
                credits_used=price,
                created_mono=now,
                created_wall=self.wall(),
                due_mono=now + render_s,
                will_fail=will_fail,
                output_seed=int(seed),
                base_url=base_url.rstrip("/"),
            )
            self.tasks[task.id] = task
            self.balances[key] -= price
            self.counters.credits_charged[key] += price
            self.counters.tasks_per_idempotency_key[idem_key] += 1
            record.state = "done"
            record.status_code = 202
            record.body = self.submit_body(task)
            record.task_id = task.id
            return task

    def render_finished(self, task_id: str, error: str | None) -> None:
        """Called by a render worker when a task's animatic is drawn (or failed)."""
        with self.lock:
            task = self.tasks.get(task_id)
            if task is not None:
                task.render_done_mono = self.clock()
                task.render_error = error

    def refresh(self, key: str | None = None) -> None:
        """Move every due task (of ``key``, or of everyone) to its final state."""
        with self.lock:
            now = self.clock()
            for t in self.tasks.values():
                if t.status != "processing" or (key is not None and t.key != key):
                    continue
                if now < t.due_mono:
                    continue
                if t.will_fail:
                    self._finish(t, t.due_mono, failed=("generation_failed", _FAIL_MESSAGE))
                elif t.render_done_mono is not None:
                    when = max(t.due_mono, t.render_done_mono)
                    if t.render_error is not None:
                        msg = f"the sandbox could not draw the animatic: {t.render_error}"
                        self._finish(t, when, failed=("internal_error", msg))
                    else:
                        self._finish(t, when, failed=None)

    def _finish(self, t: TaskRecord, when: float, failed: tuple[str, str] | None) -> None:
        t.finished_mono = when
        if failed is None:
            t.status = "completed"
            return
        t.status = "failed"
        t.error = {"code": failed[0], "message": failed[1]}
        t.credits_refunded = t.credits_used
        self.balances[t.key] += t.credits_used
        self.counters.credits_refunded[t.key] += t.credits_used

    def get_task(self, key: str, task_id: str) -> TaskRecord | None:
        """The task, if it exists and belongs to ``key``'s account."""
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None or task.key != key:
                return None
            self.refresh(key)
            return task

    def output_exists(self, name: str) -> bool:
        """Whether ``name`` is the file name of an output of a finished task."""
        task_id, _, _ = name.partition(".")
        with self.lock:
            self.refresh()
            task = self.tasks.get(task_id)
            return task is not None and task.status == "completed"

    # -- signed output URLs (output_url_ttl_s) --------------------------------------

    def _signature(self, name: str, expires: int) -> str:
        msg = f"{name}:{expires}".encode()
        return hmac.new(self._url_secret, msg, hashlib.sha256).hexdigest()[:32]

    def signed(self, name: str, signed_at: datetime) -> str:
        """``name`` with ``?Expires=<epoch>&Signature=…`` (``output_url_ttl_s`` set)."""
        ttl = self.settings.output_url_ttl_s
        if ttl is None:
            return name
        expires = math.ceil(signed_at.timestamp() + self.settings.scaled(ttl))
        return f"{name}?Expires={expires}&Signature={self._signature(name, expires)}"

    def url_refusal(self, name: str, query: Mapping[str, str]) -> str | None:
        """Why the output URL of ``name`` with ``query`` may not be used (``None``: it may)."""
        if self.settings.output_url_ttl_s is None:
            return None
        expires, sig = query.get("Expires", ""), query.get("Signature", "")
        if not expires.isdigit() or not sig:
            return "the URL is not signed (Expires, Signature)"
        if not hmac.compare_digest(sig, self._signature(name, int(expires))):
            return "the URL's signature does not match"
        if self.wall().timestamp() >= int(expires):
            return f"the URL expired at {iso_ms(datetime.fromtimestamp(int(expires), UTC))}"
        return None

    # -- bodies -------------------------------------------------------------------

    @staticmethod
    def submit_body(t: TaskRecord) -> dict[str, Any]:
        return {
            "id": t.id,
            "status": "processing",
            "model": CONTRACT.model,
            "quality_tier": t.quality_tier,
            "channel": t.channel,
            "credits_used": t.credits_used,
        }

    def task_body(self, t: TaskRecord) -> dict[str, Any]:
        with self.lock:
            output = None
            if t.status == "completed":
                at = self.wall() if self.settings.output_url_resign else t.updated_wall()
                files = f"{t.base_url}{FILES_PREFIX}/"
                output = {
                    "video_url": files + self.signed(t.video_name, at),
                    "last_frame_url": files + self.signed(t.frame_name, at),
                    "seed": t.output_seed,
                }
            return {
                "id": t.id,
                "status": t.status,
                "model": CONTRACT.model,
                "quality_tier": t.quality_tier,
                "channel": t.channel,
                "credits_used": t.credits_used,
                "credits_refunded": t.credits_refunded,
                "output": output,
                "error": dict(t.error) if t.error else None,
                "created_at": iso_ms(t.created_wall),
                "updated_at": iso_ms(t.updated_wall()),
            }

    def inspect(self) -> dict[str, Any]:
        """A JSON-ready snapshot of everything tests may want to assert on."""
        with self.lock:
            self.refresh()
            c = self.counters
            tasks = {
                t.id: {
                    "key": t.key,
                    "idempotency_key": t.idempotency_key,
                    "status": t.status,
                    "credits_used": t.credits_used,
                    "credits_refunded": t.credits_refunded,
                    "duration": t.duration,
                    "aspect_ratio": t.aspect_ratio,
                    "resolution": t.resolution,
                    "created_wall": t.created_wall.timestamp(),
                }
                for t in self.tasks.values()
            }
            return {
                "requests_per_route": dict(c.requests_per_route),
                "requests_per_key": dict(c.requests_per_key),
                "responses_per_status": {str(k): v for k, v in c.responses_per_status.items()},
                "rate_limited": sum(c.rate_limited.values()),
                "rate_limited_per_key": dict(c.rate_limited),
                "requests_per_idempotency_key": dict(c.requests_per_idempotency_key),
                "tasks_per_idempotency_key": dict(c.tasks_per_idempotency_key),
                "tasks_created": len(self.tasks),
                "replays": c.replays,
                "faults": dict(c.faults),
                "credits_charged": sum(c.credits_charged.values()),
                "credits_refunded": sum(c.credits_refunded.values()),
                "credits_charged_per_key": dict(c.credits_charged),
                "credits_refunded_per_key": dict(c.credits_refunded),
                "balances": dict(self.balances),
                "tasks": tasks,
            }


#: URL path under which the sandbox serves task outputs.
FILES_PREFIX = "/_sandbox/files"
#: where local assets uploaded to the sandbox are served (content-addressed names)
ASSETS_PREFIX = "/_sandbox/assets"
#: URL path of the inspection endpoint.
INSPECT_PATH = "/_sandbox/inspect"

_FAIL_MESSAGE = (
    "The sandbox failed this task on purpose (fault injection: fail_fraction); "
    "its credits were refunded. Submit again with a new Idempotency-Key."
)
