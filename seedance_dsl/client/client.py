"""``SeedanceClient`` and ``AsyncSeedanceClient``: thin drivers of the shared policy.

Both run the same generators of :mod:`.policy` — the only code that decides anything —
and differ only in how they perform an action: ``time.sleep`` or ``asyncio.sleep``,
``httpx.Client`` or ``httpx.AsyncClient``, ``acquire_sync`` or ``acquire``.

The API key goes into exactly one place: the ``Authorization`` header of requests to
the configured base URL.  Downloads carry no credentials (output URLs are public and
may live on another host).
"""

from __future__ import annotations

import asyncio
import contextvars
import random
import ssl
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpcore
import httpx

from .._version import __version__
from ..api.body import RequestBody, SubmitResponse
from ..secret import ApiKey
from . import tls
from .config import ClientConfig, Timeouts, resolve_config
from .policy import (
    NOT_SENT,
    ClientEvent,
    ClientEventKind,
    Context,
    Fetch,
    FetchResult,
    Flow,
    Hold,
    HttpResponse,
    LimitHit,
    PollSchedule,
    Redactor,
    RetryPolicy,
    Send,
    Sleep,
    TransportFailure,
    body_start,
    download_flow,
    fetch_bound,
    get_task_flow,
    submit_flow,
    wait_flow,
)
from .ratelimit import RateLimiter, Slot, shared_limiter

if TYPE_CHECKING:  # pydantic is imported when a task is parsed, never before a submit
    from ..api.models import Task, VideoRequest

__all__ = ["AsyncSeedanceClient", "SeedanceClient"]

_MAX_ERROR_BODY = 1 << 16


def _lower(headers: httpx.Headers) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _failure(exc: Exception, redact: Redactor) -> TransportFailure:
    # str(exc) of httpx transport errors names the socket problem, never headers; the
    # redactor is a second line of defence.
    if not isinstance(exc, httpx.TransportError):
        # httpx.InvalidURL (a URL too long to build), TooManyRedirects: retrying can't help
        return TransportFailure(type(exc).__name__, redact(str(exc))[:300], False, True, True)
    return TransportFailure(
        type(exc).__name__,
        redact(str(exc))[:300],
        isinstance(exc, httpx.TimeoutException),
        sent=not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout),
    )


#: what httpx raises for a request or an answer outside what it can handle
_REFUSED = (httpx.TransportError, httpx.InvalidURL, httpx.TooManyRedirects)


def _deadline_failure(seconds: float, env: str) -> TransportFailure:
    return TransportFailure(
        "RequestDeadline",
        f"no complete answer within {seconds:g} s (set {env} to allow longer)",
        True,
    )


# -- the whole-request deadline of the synchronous client ------------------------------
#
# httpx's timeouts bound each read, so a server that trickles one byte every few seconds
# never trips them.  The asynchronous client wraps each request in ``asyncio.timeout``;
# the synchronous one gives its connection pool a network backend whose every read and
# write waits at most until the deadline of the request in progress (a context variable).

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "seedance_request_deadline", default=None
)


def _past_deadline(exc: Exception | None) -> bool:
    """Did the request in progress time out because its whole deadline passed?"""
    deadline = _DEADLINE.get()
    if deadline is None or not (exc is None or isinstance(exc, httpx.TimeoutException)):
        return False
    return time.monotonic() >= deadline - 0.01


def _cap(timeout: float | None) -> float | None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the whole request took longer than its deadline")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _cap(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _cap(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _cap(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(host, port, _cap(timeout), local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:  # pragma: no cover - the client speaks TCP
        return _DeadlineStream(self._inner.connect_unix_socket(path, _cap(timeout), socket_options))

    def sleep(self, seconds: float) -> None:  # pragma: no cover - httpcore retries only
        self._inner.sleep(seconds)


def _deadline_transport() -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport(verify=tls.context(), trust_env=False)
    pool: Any = getattr(transport, "_pool", None)
    if pool is not None and hasattr(pool, "_network_backend"):
        pool._network_backend = _DeadlineBackend(pool._network_backend)
    return transport


def _absent_sniffio_fails_fast() -> None:
    """httpcore's async locks and semaphores ``import sniffio`` on every request to
    tell asyncio from trio; without sniffio installed (anyio 4 no longer needs it) each
    of those imports scans ``sys.path`` again and fails (~0.15 ms, twice a request: 12 %
    of a render's loop time once the clips complete).  Known absent, it is marked so
    in ``sys.modules``: the import then fails at once and httpcore falls back to
    asyncio, as it does now.  An installed sniffio is left alone."""
    import importlib.util
    import sys

    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


