"""Preflight: probe every remote asset URL before a credit is spent.

For each :class:`ProbeTarget` one ``GET`` with ``Range: bytes=0-0`` (the body is never
read): the answer says whether the URL is reachable, its ``Content-Type``, its size
(``Content-Range`` or ``Content-Length``) and whether the server honours Range
requests (``206``), which the API needs for a video (it probes the duration;
api.md).  Probes run ``asset_probe_concurrency`` at a time, each bounded by
``asset_probe_timeout`` from connect to its headers.

Each result is a :class:`ProbeOK` or an :class:`~.model.AssetProblem` (the checker
reports it at the asset's line).  URLs the API would refuse (not public https) are
never fetched: they are ``not_allowed`` (``allow_loopback=True`` lets tests and the
sandbox use loopback http).  Messages show URLs without their query string (a
presigned URL's signature is a credential).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..api.urls import url_problem
from ..limits import LimitSettingError, exceeded_help, limit
from .model import AssetKind, AssetProblem, redact_url

if TYPE_CHECKING:
    import httpx

__all__ = ["ProbeOK", "ProbeResult", "ProbeTarget", "preflight", "preflight_sync"]

_SIZE_LIMIT = {"image": "asset_image_bytes", "video": "asset_video_bytes"}
_VAGUE_TYPES = ("", "application/octet-stream", "binary/octet-stream")
_MAX_REDIRECTS = 5


@dataclass(frozen=True, slots=True)
class ProbeTarget:
    """One remote asset: its name (for the diagnostic), declared kind and URL."""

    name: str
    kind: AssetKind
    url: str


@dataclass(frozen=True, slots=True)
class ProbeOK:
    """A URL that answered as the kind needs.  ``warnings`` are problems of severity
    warning (a vague Content-Type) that do not stop a render."""

    name: str
    url: str
    status: int
    content_type: str
    size: int | None
    ranges: bool
    warnings: tuple[AssetProblem, ...] = ()


ProbeResult = ProbeOK | AssetProblem


async def preflight(
    targets: Sequence[ProbeTarget],
    *,
    client: httpx.AsyncClient | None = None,
    concurrency: int | None = None,
    timeout: float | None = None,
    allow_loopback: bool = False,
) -> list[ProbeResult]:
    """Probe every target; results in the order of ``targets``.  Never raises for a
    problem of a URL or a server."""
    import httpx

    try:
        slots = int(concurrency or limit("asset_probe_concurrency"))
        bound = float(timeout or limit("asset_probe_timeout"))
    except LimitSettingError as exc:
        return [AssetProblem(t.name, "unreadable", exc.message, help=exc.help) for t in targets]
    gate = asyncio.Semaphore(max(1, slots))
    own = client is None
    if client is None:
        client = httpx.AsyncClient(
            timeout=httpx.Timeout(bound),
            follow_redirects=True,
            max_redirects=_MAX_REDIRECTS,
            limits=httpx.Limits(max_connections=max(1, slots)),
            headers={"User-Agent": "seedance-dsl preflight"},
            trust_env=False,
        )
    try:

        async def one(target: ProbeTarget) -> ProbeResult:
            async with gate:
                return await _probe(client, target, bound, allow_loopback)

        return list(await asyncio.gather(*(one(t) for t in targets)))
    finally:
        if own:
            await client.aclose()


def preflight_sync(
    targets: Sequence[ProbeTarget],
    *,
    concurrency: int | None = None,
    timeout: float | None = None,
    allow_loopback: bool = False,
) -> list[ProbeResult]:
    """:func:`preflight` for callers without an event loop (``seedance check --online``)."""
    return asyncio.run(
        preflight(targets, concurrency=concurrency, timeout=timeout, allow_loopback=allow_loopback)
    )


async def _probe(
    client: httpx.AsyncClient, target: ProbeTarget, bound: float, allow_loopback: bool
) -> ProbeResult:
    import httpx

    shown = redact_url(target.url)
    name = target.name
    why = url_problem(target.url, allow_loopback_http=allow_loopback)
    if why is not None:
        return AssetProblem(
            name,
            "not_allowed",
            f"asset {name}: {shown} is not allowed: {why}",
            help="name a public https URL, or a local file (uploaded to your store)",
        )
    try:
        async with asyncio.timeout(bound):
            async with client.stream("GET", target.url, headers={"Range": "bytes=0-0"}) as resp:
                return _judge(target, shown, resp)
    except TimeoutError:
        return _timeout(name, shown, bound)
    except httpx.TimeoutException:
        return _timeout(name, shown, bound)
    except httpx.TooManyRedirects:
        return AssetProblem(
            name,
            "unreachable",
            f"asset {name}: {shown} redirects more than {_MAX_REDIRECTS} times",
            help="name the final URL",
        )
    except (httpx.HTTPError, OSError) as exc:
        return AssetProblem(
            name,
            "unreachable",
            f"asset {name}: {shown} cannot be reached ({type(exc).__name__})",
            help="check the URL and that its host is up; the service fetches it the same way",
        )


def _timeout(name: str, shown: str, bound: float) -> AssetProblem:
    return AssetProblem(
        name,
        "timeout",
        f"asset {name}: {shown} did not answer within {bound:g} s",
        help="check that the host is up and fast; " + exceeded_help("asset_probe_timeout"),
    )


def _a(kind: str) -> str:
    return "an image" if kind == "image" else "a video"


def _judge(target: ProbeTarget, shown: str, resp: httpx.Response) -> ProbeResult:
    name, kind = target.name, target.kind
    status = resp.status_code
    if status == 416:
        return AssetProblem(
            name, "http_status", f"asset {name}: {shown} is empty (HTTP 416 for its first byte)"
        )
    if status >= 400:
        hint = {
            404: "check the URL; the file is not there",
            403: "the object is private, or a presigned URL has expired: make it public or "
            "upload it again",
            410: "the file was removed; upload it again",
        }.get(status, "check the URL and the server")
        return AssetProblem(
            name, "http_status", f"asset {name}: {shown} answered HTTP {status}", help=hint
        )
    if status not in (200, 206):
        return AssetProblem(
            name,
            "http_status",
            f"asset {name}: {shown} answered HTTP {status}, not the file",
            help="name a URL that answers 200 with the file",
        )
    ctype = resp.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    warnings: list[AssetProblem] = []
    if ctype in _VAGUE_TYPES:
        warnings.append(
            AssetProblem(
                name,
                "wrong_type",
                f"asset {name}: {shown} does not say it is {_a(kind)} "
                f"(Content-Type {ctype or 'missing'})",
                help=f"serve it with a {kind}/* Content-Type; the service may refuse it",
                severity="warning",
            )
        )
    elif not ctype.startswith(kind + "/"):
        return AssetProblem(
            name,
            "wrong_type",
            f"asset {name}: {shown} is {ctype}, not {_a(kind)}",
            help="check the URL (a login or error page?), or declare the asset with the kind it is",
        )
    ranges = status == 206
    size = _size(resp, ranges)
    limit_name = _SIZE_LIMIT[kind]
    try:
        cap = limit(limit_name)
    except LimitSettingError as exc:
        return AssetProblem(name, "unreadable", exc.message, help=exc.help)
    if size is not None and size > cap:
        return AssetProblem(
            name,
            "too_large",
            f"asset {name}: {shown} is {size:,} bytes",
            help=exceeded_help(limit_name),
        )
    if kind == "video" and not ranges:
        return AssetProblem(
            name,
            "no_range",
            f"asset {name}: {shown} does not answer Range requests (HTTP {status} to "
            "`Range: bytes=0-0`)",
            help="the service probes a video's duration with Range requests; host it where "
            "they work (S3, R2, most CDNs) or as a local file uploaded to your store",
        )
    return ProbeOK(name, shown, status, ctype, size, ranges, tuple(warnings))


def _size(resp: httpx.Response, ranges: bool) -> int | None:
    if ranges:
        total = resp.headers.get("content-range", "").rpartition("/")[2].strip()
        return int(total) if total.isdigit() else None
    length = resp.headers.get("content-length", "")
    return int(length) if length.strip().isdigit() else None
