"""The retry, polling and download policy, written once (sans-IO).

Every decision of the client lives here, in plain generators that do no I/O: they
*yield* what they need done (:class:`Send` a request — after taking a slot of the
shared rate limiter —, :class:`Sleep`, :class:`Hold` the limiter, :class:`Fetch` a download range)
and receive the outcome.  The synchronous and the asynchronous client are thin
drivers that run the same generators (:mod:`._driver`), so the two can never disagree
about when to retry, how long to wait or which key to send.

The rules (numbers are the defaults of :class:`RetryPolicy`; docs/client.md explains
the reasons):

* 429 ``rate_limited``: wait exactly ``Retry-After-Ms`` / ``Retry-After`` — by holding
  the shared :class:`~.ratelimit.RateLimiter`, so every request of the process waits,
  not just this one — unless it exceeds ``retry_after_cap_s`` (120 s): then raise.
  Without the header, back off exponentially.  At most ``max_rate_limited`` (8) 429s
  per call.
* 503 ``service_busy``, 500 ``internal_error`` (and other 5xx), connection failures and
  timeouts: exponential back-off with jitter (1 s, 2 s, 4 s, 8 s … capped at 30 s,
  each drawn from [50 %, 100 %] of its value), ``max_attempts`` (5) attempts in all.
  A 503 that sends ``Retry-After`` waits that long instead.
* A POST is retried only with the **same** Idempotency-Key (it is part of the request,
  which is built once and sent again unchanged), so a retry can never create a
  second task.
* 409 ``idempotency_conflict`` "still running": wait (2 s, 4 s … capped) and retry with
  the same key, at most ``max_conflict_waits`` (10) times.  409 for a different body:
  raise at once, naming the key.
* 400, 401, 402, 404: never retried.
"""

from __future__ import annotations

import email.utils
import itertools
import json
import logging
import os
import random
import re
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar
from urllib.parse import quote, urlsplit

from .._files import create_temp_beside
from ..api.body import LIMIT_EXCEEDED, RequestBody, ResponseShapeError, SubmitResponse
from ..api.spec import CONTRACT
from ..limits import LIMITS, exceeded_help, limit
from .errors import (
    DeadlineExceeded,
    DownloadError,
    IdempotencyConflict,
    InternalError,
    RateLimited,
    RequestTimeout,
    SeedanceError,
    ServiceBusy,
    TransportError,
    UnexpectedResponse,
    error_class_for_code,
)

if TYPE_CHECKING:  # pydantic is imported when a task is parsed, never before a submit
    from pydantic import BaseModel

    from ..api.models import Task, VideoRequest

__all__ = [
    "ClientEvent",
    "PollSchedule",
    "RetryPolicy",
]

log = logging.getLogger("seedance_dsl.client")

M = TypeVar("M", bound="BaseModel")