def _too_large(status: int, headers: Mapping[str, str], got: int | None, cap: int) -> LimitHit:
    what = f"{got} bytes" if got is not None else "more"
    return LimitHit(
        "response_json_bytes",
        f"HTTP {status} with a body of {what}, larger than the limit of {cap} bytes",
        status,
    )


def _declared_too_large(
    status: int, headers: Mapping[str, str], cap: int | None
) -> LimitHit | None:
    if cap is None:
        return None
    cl = headers.get("content-length", "").strip()
    if cl.isdigit() and int(cl) > cap:
        return _too_large(status, headers, int(cl), cap)
    return None


class _Base:
    """Configuration, limiter, events and the per-call context: shared by both clients."""

    def __init__(
        self,
        api_key: str | ApiKey | None = None,
        *,
        base_url: str | None = None,
        profile: str | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        on_event: Callable[[ClientEvent], None] | None = None,
        poll: PollSchedule | None = None,
        config: ClientConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        if config is None:
            config = resolve_config(api_key, base_url=base_url, profile=profile, timeouts=timeouts)
        else:
            config = config.with_overrides(base_url=base_url, timeouts=timeouts)
            if api_key is not None:
                from dataclasses import replace

                key = api_key if isinstance(api_key, ApiKey) else ApiKey(api_key)
                config = replace(config, api_key=key, api_key_source="argument")
        key = config.require_key()
        self.config = config
        self.base_url = config.base_url
        self.timeouts = config.timeouts
        self.retry = retry or RetryPolicy()
        self.poll = poll or PollSchedule()
        self.limiter = limiter or shared_limiter(config.base_url, hash(key))
        self._on_event = on_event
        self._clock = clock
        self._rng = rng or random.Random()
        self._redact = Redactor(key.reveal())
        self.__key = key

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, profile={self.config.profile!r}, "
            f"api_key=ApiKey('**********'))"
        )

    def _emit(self, event: ClientEvent) -> None:
        if self._on_event is not None:
            self._on_event(event)

    def _context(self, retry: RetryPolicy | None) -> Context:
        return Context(
            policy=retry or self.retry,
            emit=self._emit,
            redact=self._redact,
            clock=self._clock,
            rng=self._rng,
        )

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.__key.reveal()}"}

    def _timeout(self, cap: float | None) -> httpx.Timeout:
        t = self.timeouts
        read = t.read if cap is None else max(0.05, min(t.read, cap))
        return httpx.Timeout(connect=t.connect, read=read, write=t.write, pool=t.pool)

    def _http_kwargs(self) -> dict[str, Any]:
        return dict(
            base_url=self.base_url,
            timeout=self._timeout(None),
            headers={"User-Agent": f"seedance-dsl/{__version__}", "Accept": "application/json"},
            follow_redirects=False,
            trust_env=False,
            verify=tls.context(),
        )


