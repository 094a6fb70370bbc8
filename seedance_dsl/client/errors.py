"""The client's error tree: one root, one class per documented error code.

Every error the client raises on purpose is a :class:`SeedanceError`, itself a
:class:`~seedance_dsl.errors.SeedanceDSLError`, so the CLI prints ``format()`` and exits
with ``exit_code`` without a traceback.  Classes for the documented codes of the API
(``../shared/spec/api.md``) carry the server's ``code``, ``message``, HTTP ``status``
and ``request_id`` (the ``X-Request-Id`` header) when there is one.  Network failures
and timeouts are mapped into the same tree (:class:`TransportError`,
:class:`RequestTimeout`), as are an expired ``wait`` (:class:`DeadlineExceeded`) and a
failed download (:class:`DownloadError`).

Exit codes (documented in ``docs/client.md``):

== ============================================================================
1  any other client error (an unexpected answer from the server)
3  credentials or configuration: :class:`Unauthorized`, :class:`ConfigError`
4  :class:`InsufficientCredits` (top up, then run again)
5  the request itself: :class:`InvalidRequest`, :class:`NotFound`,
   :class:`IdempotencyConflict`
6  temporary: :class:`RateLimited`, :class:`ServiceBusy`, :class:`InternalError`,
   :class:`TransportError`, :class:`RequestTimeout`, :class:`DownloadError`
7  :class:`DeadlineExceeded` (the task is still running; waiting again resumes it)
== ============================================================================

No message, ``repr`` or ``to_json`` of these errors ever contains the API key: the
client builds them from server text that has been passed through its redaction, and
never from request headers.
"""

from __future__ import annotations

from typing import ClassVar, TypedDict, Unpack

from ..errors import SeedanceDSLError

__all__ = [
    "ConfigError",
    "DeadlineExceeded",
    "DownloadError",
    "IdempotencyConflict",
    "InsufficientCredits",
    "InternalError",
    "InvalidRequest",
    "NotFound",
    "RateLimited",
    "RequestTimeout",
    "SeedanceError",
    "ServiceBusy",
    "TransportError",
    "Unauthorized",
    "UnexpectedResponse",
    "error_class_for_code",
]


class ErrorContext(TypedDict, total=False):
    """The keyword arguments every :class:`SeedanceError` accepts."""

    code: str | None
    status: int | None
    request_id: str | None
    method: str | None
    path: str | None
    help: str | None


class SeedanceError(SeedanceDSLError):
    """Root of every error of the API client.

    ``code`` is the server's error code (``"invalid_request"``...) or, for errors that
    did not come from an error envelope, a client-side code (``"transport_error"``,
    ``"request_timeout"``, ``"deadline_exceeded"``, ``"download_error"``...).
    """

    exit_code: ClassVar[int] = 1
    kind: ClassVar[str] = "api"
    #: The documented error code this class stands for (``None``: client-side error).
    default_code: ClassVar[str] = "client_error"
    default_help: ClassVar[str | None] = None
    #: Whether trying the same thing again later can succeed.
    temporary: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
        help: str | None = None,
    ) -> None:
        super().__init__(message, help=help if help is not None else self.default_help)
        self.code = code or self.default_code
        self.status = status
        self.request_id = request_id
        self.method = method
        self.path = path

    def __str__(self) -> str:
        parts = [self.message]
        where = " ".join(p for p in (self.method, self.path) if p)
        facts = []
        if self.status is not None:
            facts.append(f"HTTP {self.status}")
        if self.code:
            facts.append(self.code)
        if where:
            facts.append(where)
        if self.request_id:
            facts.append(f"request id {self.request_id}")
        if facts:
            parts.append(f"({', '.join(facts)})")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, status={self.status!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )

    def format(self) -> str:
        text = f"error: {self}"
        if self.help:
            text += f"\n  help: {self.help}"
        return text

    def to_json(self) -> dict[str, object]:
        data = super().to_json()
        data.update(
            code=self.code,
            status=self.status,
            request_id=self.request_id,
            method=self.method,
            path=self.path,
            temporary=self.temporary,
        )
        return data


class ConfigError(SeedanceError):
    """The client is not configured: no API key, an unreadable config file, a bad URL."""

    exit_code = 3
    kind = "config"
    default_code = "config_error"


# -- the documented codes ---------------------------------------------------------


class Unauthorized(SeedanceError):
    """401 ``unauthorized``: missing, invalid or revoked API key."""

    exit_code = 3
    default_code = "unauthorized"
    default_help = (
        "check the API key: set SEEDANCE_API_KEY, or api_key in your config profile "
        "(see `docs/client.md`); keys revoked in the dashboard stop working at once"
    )


class InvalidRequest(SeedanceError):
    """400 ``invalid_request``: bad input or unsupported field.  Never retried."""

    exit_code = 5
    default_code = "invalid_request"
    default_help = "fix the request; the server's message says which field is wrong"


class InsufficientCredits(SeedanceError):
    """402 ``insufficient_credits``: not enough credits.  Never retried."""

    exit_code = 4
    default_code = "insufficient_credits"
    default_help = "top up your balance on the provider's pricing page, then run again"