# -- the tunables ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how long the client retries.  All durations in seconds.

    Attributes:
        max_attempts: attempts in all (first try included) for 500/503/other 5xx,
            connection failures and timeouts.  ``1`` disables those retries.
        backoff_base_s: the first back-off delay.
        backoff_multiplier: each further delay is this many times the previous one.
        backoff_cap_s: no single back-off delay is longer than this.
        jitter: each back-off delay is drawn uniformly from ``[d * (1 - jitter), d]``
            (``0``: exact delays; ``1``: "full jitter").  Spreads out clients that
            failed together so they do not retry together.
        retry_after_cap_s: the longest ``Retry-After`` the client will wait; a longer
            one raises :class:`RateLimited` (or :class:`ServiceBusy`) at once, and a
            409 "still running" waits at most this long.  Default: the limit
            ``retry_after`` (120 s, ``SEEDANCE_MAX_RETRY_AFTER``).
        max_rate_limited: the most 429 answers one call tolerates before raising.
        retry_service_busy: retry 503 ``service_busy``.  A renderer that adapts its
            concurrency turns this off for submits and handles :class:`ServiceBusy`.
        retry_internal_error: retry 500 ``internal_error`` and other 5xx.
        retry_transport: retry connection failures and timeouts.
        conflict_wait_s: first wait after a 409 "still running" (then backs off).
        max_conflict_waits: the most 409 "still running" answers one call waits out.
    """

    max_attempts: int = 5
    backoff_base_s: float = 1.0
    backoff_multiplier: float = 2.0
    backoff_cap_s: float = 30.0
    jitter: float = 0.5
    retry_after_cap_s: float = field(default_factory=lambda: limit("retry_after"))
    max_rate_limited: int = 8
    retry_service_busy: bool = True
    retry_internal_error: bool = True
    retry_transport: bool = True
    conflict_wait_s: float = 2.0
    max_conflict_waits: int = 10

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter must be between 0 and 1")
        if self.backoff_base_s < 0 or self.backoff_cap_s < 0 or self.retry_after_cap_s < 0:
            raise ValueError("back-off durations must be >= 0")

    @classmethod
    def no_retries(cls) -> RetryPolicy:
        """Fail on the first error of any kind (429s and 409s included)."""
        return cls(
            max_attempts=1,
            max_rate_limited=0,
            max_conflict_waits=0,
            retry_service_busy=False,
            retry_internal_error=False,
            retry_transport=False,
        )

    def scaled(self, factor: float) -> RetryPolicy:
        """Every duration multiplied by ``factor`` (for a time-scaled sandbox)."""
        return replace(
            self,
            backoff_base_s=self.backoff_base_s * factor,
            backoff_cap_s=self.backoff_cap_s * factor,
            retry_after_cap_s=self.retry_after_cap_s * factor,
            conflict_wait_s=self.conflict_wait_s * factor,
        )

    def backoff(self, n: int, rng: random.Random | None = None) -> float:
        """The delay before retry number ``n`` (1-based), jittered."""
        return self._grow(self.backoff_base_s, n, rng)

    def conflict_backoff(self, n: int, rng: random.Random | None = None) -> float:
        return self._grow(self.conflict_wait_s, n, rng)

    def _grow(self, base: float, n: int, rng: random.Random | None) -> float:
        d = min(self.backoff_cap_s, base * self.backoff_multiplier ** max(0, n - 1))
        if self.jitter and d > 0:
            r = (rng or random).random()
            d *= 1.0 - self.jitter * r
        return d


@dataclass(frozen=True, slots=True)
class PollSchedule:
    """How :meth:`wait` polls one task (seconds).

    The first poll goes out ``first_s`` after ``wait`` starts (a task was just
    submitted: it cannot be done yet), then every ``interval_s``, growing by
    ``growth`` each time up to ``max_interval_s``: 5, 7.5, 11.3, 15, 15 … by default.
    At 15 s one task costs 4 requests a minute, so six tasks waited on at once use 24
    of the account's 30 requests per minute and leave room for submits; more than
    that, and the shared rate limiter spaces the polls out (no 429).
    """

    first_s: float = 5.0
    interval_s: float = 5.0
    growth: float = 1.5
    max_interval_s: float = 15.0

    def __post_init__(self) -> None:
        if self.first_s < 0 or self.interval_s <= 0 or self.max_interval_s <= 0:
            raise ValueError("poll intervals must be > 0")
        if self.growth < 1:
            raise ValueError("poll growth must be >= 1")

    def scaled(self, factor: float) -> PollSchedule:
        return PollSchedule(
            self.first_s * factor,
            self.interval_s * factor,
            self.growth,
            self.max_interval_s * factor,
        )

    def intervals(self) -> Generator[float, None, None]:
        """The waits before each poll: first_s, then the growing intervals."""
        yield self.first_s
        d = self.interval_s
        while True:
            yield min(d, self.max_interval_s)
            d = min(d * self.growth, self.max_interval_s)


class ClientEventKind(StrEnum):
    """What a :class:`ClientEvent` reports (a ``str``: ``kind == "request"`` holds)."""

    REQUEST = "request"
    RETRY = "retry"
    RATE_LIMITED = "rate_limited"
    SERVICE_BUSY = "service_busy"
    CONFLICT_WAIT = "conflict_wait"
    POLL = "poll"
    DOWNLOAD_RESUME = "download_resume"


#: the old name of :class:`ClientEventKind`
EventKind = ClientEventKind

#: the kinds that say the server refused (or did not answer) a call the client retries
RETRY_KINDS = frozenset(
    {
        ClientEventKind.RATE_LIMITED,
        ClientEventKind.SERVICE_BUSY,
        ClientEventKind.CONFLICT_WAIT,
        ClientEventKind.RETRY,
    }
)
#: ``detail`` of a ``request`` event whose attempt never left this machine
NOT_SENT = "not sent"


@dataclass(frozen=True, slots=True)
class ClientEvent:
    """Something the client did or met, for observers (``on_event``).

    ``kind`` (a :class:`ClientEventKind`; a plain string is converted, an unknown one
    is a ``ValueError``):
      ``request``        one HTTP attempt finished (``status`` is ``None`` if it got no
                         answer: ``code`` then says why; :attr:`sent` is ``False`` when
                         it never left this machine);
      ``rate_limited``   a 429 came; ``wait_s`` is the hold applied to the shared limiter,
                         ``None`` if the client gives up and raises;
      ``service_busy``   a 503 came; ``wait_s`` is the back-off, ``None`` if it raises;
      ``retry``          another retriable failure (500, transport); ``wait_s`` before
                         the next attempt;
      ``conflict_wait``  a 409 "still running" is being waited out;
      ``poll``           ``wait`` polled the task (``detail`` is its status);
      ``download_resume`` a broken download continues at byte ``detail``.
    Never carries the API key.
    """

    kind: ClientEventKind
    method: str
    path: str
    status: int | None = None
    attempt: int = 1
    wait_s: float | None = None
    code: str | None = None
    request_id: str | None = None
    detail: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, ClientEventKind):
            object.__setattr__(self, "kind", ClientEventKind(self.kind))

    @property
    def sent(self) -> bool:
        """The attempt may have reached the server (``False``: a failed name look-up or
        connect of a ``request`` that got no answer)."""
        return not (self.kind is ClientEventKind.REQUEST and self.detail == NOT_SENT)


# -- what a flow asks its driver to do --------------------------------------------------


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One API request, built once and re-sent unchanged on every retry."""

    method: str
    path: str  # relative to the base URL
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes


