"""The sandbox's HTTP application: every route, rule and error of the contract.

:func:`create_app` returns a :class:`SandboxApp`, an ASGI application (a Starlette
router inside a thin wrapper that can drop a connection on purpose).  Requests are
answered from :class:`~.state.SandboxState`; animatics are drawn by a thread pool,
never in a request handler.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from ..api.models import VideoRequest
from ..api.spec import CONTRACT
from ..api.urls import url_problem
from ..limits import limit
from .animatic import AnimaticJob, render_animatic
from .connections import limit_help as _limit_help
from .media import MediaError, is_loopback_url, load_media, media_inputs
from .settings import SandboxSettings
from .state import ASSETS_PREFIX, FILES_PREFIX, INSPECT_PATH, SandboxState, TaskRecord

__all__ = ["SandboxApp", "create_app"]

log = logging.getLogger("seedance_dsl.sandbox")

SUBMIT_ROUTE = f"POST {CONTRACT.submit_path}"
TASK_ROUTE = f"GET {CONTRACT.task_path}"
FILES_ROUTE = f"GET {FILES_PREFIX}/{{name}}"
INSPECT_ROUTE = f"GET {INSPECT_PATH}"

_DROP = "seedance_sandbox.drop"
_FILE_NAME_RE = re.compile(r"[A-Za-z0-9_]{1,80}\.(mp4|png)")
#: an uploaded asset: its sha256 and the suffix of its type
_ASSET_NAME_RE = re.compile(
    r"(?P<sha>[0-9a-f]{64})(?P<ext>\.(?:png|jpg|webp|gif|bmp|tiff|mp4|mov|webm|mkv))"
)
_ASSET_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
    ".tiff": "image/tiff",
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
}
_IDEM_KEY_RE = re.compile(r"[\x21-\x7e]{1,255}")
_RANGE_RE = re.compile(r"bytes=(\d*)-(\d*)")
_FIELDS = tuple(VideoRequest.model_fields)


def _error(
    code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message, **extra}
    return JSONResponse({"error": body}, status_code=CONTRACT.error_status(code), headers=headers)


def _header_bytes(scope: Scope) -> int:
    """The size of a request's target and headers (about as they came on the wire)."""
    size = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
    return size + sum(len(k) + len(v) + 4 for k, v in scope.get("headers", ()))


def _has_body(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return True
    return False


class _BodyProblem(Exception):
    """The request body cannot be read: too large, too slow."""


_CLOSE = "close"
_INTERNAL_ERROR = (
    "unexpected server-side failure in the sandbox (its log has the details); a POST "
    "may be retried with the same Idempotency-Key"
)


def _retry_headers(seconds: float) -> dict[str, str]:
    """``Retry-After`` in whole seconds (rounded up) and ``Retry-After-Ms`` (exact-ish)."""
    return {
        "Retry-After": str(max(1, math.ceil(seconds - 1e-9))),
        "Retry-After-Ms": str(max(1, math.ceil(seconds * 1000))),
    }


def _validation_message(exc: ValidationError) -> str:
    parts: list[str] = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err.get("loc", ()))
        msg = str(err.get("msg", "invalid value"))
        msg = msg.removeprefix("Value error, ")
        if err.get("type") == "missing":
            if loc == "prompt":
                msg = (
                    f"prompt is required ({CONTRACT.prompt_min_chars}–"
                    f"{CONTRACT.prompt_max_chars} characters)"
                )
            else:
                msg = f"{loc} is required"
        elif loc and not msg.startswith(loc.split(".")[0]):
            msg = f"{loc}: {msg}"
        parts.append(msg)
    return "; ".join(parts) or "Invalid request body"