class RateLimited(SeedanceError):
    """429 ``rate_limited``, after the retry policy gave up (or the wait exceeded its cap).

    ``retry_after_s`` is the server's requested wait, when it sent one.
    """

    exit_code = 6
    default_code = "rate_limited"
    temporary = True
    default_help = (
        "the account made more than 30 requests in 60 seconds; wait and run again, and "
        "share one RateLimiter between all clients of the process"
    )

    def __init__(
        self, message: str, *, retry_after_s: float | None = None, **kw: Unpack[ErrorContext]
    ) -> None:
        super().__init__(message, **kw)
        self.retry_after_s = retry_after_s

    def to_json(self) -> dict[str, object]:
        data = super().to_json()
        data["retry_after_s"] = self.retry_after_s
        return data


class IdempotencyConflict(SeedanceError):
    """409 ``idempotency_conflict``.

    Raised when the Idempotency-Key was already used with a different body, or when a
    first request with the key was still running after every retry.  ``key`` is the
    Idempotency-Key (not a secret); ``task_id`` is set if the server named the task.
    """

    exit_code = 5
    default_code = "idempotency_conflict"

    def __init__(
        self,
        message: str,
        *,
        key: str | None = None,
        still_running: bool = False,
        task_id: str | None = None,
        **kw: Unpack[ErrorContext],
    ) -> None:
        super().__init__(message, **kw)
        self.key = key
        self.still_running = still_running
        self.task_id = task_id
        if self.help is None:
            self.help = (
                "a request with this key is still being processed; run again in a moment"
                if still_running
                else "this Idempotency-Key was already used for a different request body; "
                "a changed request needs a new key (e.g. a new --take)"
            )

    def to_json(self) -> dict[str, object]:
        data = super().to_json()
        data.update(key=self.key, still_running=self.still_running, task_id=self.task_id)
        return data


class ServiceBusy(SeedanceError):
    """503 ``service_busy``: temporary upstream or credit-concurrency issue."""

    exit_code = 6
    default_code = "service_busy"
    temporary = True
    default_help = (
        "the service is busy or the account has too many renders running; "
        "wait for running renders to finish, or lower the concurrency, and run again"
    )


class NotFound(SeedanceError):
    """404 ``not_found``: the task does not exist or belongs to another key's owner."""

    exit_code = 5
    default_code = "not_found"
    default_help = "check the task id, and that it was created with the same account's key"


class InternalError(SeedanceError):
    """500 ``internal_error``: unexpected server-side failure (after retries)."""

    exit_code = 6
    default_code = "internal_error"
    temporary = True
    default_help = "the server failed; run again later (a run resumes where it stopped)"


# -- client-side failures -----------------------------------------------------------


class UnexpectedResponse(SeedanceError):
    """The server answered with something the contract does not describe."""

    default_code = "unexpected_response"
    default_help = "check base_url points at a Seedance API (see `docs/client.md`)"


class TransportError(SeedanceError):
    """The request did not get an HTTP answer: connection refused, reset, dropped."""

    exit_code = 6
    kind = "network"
    default_code = "transport_error"
    temporary = True
    default_help = "check the network connection and base_url, then run again"
    #: ``False`` when no attempt of the call can have reached the server (the name did
    #: not resolve, the connection was refused): nothing was sent
    reached_server: bool = True


class RequestTimeout(TransportError):
    """A connect, read or write timeout of one request (see ``Timeouts``)."""

    default_code = "request_timeout"
    default_help = (
        "the server did not answer in time; run again, or raise the timeouts "
        "(connect_timeout / read_timeout in the config profile)"
    )


class DeadlineExceeded(SeedanceError):
    """``wait`` reached its overall deadline while the task was still running.

    The task is not cancelled: ``task_id`` can be waited for again.  ``task`` is the
    last state seen, if any.
    """

    exit_code = 7
    kind = "deadline"
    default_code = "deadline_exceeded"
    temporary = True
    default_help = "the task is still rendering; wait again (or raise the deadline)"

    def __init__(
        self,
        message: str,
        *,
        task_id: str | None = None,
        task: object | None = None,
        deadline_s: float | None = None,
        **kw: Unpack[ErrorContext],
    ) -> None:
        super().__init__(message, **kw)
        self.task_id = task_id
        self.task = task
        self.deadline_s = deadline_s

    def to_json(self) -> dict[str, object]:
        data = super().to_json()
        data.update(task_id=self.task_id, deadline_s=self.deadline_s)
        return data


class DownloadError(SeedanceError):
    """An output could not be downloaded completely; nothing was left at the destination."""

    exit_code = 6
    kind = "download"
    default_code = "download_error"
    temporary = True
    default_help = "run again to retry the download (output URLs may expire)"


_BY_CODE: dict[str, type[SeedanceError]] = {
    cls.default_code: cls
    for cls in (
        Unauthorized,
        InvalidRequest,
        InsufficientCredits,
        RateLimited,
        IdempotencyConflict,
        ServiceBusy,
        NotFound,
        InternalError,
    )
}


def error_class_for_code(code: str) -> type[SeedanceError] | None:
    """The class of a documented error code, or ``None`` for an unknown code."""
    return _BY_CODE.get(code)