@dataclass(frozen=True, slots=True)
class TransportFailure:
    """No HTTP answer.  ``kind`` is the httpx exception class name.

    ``sent``: the request may have reached the server (``False`` for a failed name
    look-up or connect).  ``fatal``: retrying cannot help (a URL httpx cannot build, a
    redirect loop): the flow raises at once.
    """

    kind: str
    detail: str
    timeout: bool
    sent: bool = True
    fatal: bool = False


@dataclass(frozen=True, slots=True)
class LimitHit:
    """The answer broke a limit of :mod:`seedance_dsl.limits` (``limit`` names the row)
    and was not read further: a body larger than ``response_json_bytes``."""

    limit: str
    detail: str
    status: int | None = None


@dataclass(frozen=True, slots=True)
class Hold:
    """Hold the shared limiter for ``seconds`` (a 429's Retry-After, for everyone)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


@dataclass(frozen=True, slots=True)
class Send:
    """Send one API request.  The driver first takes a slot of the shared rate limiter
    (every API request counts, submits and polls alike) and releases it on the answer."""

    request: HttpRequest
    #: cap on the read timeout (the remaining time of a ``wait`` deadline)
    timeout_cap_s: float | None = None
    #: the whole request (connect to last byte) must finish within this many seconds
    deadline_s: float | None = None
    #: the most decoded body bytes read; a longer body is a :class:`LimitHit`
    max_body: int | None = None


@dataclass(frozen=True, slots=True)
class Fetch:
    """GET ``url`` (no credentials) into ``tmp``; see :func:`body_start`."""

    url: str
    tmp: Path
    offset: int
    headers: tuple[tuple[str, str], ...] = ()
    #: the attempt must finish within this many seconds (what is left of the download's)
    deadline_s: float | None = None
    #: never write more than this many bytes into ``tmp`` (the limit ``download_bytes``)
    max_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    status: int | None
    headers: Mapping[str, str]
    size: int  # bytes in the temp file afterwards
    failure: TransportFailure | None = None
    local_error: str | None = None
    body: bytes = b""  # the (small) body of an answer that was not written
    #: the body broke a bound and was cut off: ``"declared"`` (more than its declared
    #: length) or ``"download_bytes"`` (more than the limit, declared or sent)
    over: str | None = None


def fetch_bound(
    status: int, headers: Mapping[str, str], max_bytes: int | None
) -> tuple[int | None, str | None]:
    """The most bytes the temp file may hold for this answer, and which bound that is:
    the declared total (``"declared"``) or the limit (``"download_bytes"``).  A declared
    total above the limit gives ``(None, "download_bytes")``: do not read the body."""
    total = expected_total(status, headers)
    if max_bytes is not None and total is not None and total > max_bytes:
        return None, "download_bytes"
    if total is not None:
        return total, "declared"
    return max_bytes, "download_bytes" if max_bytes is not None else None


Action: TypeAlias = Hold | Sleep | Send | Fetch
Flow: TypeAlias = Generator[Action, Any, Any]


# -- shared helpers --------------------------------------------------------------------


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait, from ``Retry-After-Ms`` (preferred: sub-second precision) or
    ``Retry-After`` (seconds, or an HTTP date).  ``None`` if neither is usable."""
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            v = float(ms)
        except ValueError:
            v = -1.0
        if v >= 0 and v == v and v != float("inf"):
            return v / 1000.0
    ra = headers.get("retry-after")
    if ra is None:
        return None
    ra = ra.strip()
    try:
        v = float(ra)
        if v >= 0 and v == v and v != float("inf"):
            return v
        return None
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(ra)
    except (TypeError, ValueError):
        return None
    if when is None:  # pragma: no cover - older Pythons
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


_RUNNING_WORDS = (
    "still running",
    "still processing",
    "in progress",
    "in-progress",
    "being processed",
    "not finished",
    "not yet finished",
    "running",
    "processing",
)
_MISMATCH_WORDS = (
    "different",
    "mismatch",
    "does not match",
    "doesn't match",
    "not match",
    "other body",
    "another body",
    "changed",
)