class SandboxApp:
    """The ASGI application of one sandbox (state, render pool, output directory)."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.state = SandboxState(settings)
        if settings.output_dir is None:
            self.output_dir = Path(tempfile.mkdtemp(prefix="seedance-sandbox-"))
            self._own_dir = True
        else:
            self.output_dir = Path(settings.output_dir)
            self.output_dir.mkdir(parents=True, exist_ok=True)
            self._own_dir = False
        self._pool = ThreadPoolExecutor(
            max_workers=settings.animatic.workers, thread_name_prefix="sandbox-render"
        )
        self._closed = threading.Event()
        #: the port this app is served on (learnt from the first request with media)
        self._port: int | None = None
        routes = [
            Route(CONTRACT.submit_path, self.submit, methods=["POST"]),
            Route(CONTRACT.task_path, self.get_task, methods=["GET"]),
            Route(FILES_PREFIX + "/{name}", self.get_file, methods=["GET", "HEAD"]),
            Route(ASSETS_PREFIX + "/{name}", self.get_asset, methods=["GET", "HEAD"]),
            Route(ASSETS_PREFIX + "/{name}", self.put_asset, methods=["PUT"]),
        ]
        if settings.inspection:
            routes.append(Route(INSPECT_PATH, self.inspect, methods=["GET"]))
        self.router = Starlette(
            routes=routes,
            exception_handlers={
                HTTPException: self._http_exception,
                Exception: self._unexpected_exception,
            },
        )

    # -- ASGI -----------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.router(scope, receive, send)
            return
        dropped = False
        started = False
        body_unread = _has_body(scope)

        async def tracked_receive() -> Message:
            nonlocal body_unread
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_unread = False
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal dropped, started
            if dropped:
                return
            if message["type"] == "http.response.start":
                started = True
                if scope.get(_DROP):
                    dropped = True
                    self.state.count_response(0)
                    await _drop_connection(send)
                    return
                if body_unread:  # answered before the body was read: do not drain it
                    headers = [(k, v) for k, v in message.get("headers", ()) if k != b"connection"]
                    message = {**message, "headers": [*headers, (b"connection", b"close")]}
                self.state.count_response(int(message["status"]))
            await send(message)

        if _header_bytes(scope) > self.settings.max_header_bytes:
            self.state.count_request("other", None)
            response: Response = _error(
                "invalid_request",
                "the request line and headers are too large; "
                + _limit_help("sandbox_header_bytes", self.settings.max_header_bytes),
                headers={"Connection": _CLOSE},
            )
            await response(scope, tracked_receive, guarded_send)
            return
        try:
            await self.router(scope, tracked_receive, guarded_send)
        except Exception:
            # Starlette has already answered with _unexpected_exception (and logged) if
            # it could; anything else is answered here.  Never uvicorn's plain text.
            if not started:
                log.exception("sandbox request failed")
                response = _error("internal_error", _INTERNAL_ERROR, headers={"Connection": _CLOSE})
                await response(scope, tracked_receive, guarded_send)

    def close(self) -> None:
        """Stop the render pool and remove a temporary output directory."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._own_dir:
            shutil.rmtree(self.output_dir, ignore_errors=True)

    # -- helpers --------------------------------------------------------------------

    async def _http_exception(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        self.state.count_request("other", None)
        if exc.status_code == 404:
            return _error("not_found", f"no route {request.method} {request.url.path}")
        if exc.status_code == 405:
            return JSONResponse(
                {
                    "error": {
                        "code": "invalid_request",
                        "message": f"{request.method} is not allowed on {request.url.path}",
                    }
                },
                status_code=405,
                headers=exc.headers,
            )
        return JSONResponse(
            {"error": {"code": "invalid_request", "message": str(exc.detail)}},
            status_code=exc.status_code,
        )

    async def _unexpected_exception(self, request: Request, exc: Exception) -> Response:
        log.error("sandbox request %s %s failed", request.method, request.url.path, exc_info=exc)
        return _error("internal_error", _INTERNAL_ERROR, headers={"Connection": _CLOSE})

    async def _read_body(self, request: Request) -> bytes:
        """The request body, read against the size limit and the body deadline.

        A ``Content-Length`` above the limit is refused before anything is read; a
        chunked body as soon as it passes the limit.  Raises :class:`_BodyProblem`.
        """
        limit_bytes = self.settings.max_body_bytes
        too_large = f"the request body is larger than {limit_bytes} bytes; " + _limit_help(
            "sandbox_body_bytes", limit_bytes
        )
        declared = request.headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit_bytes:
            raise _BodyProblem(too_large)
        data = bytearray()
        timeout = self.settings.body_timeout_s
        try:
            async with asyncio.timeout(timeout):
                async for chunk in request.stream():
                    data += chunk
                    if len(data) > limit_bytes:
                        raise _BodyProblem(too_large)
        except TimeoutError:
            raise _BodyProblem(
                f"the request body did not arrive within {timeout:g} s of its headers; "
                + _limit_help("sandbox_body_timeout", timeout)
            ) from None
        return bytes(data)

    async def _latency(self) -> None:
        delay = self.settings.scaled(self.settings.added_latency_s)
        if delay > 0:
            await asyncio.sleep(delay)

    def _gate(self, request: Request, route: str) -> tuple[str | None, Response | None]:
        """Authenticate and rate-limit: the account, or the error response to send."""
        key = self.state.authenticate(request.headers.get("authorization"))
        self.state.count_request(route, key)
        if key is None:
            return None, _error(
                "unauthorized",
                "missing, invalid or revoked API key: send `Authorization: Bearer <key>` "
                "with a key of this sandbox (the default is printed by `seedance sandbox "
                "serve`)",
            )
        wait = self.state.rate_limit(key)
        if wait is not None:
            s = self.settings
            return key, _error(
                "rate_limited",
                f"more than {s.rate_limit_requests} requests per "
                f"{s.scaled(s.rate_limit_window_s):g} s for this account; retry after "
                f"{wait:.3f} s (Retry-After / Retry-After-Ms)",
                headers=_retry_headers(wait),
            )
        return key, None

    # -- routes ---------------------------------------------------------------------

    async def submit(self, request: Request) -> Response:
        key, refusal = self._gate(request, SUBMIT_ROUTE)
        if refusal is not None:
            return refusal
        assert key is not None
        fault = self.state.post_fault()
        if fault == "503":
            return _error(
                "service_busy",
                "temporary upstream issue (sandbox fault injection: post_503_fraction); "
                "nothing was created; retry with the same Idempotency-Key",
                headers=_retry_headers(self.settings.scaled(1.0)),
            )
        if fault == "500":
            return _error(
                "internal_error",
                "unexpected server-side failure (sandbox fault injection: post_500_fraction); "
                "nothing was created; retry with the same Idempotency-Key",
            )

        idem_key = request.headers.get("idempotency-key")
        if idem_key is None or not _IDEM_KEY_RE.fullmatch(idem_key):
            return _error(
                "invalid_request",
                "the Idempotency-Key header is required on every POST (1–255 visible "
                "ASCII characters, unique per intended request)",
            )
        try:
            raw = await self._read_body(request)
        except _BodyProblem as exc:
            return _error("invalid_request", str(exc), headers={"Connection": _CLOSE})
        try:
            body = json.loads(raw)
            if not isinstance(body, dict):
                return _error("invalid_request", "Invalid request body: expected a JSON object")
            fingerprint = json.dumps(
                body, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            )
        except RecursionError:
            return _error(
                "invalid_request",
                "Invalid request body: the JSON is nested too deeply (a request is an "
                "object of plain fields)",
            )
        except (ValueError, UnicodeDecodeError) as exc:
            return _error("invalid_request", f"Invalid request body: not valid JSON ({exc})")

        kind, record = self.state.idem_lookup(key, idem_key, fingerprint)
        if kind == "replay":
            assert record.body is not None
            return JSONResponse(
                record.body,
                status_code=record.status_code,
                headers={"Idempotent-Replayed": "true"},
            )
        if kind == "running":
            return _error(
                "idempotency_conflict",
                "the first request with this Idempotency-Key is still being processed; "
                "retry the same request shortly (it will then be replayed)",
                headers=_retry_headers(self.settings.scaled(max(self.settings.added_latency_s, 1))),
            )
        if kind == "different_body":
            return _error(
                "idempotency_conflict",
                f"this Idempotency-Key was already used with a different request body "
                f"(task {record.task_id}); send a new key for a new request",
                task_id=record.task_id,
            )

        committed = False
        try:
            await self._latency()
            problem, normalized = self._validate(body, request)
            if problem is not None:
                return _error("invalid_request", problem)
            assert normalized is not None
            price = self.settings.prices.price(
                normalized["quality_tier"], int(normalized["duration"]), normalized["resolution"]
            )
            balance = self.state.balance(key)
            if balance < price:
                return _error(
                    "insufficient_credits",
                    f"this request costs {price} credits and the balance is {balance}; top up "
                    "and retry (in the sandbox: restart with --key KEY:CREDITS)",
                    required=price,
                    balance=balance,
                )
            if self.state.processing_count(key) >= self.settings.max_concurrent_tasks:
                wait = self.state.busy_retry_after(key)
                return _error(
                    "service_busy",
                    f"this account already has {self.settings.max_concurrent_tasks} tasks "
                    "rendering (credit-concurrency limit); retry when one has finished",
                    headers=_retry_headers(wait),
                )
            task = self.state.create_task(
                key=key,
                idem_key=idem_key,
                record=record,
                normalized=normalized,
                price=price,
                base_url=str(request.base_url),
            )
            committed = True
            if not task.will_fail:
                self._schedule_render(task, normalized)
            if self.state.roll("drop", self.settings.drop_after_commit_fraction):
                request.scope[_DROP] = True
            assert record.body is not None
            return JSONResponse(record.body, status_code=202)
        finally:
            if not committed:
                self.state.idem_release(key, idem_key)

    async def get_task(self, request: Request) -> Response:
        key, refusal = self._gate(request, TASK_ROUTE)
        if refusal is not None:
            return refusal
        assert key is not None
        await self._latency()
        task_id = request.path_params["id"]
        task = self.state.get_task(key, task_id)
        if task is None:
            return _error(
                "not_found",
                f"task {task_id!r} does not exist or does not belong to this key's owner",
            )
        return JSONResponse(self.state.task_body(task))

    async def get_file(self, request: Request) -> Response:
        name = request.path_params["name"]
        self.state.count_request(f"{request.method} {FILES_PREFIX}/{{name}}", None)
        path = self.output_dir / name
        if not _FILE_NAME_RE.fullmatch(name) or not self.state.output_exists(name):
            return _error("not_found", f"no sandbox output named {name!r}")
        refusal = self.state.url_refusal(name, request.query_params)
        if refusal is not None:  # output_url_ttl_s: like a presigned URL past its expiry
            body = {"code": "access_denied", "message": f"{refusal}; fetch the task again"}
            return JSONResponse({"error": body}, status_code=403)
        return await _serve_range(request, path)

    @property
    def asset_dir(self) -> Path:
        return self.output_dir / "assets"

    async def get_asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        self.state.count_request(f"{request.method} {ASSETS_PREFIX}/{{name}}", None)
        path = self.asset_dir / name
        if not _ASSET_NAME_RE.fullmatch(name) or not path.is_file():
            return _error("not_found", f"no asset named {name!r} was uploaded to this sandbox")
        return await _serve_range(request, path, _ASSET_TYPES[path.suffix])

    async def put_asset(self, request: Request) -> Response:
        """Store a local asset under its sha256 (checked), for the sandbox's animatics."""
        name = request.path_params["name"]
        self.state.count_request(f"PUT {ASSETS_PREFIX}/{{name}}", None)
        if self.state.authenticate(request.headers.get("authorization")) is None:
            return _error("unauthorized", "uploading an asset needs a key of this sandbox")
        m = _ASSET_NAME_RE.fullmatch(name)
        if m is None:
            return _error(
                "invalid_request",
                f"an asset's name is its sha256 (64 lowercase hex digits) and a suffix "
                f"({', '.join(_ASSET_TYPES)}), not {name[:80]!r}",
            )
        cap = int(limit("sandbox_asset_bytes"))
        too_large = f"the asset is larger than {cap} bytes; " + _limit_help(
            "sandbox_asset_bytes", cap
        )
        declared = request.headers.get("content-length", "")
        if declared.strip().isdigit() and int(declared) > cap:
            return _error("invalid_request", too_large, headers={"Connection": _CLOSE})
        self.asset_dir.mkdir(parents=True, exist_ok=True)
        import hashlib
        import os

        digest = hashlib.sha256()
        import secrets

        part = self.asset_dir / f".{name}.{secrets.token_hex(8)}.part"  # concurrent PUTs
        size = 0
        try:
            async with asyncio.timeout(self.settings.body_timeout_s):
                with part.open("wb") as f:
                    async for chunk in request.stream():
                        size += len(chunk)
                        if size > cap:
                            return _error(
                                "invalid_request", too_large, headers={"Connection": _CLOSE}
                            )
                        digest.update(chunk)
                        f.write(chunk)
            if digest.hexdigest() != m.group("sha"):
                return _error(
                    "invalid_request",
                    f"the body's sha256 is {digest.hexdigest()}, not the name's {m.group('sha')}",
                )
            os.replace(part, self.asset_dir / name)
        except TimeoutError:
            return _error(
                "invalid_request",
                "the asset did not arrive in time; "
                + _limit_help("sandbox_body_timeout", self.settings.body_timeout_s),
                headers={"Connection": _CLOSE},
            )
        finally:
            part.unlink(missing_ok=True)
        return JSONResponse({"name": name, "size": size}, status_code=201)

    async def inspect(self, request: Request) -> Response:
        self.state.count_request(INSPECT_ROUTE, None)
        return JSONResponse(self.state.inspect())

    # -- validation -----------------------------------------------------------------

    def _validate(
        self, body: dict[str, Any], request: Request
    ) -> tuple[str | None, dict[str, Any] | None]:
        """A problem message, or the request with every default filled in."""
        problems: list[str] = []
        for name in body:
            if name in CONTRACT.forbidden_fields:
                problems.append(
                    f"field {name!r} is not accepted: API calls always bill the key owner's "
                    "personal balance; remove the field"
                )
            elif name not in _FIELDS:
                problems.append(
                    f"unknown field {name!r}; the accepted fields are {', '.join(_FIELDS)}"
                )
        if problems:
            return "; ".join(problems), None
        try:
            req = VideoRequest.model_validate(body, context={"allow_loopback_http": True})
        except ValidationError as exc:
            return _validation_message(exc), None
        problem = self._own_urls_only(req, request)
        if problem is not None:
            return problem, None
        normalized = dict(CONTRACT.defaults)
        normalized.update(req.to_payload())
        return None, normalized

    def _own_urls_only(self, req: VideoRequest, request: Request) -> str | None:
        """Loopback URLs pass the model only if they are this sandbox's own outputs."""
        checks: list[tuple[str, str, bool]] = []
        if req.image_url is not None:
            checks.append(("image_url", req.image_url, True))
        if req.end_image_url is not None:
            checks.append(("end_image_url", req.end_image_url, True))
        for i, url in enumerate(req.media_urls or []):
            checks.append((f"media_urls[{i}]", url, False))
        server = request.scope.get("server")
        own_port = server[1] if server else request.url.port
        self._port = own_port
        for field, url, image_only in checks:
            if url_problem(url) is None:
                continue  # a public https URL: accepted as is (never fetched)
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            name = parts.path.removeprefix(FILES_PREFIX + "/")
            own = (
                port == own_port
                and parts.path.startswith(FILES_PREFIX + "/")
                and _FILE_NAME_RE.fullmatch(name) is not None
            )
            if not own and port != own_port and not parts.path.startswith(FILES_PREFIX + "/"):
                continue  # another loopback server (a local store): fetched when drawing
            if port == own_port and parts.path.startswith(ASSETS_PREFIX + "/"):
                asset = parts.path.removeprefix(ASSETS_PREFIX + "/")
                if _ASSET_NAME_RE.fullmatch(asset) and (self.asset_dir / asset).is_file():
                    continue  # a local asset uploaded to this sandbox
                return f"{field} {url!r} is not an asset uploaded to this sandbox"
            if not own:
                return (
                    f"{field} {url!r} is not allowed: {url_problem(url)} (the sandbox "
                    f"accepts plain http on loopback only for its own outputs, "
                    f"{request.base_url}{FILES_PREFIX.lstrip('/')}/…)"
                )
            if not self.state.output_exists(name):
                return f"{field} {url!r} is not an output of a completed task of this sandbox"
            refusal = self.state.url_refusal(name, dict(parse_qsl(parts.query)))
            if refusal is not None:
                bare = url.split("?", 1)[0]
                return f"{field} {bare!r} cannot be fetched: {refusal} (fetch the task again)"
            if image_only and not name.endswith(".png"):
                return (
                    f"{field} {url!r} is a video; {field} needs an image (use the task's "
                    "last_frame_url)"
                )
        return None

    # -- rendering ------------------------------------------------------------------

    def _schedule_render(self, task: TaskRecord, normalized: dict[str, Any]) -> None:
        job = AnimaticJob(
            task_id=task.id,
            prompt=task.prompt,
            duration=task.duration,
            aspect_ratio=task.aspect_ratio,
            resolution=task.resolution,
            video_path=self.output_dir / task.video_name,
            frame_path=self.output_dir / task.frame_name,
            media=media_inputs(normalized),
        )
        self._pool.submit(self._render, job)

    def _local_file(self, url: str) -> Path | None:
        """The file of this sandbox a media URL names (its own outputs), or None."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return None
        if port != self._port or not is_loopback_url(url):
            return None
        asset = parts.path.removeprefix(ASSETS_PREFIX + "/")
        if parts.path.startswith(ASSETS_PREFIX + "/") and _ASSET_NAME_RE.fullmatch(asset):
            path = self.asset_dir / asset
            return path if path.is_file() else None
        name = parts.path.removeprefix(FILES_PREFIX + "/")
        if (
            parts.path.startswith(FILES_PREFIX + "/")
            and _FILE_NAME_RE.fullmatch(name)
            and self.state.output_exists(name)
        ):
            return self.output_dir / name
        return None

    def _render(self, job: AnimaticJob) -> None:
        try:
            media = None
            if job.media:
                media = load_media(
                    job.media,
                    self._local_file,
                    max_bytes=int(limit("sandbox_fetch_bytes")),
                    timeout=limit("sandbox_fetch_timeout"),
                )
            render_animatic(job, self.settings.animatic, media)
        except MediaError as exc:  # a media URL of the request cannot be drawn
            self.state.render_finished(job.task_id, f"a media URL cannot be used: {exc}")
        except Exception as exc:  # reported on the task, never lost
            log.exception("animatic of %s failed", job.task_id)
            self.state.render_finished(job.task_id, f"{type(exc).__name__}: {exc}")
        else:
            self.state.render_finished(job.task_id, None)


def create_app(settings: SandboxSettings | None = None) -> SandboxApp:
    """The sandbox as an ASGI application (call :meth:`SandboxApp.close` when done)."""
    return SandboxApp(settings or SandboxSettings())


async def _drop_connection(send: Send) -> None:
    """Close the client's connection without a response (uvicorn's transport)."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionAbortedError("sandbox dropped the connection (fault injection)")
    transport.close()
    # Let the server notice the closed connection, so it does not answer a 500 instead.
    for _ in range(3):
        await asyncio.sleep(0)