class SeedanceClient(_Base):
    """The synchronous client.  Thread-safe; use as a context manager or call close().

    >>> with SeedanceClient() as client:                       # doctest: +SKIP
    ...     task = client.submit(request, idempotency_key="my-clip-take-1")
    ...     done = client.wait(task.id, deadline_s=900)
    ...     client.download(done.output.video_url, Path("clip.mp4"))
    """

    def __init__(
        self,
        api_key: str | ApiKey | None = None,
        *,
        base_url: str | None = None,
        profile: str | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        transport: httpx.BaseTransport | None = None,
        on_event: Callable[[ClientEvent], None] | None = None,
        poll: PollSchedule | None = None,
        config: ClientConfig | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url=base_url,
            profile=profile,
            timeouts=timeouts,
            retry=retry,
            limiter=limiter,
            on_event=on_event,
            poll=poll,
            config=config,
        )
        self._http = httpx.Client(
            transport=transport if transport is not None else _deadline_transport(),
            **self._http_kwargs(),
        )

    # -- public API ---------------------------------------------------------------

    def submit(
        self,
        request: RequestBody | VideoRequest | Mapping[str, Any],
        idempotency_key: str,
        *,
        retry: RetryPolicy | None = None,
        slot: Slot | None = None,
    ) -> SubmitResponse:
        """POST the request; retried only with the same ``idempotency_key``.

        ``request`` is a :class:`~seedance_dsl.api.RequestBody` (what a compiled
        clip's ``resolve`` returns: checked by the API's rules already, sent without
        pydantic), a :class:`VideoRequest`, or a mapping of its fields (the
        ``payload`` of a compiled clip), validated through the model first.

        Raises:
            pydantic.ValidationError: ``request`` is a mapping the model refuses (a
                ``ValueError``; nothing is sent).  ``TypeError``: neither kind.
            ValueError: ``idempotency_key`` is not 1-255 printable ASCII characters.
            InvalidRequest, Unauthorized, InsufficientCredits, IdempotencyConflict:
                the server's 400, 401, 402, 409 (never retried; a 409 "still
                running" is waited out first).
            RateLimited, ServiceBusy, InternalError: after the retry policy gave up.
            TransportError, RequestTimeout: no (complete) answer after the retries;
                ``reached_server`` is ``False`` when nothing was sent.
            UnexpectedResponse: an answer outside the contract, or one that broke a
                limit (size, JSON depth, task id length: ``help`` names the setting).

        ``slot``: a slot of the limiter already reserved for this call
        (:meth:`RateLimiter.reserve_sync`), used by its first request.
        """
        result: SubmitResponse = self._run(
            submit_flow(self._context(retry), request, idempotency_key), slot
        )
        return result

    def get_task(self, task_id: str, *, retry: RetryPolicy | None = None) -> Task:
        """GET the task once (with the retry policy for transient failures).

        Raises:
            ValueError: ``task_id`` is empty or longer than the limit ``task_id_chars``.
            NotFound, Unauthorized: the server's 404, 401.
            RateLimited, ServiceBusy, InternalError, TransportError, RequestTimeout:
                after the retry policy gave up.
            UnexpectedResponse: an answer outside the contract or past a limit.
        """
        result: Task = self._run(get_task_flow(self._context(retry), task_id))
        return result

    def wait(
        self,
        task_id: str,
        *,
        deadline_s: float | None = None,
        poll: PollSchedule | None = None,
        on_update: Callable[[Task], None] | None = None,
        retry: RetryPolicy | None = None,
    ) -> Task:
        """Poll until ``completed`` or ``failed`` and return the task (a failed task is
        returned, not raised).

        Raises:
            DeadlineExceeded: ``deadline_s`` passed with the task still processing.
            ValueError: ``deadline_s`` is not positive; a bad ``task_id``.
            and the errors of :meth:`get_task` for a poll that fails after retries.
        """
        flow = wait_flow(self._context(retry), task_id, poll or self.poll, deadline_s, on_update)
        result: Task = self._run(flow)
        return result

    def download(self, url: str, path: Path, *, retry: RetryPolicy | None = None) -> Path:
        """Stream ``url`` to ``path`` atomically (temp file + ``os.replace``), size-checked,
        resumed with ``Range`` where the server allows it.  Returns ``path``.

        Raises:
            DownloadError: the URL is not http(s) or longer than ``url_chars``; an HTTP
                error; a redirect loop; a body longer than it declared or than
                ``download_bytes``; no complete file within ``download_deadline``;
                ``path`` not writable.  Nothing is left at ``path`` (or beside it).
        """
        result: Path = self._run(download_flow(self._context(retry), url, Path(path)))
        return result

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the driver ---------------------------------------------------------------

    def _run(self, flow: Flow, slot: Slot | None = None) -> Any:
        value: Any = None
        prepaid = [slot] if slot is not None else []
        try:
            while True:
                try:
                    action = flow.send(value)
                except StopIteration as stop:
                    return stop.value
                value = self._do(action, prepaid)
        finally:
            flow.close()
            for unused in prepaid:  # the call ended before its first request
                unused.done()

    def _do(self, action: Any, prepaid: list[Slot]) -> Any:
        if isinstance(action, Send):
            slot = prepaid.pop() if prepaid else self.limiter.acquire_slot_sync()
            try:
                return self._send(action)
            finally:
                slot.done()
        if isinstance(action, Sleep):
            time.sleep(action.seconds)
            return None
        if isinstance(action, Hold):
            self.limiter.hold_until(action.seconds)
            return None
        if isinstance(action, Fetch):
            return self._fetch(action)
        raise TypeError(f"unknown action {action!r}")  # pragma: no cover

    def _send(self, a: Send) -> HttpResponse | TransportFailure | LimitHit:
        r = a.request
        headers = dict(r.headers)
        headers.update(self._auth_headers())
        token = _DEADLINE.set(None if a.deadline_s is None else time.monotonic() + a.deadline_s)
        try:
            with self._http.stream(
                r.method,
                r.path,
                headers=headers,
                content=r.body,
                timeout=self._timeout(a.timeout_cap_s),
            ) as resp:
                hdrs = _lower(resp.headers)
                hit = _declared_too_large(resp.status_code, hdrs, a.max_body)
                if hit is not None:
                    return hit
                body = bytearray()
                for chunk in resp.iter_bytes():  # decoded: gzip cannot inflate past the cap
                    body += chunk
                    if a.max_body is not None and len(body) > a.max_body:
                        return _too_large(resp.status_code, hdrs, None, a.max_body)
        except _REFUSED as exc:
            if _past_deadline(exc):
                assert a.deadline_s is not None
                return _deadline_failure(a.deadline_s, "SEEDANCE_REQUEST_TIMEOUT")
            return _failure(exc, self._redact)
        finally:
            _DEADLINE.reset(token)
        return HttpResponse(resp.status_code, hdrs, bytes(body))

    def _fetch(self, a: Fetch) -> FetchResult:
        token = _DEADLINE.set(None if a.deadline_s is None else time.monotonic() + a.deadline_s)
        try:
            res = self._fetch_in_time(a)
            if res.failure is not None and res.failure.timeout and _past_deadline(None):
                assert a.deadline_s is not None
                failure = _deadline_failure(a.deadline_s, "SEEDANCE_DOWNLOAD_TIMEOUT")
                res = FetchResult(res.status, res.headers, res.size, failure=failure)
            return res
        finally:
            _DEADLINE.reset(token)

    def _fetch_in_time(self, a: Fetch) -> FetchResult:
        headers = {"Accept-Encoding": "identity", "Accept": "*/*", **dict(a.headers)}
        status: int | None = None
        hdrs: dict[str, str] = {}
        size = a.offset
        try:
            with self._http.stream(
                "GET", a.url, headers=headers, follow_redirects=True, timeout=self._timeout(None)
            ) as resp:
                status, hdrs = resp.status_code, _lower(resp.headers)
                start = body_start(status, hdrs, a.offset)
                if start is None:
                    body = b""
                    for chunk in resp.iter_raw():
                        body += chunk
                        if len(body) > _MAX_ERROR_BODY:
                            break
                    return FetchResult(status, hdrs, a.offset, body=body)
                try:
                    f = open(a.tmp, "r+b")  # noqa: SIM115 - closed below
                except OSError as exc:
                    return FetchResult(status, hdrs, a.offset, local_error=exc.strerror)
                bound, which = fetch_bound(status, hdrs, a.max_bytes)
                if which is not None and bound is None:
                    return FetchResult(status, hdrs, a.offset, over=which)
                with f:
                    f.seek(start)
                    f.truncate()
                    size = start
                    try:
                        for chunk in resp.iter_raw():
                            if bound is not None and size + len(chunk) > bound:
                                return FetchResult(status, hdrs, size, over=which)
                            f.write(chunk)
                            size += len(chunk)
                    except OSError as exc:
                        return FetchResult(status, hdrs, size, local_error=exc.strerror)
        except _REFUSED as exc:
            return FetchResult(status, hdrs, size, failure=_failure(exc, self._redact))
        return FetchResult(status, hdrs, size)