def conflict_is_still_running(
    message: str, headers: Mapping[str, str], extra: Mapping[str, Any]
) -> bool:
    """Tell the two 409s apart: "still running" (wait) or "different body" (hard error).

    The contract gives both the same code, so: an explicit field (``still_running``,
    ``reason``) wins; else a ``Retry-After`` header means "come back later"; else the
    message's words decide; an unrecognisable 409 counts as a different body (raising
    is the safe choice: a retry could not create a second task anyway, but a wrong
    body must be fixed, not waited out).
    """
    flag = extra.get("still_running")
    if isinstance(flag, bool):
        return flag
    reason = extra.get("reason")
    if isinstance(reason, str):
        r = reason.lower()
        if any(w in r for w in ("running", "progress", "processing", "pending")):
            return True
        if any(w in r for w in ("mismatch", "different", "body")):
            return False
    m = message.lower()
    if any(w in m for w in _MISMATCH_WORDS):
        return False
    if "retry-after" in headers or "retry-after-ms" in headers:
        return True
    return any(w in m for w in _RUNNING_WORDS)


def expected_total(status: int, headers: Mapping[str, str]) -> int | None:
    """The full size of the file, if the answer says it."""
    if status == 206:
        cr = headers.get("content-range", "")
        total = cr.rpartition("/")[2].strip()
        return int(total) if total.isdigit() else None
    cl = headers.get("content-length", "").strip()
    return int(cl) if cl.isdigit() else None


def body_start(status: int, headers: Mapping[str, str], offset: int) -> int | None:
    """Where in the temp file the body of this answer goes, or ``None``: do not write.

    ``200``: the whole file, from 0 (a server that ignores Range restarts the file).
    ``206``: must start exactly at ``offset`` (``Content-Range: bytes offset-…``).
    """
    if status == 200:
        return 0
    if status == 206:
        cr = headers.get("content-range", "")
        unit, _, rest = cr.partition(" ")
        start = rest.partition("-")[0].strip()
        if unit.strip().lower() == "bytes" and start.isdigit() and int(start) == offset:
            return offset
    return None


class Redactor:
    """Removes the API key from any text that came from outside (server messages...)."""

    __slots__ = ("__secret",)

    def __init__(self, secret: str | None) -> None:
        self.__secret = secret or None

    def __call__(self, text: str) -> str:
        if self.__secret and self.__secret in text:
            text = text.replace(self.__secret, "**********")
        return text

    def __repr__(self) -> str:
        return "Redactor()"


@dataclass
class Context:
    """What a flow needs besides its arguments: policy, clock, events, redaction."""

    policy: RetryPolicy
    emit: Callable[[ClientEvent], None]
    redact: Redactor
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)
    #: absolute ``clock()`` time after which no more waiting is allowed (``wait``)
    deadline: float | None = None
    #: raise this when the deadline would be passed (set by ``wait``)
    on_deadline: Callable[[], SeedanceError] | None = None

    def event(self, ev: ClientEvent) -> None:
        """Log (retries at INFO, never a header, never a URL's query: a presigned
        download URL's signature is a credential) and pass the event to the observer."""
        if ev.kind not in (ClientEventKind.REQUEST, ClientEventKind.POLL) and ev.wait_s is not None:
            log.info(
                "%s %s: %s (HTTP %s, %s); next attempt in %.3f s",
                ev.method,
                ev.path.split("?", 1)[0],
                ev.kind,
                ev.status,
                ev.code or ev.detail,
                ev.wait_s,
            )
        self.emit(ev)

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - self.clock()

    def check_wait(self, seconds: float) -> None:
        """Raise the deadline error if waiting ``seconds`` would pass the deadline."""
        rem = self.remaining()
        if rem is not None and seconds > rem and self.on_deadline is not None:
            raise self.on_deadline()