async def _serve_range(request: Request, path: Path, media_type: str | None = None) -> Response:
    """A file with ``Accept-Ranges: bytes`` and single-range ``206`` answers."""
    size = path.stat().st_size
    if media_type is None:
        media_type = "video/mp4" if path.suffix == ".mp4" else "image/png"
    etag = f'"{path.stem}-{size}"'
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Cache-Control": "public, max-age=31536000, immutable",
    }
    start, end = 0, size - 1
    status = 200
    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if range_header and (if_range is None or if_range == etag):
        m = _RANGE_RE.fullmatch(range_header.strip())
        if m is not None and (m.group(1) or m.group(2)):
            a, b = m.group(1), m.group(2)
            if a:
                start = int(a)
                end = min(int(b), size - 1) if b else size - 1
            else:  # suffix range: the last N bytes
                n = int(b)
                start, end = max(size - n, 0), size - 1
                if n == 0:
                    start = size
            if start >= size or start > end:
                return Response(
                    status_code=416,
                    headers={**headers, "Content-Range": f"bytes */{size}"},
                )
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    length = end - start + 1
    headers["Content-Length"] = str(length)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=media_type)
    data = await asyncio.to_thread(_read_slice, path, start, length)
    return Response(data, status_code=status, headers=headers, media_type=media_type)


def _read_slice(path: Path, start: int, length: int) -> bytes:
    with path.open("rb") as f:
        f.seek(start)
        return f.read(length)