class AsyncSeedanceClient(_Base):
    """The asyncio client: the same policy as :class:`SeedanceClient`, awaited.

    >>> async with AsyncSeedanceClient() as client:            # doctest: +SKIP
    ...     task = await client.submit(request, idempotency_key="my-clip-take-1")
    ...     done = await client.wait(task.id, deadline_s=900)
    """

    def __init__(
        self,
        api_key: str | ApiKey | None = None,
        *,
        base_url: str | None = None,
        profile: str | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        on_event: Callable[[ClientEvent], None] | None = None,
        poll: PollSchedule | None = None,
        config: ClientConfig | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url=base_url,
            profile=profile,
            timeouts=timeouts,
            retry=retry,
            limiter=limiter,
            on_event=on_event,
            poll=poll,
            config=config,
        )
        _absent_sniffio_fails_fast()
        self._http = httpx.AsyncClient(transport=transport, **self._http_kwargs())

    async def submit(
        self,
        request: RequestBody | VideoRequest | Mapping[str, Any],
        idempotency_key: str,
        *,
        retry: RetryPolicy | None = None,
        slot: Slot | None = None,
    ) -> SubmitResponse:
        """POST the request; retried only with the same ``idempotency_key``.

        ``request`` is a :class:`~seedance_dsl.api.RequestBody` (what a compiled
        clip's ``resolve`` returns: checked by the API's rules already, sent without
        pydantic), a :class:`VideoRequest`, or a mapping of its fields (the
        ``payload`` of a compiled clip), validated through the model first.

        Raises:
            pydantic.ValidationError: ``request`` is a mapping the model refuses (a
                ``ValueError``; nothing is sent).  ``TypeError``: neither kind.
            ValueError: ``idempotency_key`` is not 1-255 printable ASCII characters.
            InvalidRequest, Unauthorized, InsufficientCredits, IdempotencyConflict:
                the server's 400, 401, 402, 409 (never retried; a 409 "still
                running" is waited out first).
            RateLimited, ServiceBusy, InternalError: after the retry policy gave up.
            TransportError, RequestTimeout: no (complete) answer after the retries;
                ``reached_server`` is ``False`` when nothing was sent.
            UnexpectedResponse: an answer outside the contract, or one that broke a
                limit (size, JSON depth, task id length: ``help`` names the setting).

        ``slot``: a slot of the limiter already reserved for this call
        (:meth:`RateLimiter.reserve`): its first request uses it (a retry takes its own);
        unused, it counts from the end of the call.
        """
        result: SubmitResponse = await self._run(
            submit_flow(self._context(retry), request, idempotency_key), slot
        )
        return result

    async def get_task(
        self, task_id: str, *, retry: RetryPolicy | None = None, slot: Slot | None = None
    ) -> Task:
        """GET the task once, as :meth:`SeedanceClient.get_task` (``slot``: as
        :meth:`submit`).

        Raises:
            ValueError: ``task_id`` is empty or longer than the limit ``task_id_chars``.
            NotFound, Unauthorized: the server's 404, 401.
            RateLimited, ServiceBusy, InternalError, TransportError, RequestTimeout:
                after the retry policy gave up.
            UnexpectedResponse: an answer outside the contract or past a limit.
        """
        result: Task = await self._run(get_task_flow(self._context(retry), task_id), slot)
        return result

    async def wait(
        self,
        task_id: str,
        *,
        deadline_s: float | None = None,
        poll: PollSchedule | None = None,
        on_update: Callable[[Task], None] | None = None,
        retry: RetryPolicy | None = None,
    ) -> Task:
        """Poll until the task is terminal, as :meth:`SeedanceClient.wait`.

        Raises:
            DeadlineExceeded: ``deadline_s`` passed with the task still processing.
            ValueError: ``deadline_s`` is not positive; a bad ``task_id``.
            and the errors of :meth:`get_task` for a poll that fails after retries.
        """
        flow = wait_flow(self._context(retry), task_id, poll or self.poll, deadline_s, on_update)
        result: Task = await self._run(flow)
        return result

    async def download(self, url: str, path: Path, *, retry: RetryPolicy | None = None) -> Path:
        """Stream ``url`` to ``path`` atomically, as :meth:`SeedanceClient.download`.

        Raises:
            DownloadError: the URL is not http(s) or longer than ``url_chars``; an HTTP
                error; a redirect loop; a body longer than it declared or than
                ``download_bytes``; no complete file within ``download_deadline``;
                ``path`` not writable.  Nothing is left at ``path`` (or beside it).
        """
        result: Path = await self._run(download_flow(self._context(retry), url, Path(path)))
        return result

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _run(self, flow: Flow, slot: Slot | None = None) -> Any:
        value: Any = None
        prepaid = [slot] if slot is not None else []
        try:
            while True:
                try:
                    action = flow.send(value)
                except StopIteration as stop:
                    return stop.value
                value = await self._do(action, prepaid)
        finally:
            flow.close()
            for unused in prepaid:  # the call ended before its first request
                unused.done()

    async def _do(self, action: Any, prepaid: list[Slot]) -> Any:
        if isinstance(action, Send):
            slot = prepaid.pop() if prepaid else await self.limiter.acquire_slot()
            try:
                return await self._send(action)
            finally:
                slot.done()
        if isinstance(action, Sleep):
            await asyncio.sleep(action.seconds)
            return None
        if isinstance(action, Hold):
            self.limiter.hold_until(action.seconds)
            return None
        if isinstance(action, Fetch):
            return await self._fetch(action)
        raise TypeError(f"unknown action {action!r}")  # pragma: no cover

    async def _send(self, a: Send) -> HttpResponse | TransportFailure | LimitHit:
        sending: list[bool] = []
        try:
            async with asyncio.timeout(a.deadline_s):
                return await self._send_in_time(a, sending)
        except TimeoutError:
            assert a.deadline_s is not None
            return _deadline_failure(a.deadline_s, "SEEDANCE_REQUEST_TIMEOUT")
        except asyncio.CancelledError:
            if not sending:  # cut off while resolving or connecting: nothing was sent
                r = a.request
                self._emit(
                    ClientEvent(
                        ClientEventKind.REQUEST,
                        r.method,
                        r.path,
                        None,
                        0,
                        code="cancelled",
                        detail=NOT_SENT,
                    )
                )
            raise

    async def _send_in_time(
        self, a: Send, sending: list[bool]
    ) -> HttpResponse | TransportFailure | LimitHit:
        """One attempt; ``sending`` gets an item once the request's headers start to
        leave (httpcore's trace), so a cancelled attempt knows whether it may have
        reached the server."""
        r = a.request
        headers = dict(r.headers)
        headers.update(self._auth_headers())

        async def trace(name: str, info: Mapping[str, Any]) -> None:
            if name.endswith(".send_request_headers.started"):
                sending.append(True)  # from here on, the request may reach the server

        try:
            async with self._http.stream(
                r.method,
                r.path,
                headers=headers,
                content=r.body,
                timeout=self._timeout(a.timeout_cap_s),
                extensions={"trace": trace},
            ) as resp:
                hdrs = _lower(resp.headers)
                hit = _declared_too_large(resp.status_code, hdrs, a.max_body)
                if hit is not None:
                    return hit
                body = bytearray()
                async for chunk in resp.aiter_bytes():  # decoded: gzip can't pass the cap
                    body += chunk
                    if a.max_body is not None and len(body) > a.max_body:
                        return _too_large(resp.status_code, hdrs, None, a.max_body)
        except _REFUSED as exc:
            return _failure(exc, self._redact)
        return HttpResponse(resp.status_code, hdrs, bytes(body))

    async def _fetch(self, a: Fetch) -> FetchResult:
        progress: list[tuple[int | None, dict[str, str], int]] = []
        try:
            async with asyncio.timeout(a.deadline_s):
                return await self._fetch_in_time(a, progress)
        except TimeoutError:
            assert a.deadline_s is not None
            status, hdrs, size = progress[-1] if progress else (None, {}, a.offset)
            failure = _deadline_failure(a.deadline_s, "SEEDANCE_DOWNLOAD_TIMEOUT")
            return FetchResult(status, hdrs, size, failure=failure)

    async def _fetch_in_time(
        self, a: Fetch, progress: list[tuple[int | None, dict[str, str], int]]
    ) -> FetchResult:
        headers = {"Accept-Encoding": "identity", "Accept": "*/*", **dict(a.headers)}
        status: int | None = None
        hdrs: dict[str, str] = {}
        size = a.offset
        try:
            async with self._http.stream(
                "GET", a.url, headers=headers, follow_redirects=True, timeout=self._timeout(None)
            ) as resp:
                status, hdrs = resp.status_code, _lower(resp.headers)
                start = body_start(status, hdrs, a.offset)
                if start is None:
                    body = b""
                    async for chunk in resp.aiter_raw():
                        body += chunk
                        if len(body) > _MAX_ERROR_BODY:
                            break
                    return FetchResult(status, hdrs, a.offset, body=body)
                try:
                    f = open(a.tmp, "r+b")  # noqa: SIM115 - local temp file
                except OSError as exc:
                    return FetchResult(status, hdrs, a.offset, local_error=exc.strerror)
                bound, which = fetch_bound(status, hdrs, a.max_bytes)
                if which is not None and bound is None:
                    return FetchResult(status, hdrs, a.offset, over=which)
                with f:
                    f.seek(start)
                    f.truncate()
                    size = start
                    try:
                        async for chunk in resp.aiter_raw():
                            if bound is not None and size + len(chunk) > bound:
                                return FetchResult(status, hdrs, size, over=which)
                            f.write(chunk)
                            size += len(chunk)
                            progress.append((status, hdrs, size))
                            del progress[:-1]
                    except OSError as exc:
                        return FetchResult(status, hdrs, size, local_error=exc.strerror)
        except _REFUSED as exc:
            return FetchResult(status, hdrs, size, failure=_failure(exc, self._redact))
        return FetchResult(status, hdrs, size)