_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_depth(body: bytes) -> int:
    """The deepest nesting of ``[``/``{`` in a JSON text (brackets inside strings do not
    count), without parsing it: a hostile answer cannot make the parser recurse."""
    brackets = _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKET)
    return max(itertools.accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


class JsonLimitError(ValueError):
    """An answer's JSON is deeper than the limit ``json_depth``."""

    limit = "json_depth"


def load_json(body: bytes) -> Any:
    """``json.loads`` of a server's answer, after the depth check (:func:`json_depth`)."""
    depth = json_depth(body)
    if depth > LIMITS["json_depth"].value():
        raise JsonLimitError(
            f"its JSON is nested {depth} deep, deeper than the limit of "
            f"{LIMITS['json_depth'].int_value()}"
        )
    return json.loads(body)


def _snippet(body: bytes, limit: int = 200) -> str:
    text = body[:limit].decode("utf-8", "replace").strip()
    return text + ("…" if len(body) > limit else "")


def error_from_response(
    resp: HttpResponse, req: HttpRequest, redact: Redactor, *, key: str | None = None
) -> SeedanceError:
    """The error a non-2xx answer stands for (one class per documented code)."""
    request_id = resp.headers.get("x-request-id")
    code: str | None = None
    message = ""
    extra: dict[str, Any] = {}
    from ..api.models import ErrorEnvelope  # an error answer: the models are worth it

    try:
        env = ErrorEnvelope.model_validate(load_json(resp.body))
        code, message = env.error.code, env.error.message
        extra = dict(env.error.model_extra or {})
    except ValueError:  # not JSON, or not the envelope (pydantic's ValidationError too)
        pass
    message = redact(message[:1000])
    cls = error_class_for_code(code) if code else None
    if cls is None:
        documented = CONTRACT.error_code_for_status(resp.status)
        cls = error_class_for_code(documented) if documented else None
        if cls is None and resp.status >= 500:
            cls = InternalError
        if not message:
            message = f"the server answered HTTP {resp.status}"
            snippet = redact(_snippet(resp.body))
            if snippet:
                message += f": {snippet}"
    if cls is None:
        return UnexpectedResponse(
            message or f"unexpected HTTP {resp.status}",
            code=code,
            status=resp.status,
            request_id=request_id,
            method=req.method,
            path=req.path,
        )
    common: dict[str, Any] = dict(
        code=code, status=resp.status, request_id=request_id, method=req.method, path=req.path
    )
    if cls is RateLimited:
        return RateLimited(
            message or "rate limited", retry_after_s=parse_retry_after(resp.headers), **common
        )
    if cls is IdempotencyConflict:
        running = conflict_is_still_running(message, resp.headers, extra)
        task_id = extra.get("task_id") or extra.get("id")
        what = (
            "a request with this Idempotency-Key is still running"
            if running
            else "this Idempotency-Key was already used with a different request body"
        )
        text = f"{what}: Idempotency-Key {key!r}"
        if message:
            text += f" (server: {message})"
        return IdempotencyConflict(
            text,
            key=key,
            still_running=running,
            task_id=task_id if isinstance(task_id, str) else None,
            **common,
        )
    return cls(message or cls.default_code, **common)


def transport_error(f: TransportFailure, req: HttpRequest | None, what: str) -> SeedanceError:
    cls = RequestTimeout if f.timeout else TransportError
    return cls(
        f"{what}: {f.kind}" + (f" ({f.detail})" if f.detail else ""),
        method=req.method if req else None,
        path=req.path if req else None,
    )


def parse_model(model: type[M], resp: HttpResponse, req: HttpRequest, redact: Redactor) -> M:
    """The answer as ``model`` (a pydantic model: pydantic is imported here), or
    :class:`UnexpectedResponse` (naming the limit, when one was hit: JSON depth, task id
    or URL length)."""
    from pydantic import ValidationError

    try:
        return model.model_validate(load_json(resp.body))
    except ValueError as exc:
        detail, limit_name = None, None
        if isinstance(exc, ValidationError):
            first = exc.errors()[0]
            detail = str(first["msg"])
            if first["type"] == LIMIT_EXCEEDED:
                limit_name = str((first.get("ctx") or {})["limit"])
        raise _shape_error(model.__name__, exc, detail, limit_name, resp, req, redact) from None


def parse_submit(resp: HttpResponse, req: HttpRequest, redact: Redactor) -> SubmitResponse:
    """The ``202`` answer to a submit, parsed without pydantic (api/body.py), or
    :class:`UnexpectedResponse` as :func:`parse_model` raises it."""
    try:
        return SubmitResponse.from_json(load_json(resp.body))
    except ResponseShapeError as exc:
        raise _shape_error("SubmitResponse", exc, str(exc), exc.limit, resp, req, redact) from None
    except ValueError as exc:
        raise _shape_error("SubmitResponse", exc, None, None, resp, req, redact) from None


def _shape_error(
    what: str,
    exc: ValueError,
    detail: str | None,
    limit_name: str | None,
    resp: HttpResponse,
    req: HttpRequest,
    redact: Redactor,
) -> UnexpectedResponse:
    """An answer that is not the ``what`` of the contract.  ``detail`` says why (``None``:
    the body did not decode, or was too deep — :class:`JsonLimitError`)."""
    help_text = exceeded_help(limit_name) if limit_name else None
    if isinstance(exc, JsonLimitError):
        detail, help_text = str(exc), exceeded_help(exc.limit)
    elif detail is None:
        detail = "not JSON"
    return UnexpectedResponse(
        f"the server's answer is not a valid {what} ({redact(detail)}): "
        f"{redact(_snippet(resp.body))}",
        status=resp.status,
        request_id=resp.headers.get("x-request-id"),
        method=req.method,
        path=req.path,
        help=help_text,
    )


def request_deadline() -> float:
    """The limit ``request_deadline``: one API request, connect to last byte."""
    return limit("request_deadline")


def _limit_error(hit: LimitHit, req: HttpRequest) -> SeedanceError:
    return UnexpectedResponse(
        f"the server's answer was not read: {hit.detail}",
        status=hit.status,
        method=req.method,
        path=req.path,
        help=exceeded_help(hit.limit),
    )


# -- the flows -------------------------------------------------------------------------


def call_flow(ctx: Context, req: HttpRequest, *, key: str | None = None) -> Flow:
    """Send ``req`` until it gets a 2xx answer (returned) or the policy gives up (raises)."""
    p = ctx.policy
    attempt = failures = limited = conflicts = 0
    sent = False  # did any attempt (maybe) reach the server?
    max_body = LIMITS["response_json_bytes"].int_value()
    while True:
        attempt += 1
        rem = ctx.remaining()
        if rem is not None and rem <= 0 and ctx.on_deadline is not None:
            raise ctx.on_deadline()
        out = yield Send(
            req, timeout_cap_s=ctx.remaining(), deadline_s=request_deadline(), max_body=max_body
        )
        if isinstance(out, LimitHit):
            raise _limit_error(out, req)
        if isinstance(out, TransportFailure):
            sent = sent or out.sent
            if out.fatal:
                raise SeedanceError(
                    f"the request could not be made: {out.kind} ({out.detail})",
                    code="request_error",
                    method=req.method,
                    path=req.path[:200],
                )
            err = transport_error(out, req, "no answer from the server")
            if isinstance(err, TransportError):
                err.reached_server = sent
            log.debug("%s %s: no answer (%s), attempt %d", req.method, req.path, out.kind, attempt)
            ctx.event(
                ClientEvent(
                    ClientEventKind.REQUEST,
                    req.method,
                    req.path,
                    None,
                    attempt,
                    code=err.code,
                    detail=None if out.sent else NOT_SENT,
                )
            )
            failures += 1
            if not p.retry_transport or failures >= p.max_attempts:
                raise err
            delay = p.backoff(failures, ctx.rng)
            ctx.event(
                ClientEvent(
                    ClientEventKind.RETRY, req.method, req.path, None, attempt, delay, code=err.code
                )
            )
            _check(ctx, delay, err)
            yield Sleep(delay)
            continue

        rid = out.headers.get("x-request-id")
        log.debug(
            "%s %s -> %d (attempt %d, request id %s)",
            req.method,
            req.path,
            out.status,
            attempt,
            rid,
        )
        ctx.event(
            ClientEvent(
                ClientEventKind.REQUEST, req.method, req.path, out.status, attempt, request_id=rid
            )
        )
        if 200 <= out.status < 300:
            return out
        err = error_from_response(out, req, ctx.redact, key=key)

        if isinstance(err, RateLimited):
            limited += 1
            ra = err.retry_after_s
            hold = ra if ra is not None else p.backoff(limited, ctx.rng)
            if limited > p.max_rate_limited or (ra is not None and ra > p.retry_after_cap_s):
                ctx.event(_ev(ClientEventKind.RATE_LIMITED, req, out, attempt, None, err))
                raise err
            ctx.event(_ev(ClientEventKind.RATE_LIMITED, req, out, attempt, hold, err))
            _check(ctx, hold, err)
            yield Hold(hold)
            continue

        if isinstance(err, ServiceBusy | InternalError):
            busy = isinstance(err, ServiceBusy)
            failures += 1
            allowed = p.retry_service_busy if busy else p.retry_internal_error
            ra = parse_retry_after(out.headers)
            delay = ra if ra is not None else p.backoff(failures, ctx.rng)
            give_up = (
                not allowed
                or failures >= p.max_attempts
                or (ra is not None and ra > p.retry_after_cap_s)
            )
            kind = ClientEventKind.SERVICE_BUSY if busy else ClientEventKind.RETRY
            if give_up:
                if busy:
                    ctx.event(_ev(kind, req, out, attempt, None, err))
                raise err
            ctx.event(_ev(kind, req, out, attempt, delay, err))
            _check(ctx, delay, err)
            yield Sleep(delay)
            continue

        if isinstance(err, IdempotencyConflict) and err.still_running:
            conflicts += 1
            if conflicts > p.max_conflict_waits:
                raise err
            ra = parse_retry_after(out.headers)
            delay = (
                min(ra, p.retry_after_cap_s)
                if ra is not None
                else p.conflict_backoff(conflicts, ctx.rng)
            )
            ctx.event(_ev(ClientEventKind.CONFLICT_WAIT, req, out, attempt, delay, err))
            _check(ctx, delay, err)
            yield Sleep(delay)
            continue

        raise err


def _ev(
    kind: ClientEventKind,
    req: HttpRequest,
    out: HttpResponse,
    attempt: int,
    wait: float | None,
    err: SeedanceError,
) -> ClientEvent:
    return ClientEvent(
        kind, req.method, req.path, out.status, attempt, wait, err.code, err.request_id
    )


def _check(ctx: Context, seconds: float, cause: SeedanceError) -> None:
    try:
        ctx.check_wait(seconds)
    except SeedanceError as exc:
        raise exc from cause


def check_idempotency_key(key: str) -> str:
    """An Idempotency-Key must be a non-empty header-safe token (printable ASCII)."""
    if not isinstance(key, str) or not key:
        raise ValueError("idempotency_key must be a non-empty string")
    if len(key) > 255 or not all(33 <= ord(c) < 127 for c in key):
        raise ValueError(
            "idempotency_key must be at most 255 printable ASCII characters without spaces"
        )
    return key


def request_payload(request: RequestBody | VideoRequest | Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of a submit.  A :class:`RequestBody` (what a compiled clip
    resolves to) was checked by the API's rules when it was built: it is sent as it is,
    without pydantic.  A :class:`VideoRequest` is sent as it is; a mapping of its
    fields is validated through the model first.  Raises
    :class:`pydantic.ValidationError` (a ``ValueError``) naming the field, and
    ``TypeError`` for anything else."""
    if isinstance(request, RequestBody):
        return request.to_payload()
    from ..api.models import VideoRequest

    if isinstance(request, VideoRequest):
        return request.to_payload()
    if isinstance(request, Mapping):
        return VideoRequest.model_validate(dict(request)).to_payload()
    raise TypeError(
        "request must be a RequestBody, a VideoRequest or a mapping of its fields, "
        f"not {type(request).__name__}"
    )


def submit_flow(
    ctx: Context, request: RequestBody | VideoRequest | Mapping[str, Any], idempotency_key: str
) -> Flow:
    """POST the request with its Idempotency-Key; every retry re-sends the same bytes."""
    check_idempotency_key(idempotency_key)
    payload = request_payload(request)
    for forbidden in CONTRACT.forbidden_fields:  # the model forbids them; belt and braces
        payload.pop(forbidden, None)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    req = HttpRequest(
        "POST",
        CONTRACT.submit_path,
        (("Content-Type", "application/json"), ("Idempotency-Key", idempotency_key)),
        body,
    )
    resp: HttpResponse = yield from call_flow(ctx, req, key=idempotency_key)
    return parse_submit(resp, req, ctx.redact)


def task_request(task_id: str) -> HttpRequest:
    if not isinstance(task_id, str) or not task_id.strip():
        raise ValueError("task_id must be a non-empty string")
    row = LIMITS["task_id_chars"]
    if len(task_id) > row.value():
        raise ValueError(
            f"task_id of {len(task_id)} characters is longer than the limit "
            f"({exceeded_help(row.name)})"
        )
    return HttpRequest("GET", CONTRACT.task_url_path(quote(task_id, safe="")))


def get_task_flow(ctx: Context, task_id: str) -> Flow:
    req = task_request(task_id)
    resp: HttpResponse = yield from call_flow(ctx, req)
    from ..api.models import Task

    return parse_model(Task, resp, req, ctx.redact)


def wait_flow(
    ctx: Context,
    task_id: str,
    schedule: PollSchedule,
    deadline_s: float | None,
    on_update: Callable[[Task], None] | None,
) -> Flow:
    """Poll until the task is ``completed`` or ``failed`` (returned, not raised).

    With ``deadline_s``, raise :class:`DeadlineExceeded` once that much time has passed
    (measured from the call) with the task still processing; the last poll happens at
    the deadline.  Errors of a poll follow the retry policy; 404 raises at once.
    """
    from ..api.models import Task

    req = task_request(task_id)
    last: list[Task] = []
    started = ctx.clock()
    if deadline_s is not None:
        if deadline_s <= 0:
            raise ValueError("deadline_s must be > 0")
        ctx.deadline = started + deadline_s

        def deadline_error() -> SeedanceError:
            state = f" (last status: {last[-1].status})" if last else ""
            return DeadlineExceeded(
                f"task {task_id} did not finish within {deadline_s:g} s{state}",
                task_id=task_id,
                task=last[-1] if last else None,
                deadline_s=deadline_s,
                method=req.method,
                path=req.path,
            )

        ctx.on_deadline = deadline_error
    warned_status: set[str] = set()
    for n, delay in enumerate(schedule.intervals(), start=1):
        rem = ctx.remaining()
        if rem is not None:
            if rem <= 0 and ctx.on_deadline is not None:
                raise ctx.on_deadline()
            delay = min(delay, rem)
        if delay > 0:
            yield Sleep(delay)
        resp: HttpResponse = yield from call_flow(ctx, req)
        task = parse_model(Task, resp, req, ctx.redact)
        last.append(task)
        del last[:-1]
        ctx.event(
            ClientEvent(ClientEventKind.POLL, "GET", req.path, resp.status, n, detail=task.status)
        )
        if on_update is not None:
            on_update(task)
        if task.is_terminal:
            return task
        if task.status not in CONTRACT.task_statuses and task.status not in warned_status:
            warned_status.add(task.status)
            log.warning(
                "task %s has an undocumented status %r; still waiting", task_id, task.status
            )
    raise AssertionError("unreachable")  # pragma: no cover


def download_flow(ctx: Context, url: str, dest: Path) -> Flow:
    """Download ``url`` to ``dest`` atomically: a temp file beside it, then ``os.replace``.

    The size is checked against ``Content-Length`` / ``Content-Range``.  A connection
    that breaks mid-file is retried (policy back-off, ``max_attempts`` failures without
    progress); if the server advertised ``Accept-Ranges: bytes`` the retry resumes with
    ``Range`` (and ``If-Range`` when there is a strong validator), else it restarts.
    Nothing is left at ``dest`` — or beside it — unless the whole file arrived.
    No credentials are sent: output URLs are public and may be on another host.
    """
    if not isinstance(url, str) or len(url) > LIMITS["url_chars"].value():
        raise DownloadError(
            f"cannot download a URL of {len(url)} characters: longer than the limit",
            help=exceeded_help("url_chars"),
        )
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in ("http", "https"):
        raise DownloadError(f"cannot download {url[:200]!r}: not an http(s) URL")
    deadline_s = limit("download_deadline")
    max_bytes = LIMITS["download_bytes"].int_value()
    started = ctx.clock()
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = create_temp_beside(dest, ".part")
    os.close(fd)
    p = ctx.policy
    try:
        have = 0
        resumable = False
        validator: str | None = None
        failures = 0
        attempt = 0
        while True:
            attempt += 1
            headers: list[tuple[str, str]] = []
            if have > 0 and resumable:
                headers.append(("Range", f"bytes={have}-"))
                if validator:
                    headers.append(("If-Range", validator))
                ctx.event(
                    ClientEvent(
                        ClientEventKind.DOWNLOAD_RESUME, "GET", url, None, attempt, detail=str(have)
                    )
                )
            else:
                have = 0
            left = deadline_s - (ctx.clock() - started)
            if left <= 0:
                raise DownloadError(
                    f"download of {url} did not finish within {deadline_s:g} s "
                    f"({have} bytes so far); the partial file was deleted",
                    method="GET",
                    path=url,
                    help=exceeded_help("download_deadline"),
                )
            res: FetchResult = yield Fetch(url, tmp, have, tuple(headers), left, max_bytes)
            if res.local_error is not None:
                raise DownloadError(f"cannot write {dest}: {res.local_error}")
            if res.over is not None:
                total = expected_total(res.status or 0, res.headers)
                if res.over == "declared":
                    raise DownloadError(
                        f"download of {url} sent more than the {total} bytes it declared; "
                        "stopped there and deleted the partial file",
                        status=res.status,
                        method="GET",
                        path=url,
                        help="the server is misbehaving: report it, or render the clip again",
                    )
                raise DownloadError(
                    f"download of {url} is larger than the limit of {max_bytes} bytes"
                    + (f" (it declared {total})" if total is not None else "")
                    + "; stopped and deleted the partial file",
                    status=res.status,
                    method="GET",
                    path=url,
                    help=exceeded_help("download_bytes"),
                )
            if res.failure is not None and res.failure.fatal:
                raise DownloadError(
                    f"cannot download {url[:200]}: {res.failure.kind} ({res.failure.detail})",
                    status=res.status,
                    method="GET",
                    path=url[:200],
                    help="the output URL does not lead to a file (a redirect loop or a bad "
                    "URL); render the clip again, or report the server",
                )
            problem: str
            if res.status is not None and body_start(res.status, res.headers, have) is not None:
                if res.headers.get("accept-ranges", "").lower() == "bytes" or res.status == 206:
                    resumable = True
                etag = res.headers.get("etag")
                validator = (
                    etag if etag and not etag.startswith("W/") else res.headers.get("last-modified")
                )
                total = expected_total(res.status, res.headers)
                if res.failure is None:
                    if total is None or res.size == total:
                        os.replace(tmp, dest)
                        return dest
                    if res.size > total:
                        raise DownloadError(
                            f"download of {url} gave {res.size} bytes, more than the "
                            f"{total} announced"
                        )
                    problem = f"the body ended at {res.size} of {total} bytes"
                else:
                    problem = f"the connection broke at {res.size} bytes ({res.failure.kind})"
                # progress counts only if it can be kept (the server allows Range)
                progressed = resumable and res.size > have
                have = res.size
                if progressed:
                    failures = 0
            elif res.failure is not None:
                problem = f"no answer ({res.failure.kind})"
                progressed = False
            elif res.status == 416:
                problem = "the server refused the byte range"
                resumable, have, progressed = False, 0, False
            elif res.status is not None and (res.status >= 500 or res.status == 429):
                problem = f"HTTP {res.status}"
                progressed = False
            else:
                raise DownloadError(
                    f"cannot download {url}: HTTP {res.status}"
                    + (f" ({ctx.redact(_snippet(res.body))})" if res.body else ""),
                    status=res.status,
                    method="GET",
                    path=url,
                )
            if not progressed:
                failures += 1
            if failures >= p.max_attempts or (not p.retry_transport and res.failure):
                raise DownloadError(f"download of {url} failed: {problem}", method="GET", path=url)
            delay = 0.0 if progressed else p.backoff(failures, ctx.rng)
            ctx.event(
                ClientEvent(
                    ClientEventKind.RETRY, "GET", url, res.status, attempt, delay, detail=problem
                )
            )
            if delay:
                yield Sleep(delay)
    finally:
        tmp.unlink(missing_ok=True)
