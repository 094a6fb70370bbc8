"""Chained inputs that are still valid when a clip is submitted (issue 15, item 5).

A clip that starts on an earlier clip's ``.last_frame`` or extends its ``.video`` sends
that clip's *output URL*, and the hosted service's output URLs expire (24 h unless the
URL says otherwise).  Before such a clip is submitted, each of its chained inputs must
stay valid for at least ``output_url_margin``; when one does not:

1. the earlier clip's task is fetched again (``GET /tasks/{id}``: the service may sign
   fresh URLs);
2. if that gives no valid URL either, the file ``render`` downloaded for it (the last
   frame PNG, the video) is uploaded through the store (the sandbox's under
   ``--sandbox``, else the profile's ``[profiles.NAME.store]``) and that URL is sent;
3. if neither works, :class:`InputExpired` says which clip, which output, why, and how
   to fix it, and the clip is not submitted.

The request's *identity* (its hash in the state database, its Idempotency-Key) is
always computed from the original output URL, never from the renewed one: a renewal is
the same intent, and a second render after it reuses the clip instead of paying again.
When a URL expires is read from the URL itself (:func:`url_expiry`: ``X-Amz-Date`` +
``X-Amz-Expires``, ``X-Goog-Date`` + ``X-Goog-Expires``, a plain ``Expires=<epoch>``),
else from when the task completed plus ``output_url_lifetime``.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from ..errors import SeedanceDSLError

if TYPE_CHECKING:
    from ..assets.model import AssetKind, LocalAsset
    from ..assets.store import Upload
    from ..compiler.model import ClipOutputs, CompiledClip, OutputKind

__all__ = [
    "ChainedInput",
    "InputExpired",
    "Renewal",
    "chained_inputs",
    "output_expiry",
    "renew_inputs",
    "stale_inputs",
    "url_expiry",
]

#: the query parameters of a signed URL that say when it was signed and for how long
_SIGNED_FOR = (
    ("x-amz-date", "x-amz-expires", "X-Amz-Expires"),
    ("x-goog-date", "x-goog-expires", "X-Goog-Expires"),
)


def url_expiry(url: str) -> tuple[float, str] | None:
    """When ``url`` stops working (epoch seconds) as the URL itself says, and which
    parameter said it; ``None`` when it does not say."""
    try:
        query = urlsplit(url).query
    except ValueError:
        return None
    params = {k.lower(): v for k, v in parse_qsl(query, keep_blank_values=True)}
    for date_key, expires_key, name in _SIGNED_FOR:
        if date_key in params and expires_key in params:
            try:
                signed = datetime.strptime(params[date_key], "%Y%m%dT%H%M%SZ")
                seconds = int(params[expires_key])
            except ValueError:
                continue
            return signed.replace(tzinfo=UTC).timestamp() + seconds, name
    if "expires" in params:
        try:
            return float(params["expires"]), "Expires"
        except ValueError:
            return None
    return None


@dataclass(frozen=True, slots=True)
class ChainedInput:
    """One output of an earlier clip that a clip sends."""

    clip: str  # the clip that sends it
    source: str  # the clip whose output it is
    output: OutputKind  # "video" or "last_frame"
    field: str  # "image_url", "media_urls[0]"
    url: str
    #: when it stops working (epoch seconds); ``None``: nobody can tell
    expires_at: float | None
    #: how that is known: "X-Amz-Expires", "X-Goog-Expires", "Expires",
    #: "output_url_lifetime" (the task's completion + the limit), "unknown"
    basis: str

    def remaining(self, now: float) -> float | None:
        return None if self.expires_at is None else self.expires_at - now


def output_expiry(url: str, issued_at: float | None, lifetime_s: float) -> float | None:
    """When an output URL stops working: as it says, else ``issued_at`` + the lifetime."""
    return _expiry(url, issued_at, lifetime_s)[0]


def _expiry(url: str, issued_at: float | None, lifetime_s: float) -> tuple[float | None, str]:
    said = url_expiry(url)
    if said is not None:
        return said
    if issued_at is None:
        return None, "unknown"
    return issued_at + lifetime_s, "output_url_lifetime"


def chained_inputs(
    clip: CompiledClip,
    outputs: Mapping[str, ClipOutputs],
    issued: Mapping[str, float | None],
    *,
    lifetime_s: float,
) -> list[ChainedInput]:
    """The outputs of earlier clips ``clip`` sends, with when each expires.  ``issued``
    maps an earlier clip to when its URLs were handed out (its task's completion)."""
    found: list[ChainedInput] = []
    for slot in clip.slots:
        out = outputs.get(slot.clip)
        if out is None:
            continue
        url = out.video_url if slot.output == "video" else out.last_frame_url
        if not url:
            continue
        at, basis = _expiry(url, issued.get(slot.clip), lifetime_s)
        where = slot.field if slot.index is None else f"{slot.field}[{slot.index}]"
        found.append(ChainedInput(clip.name, slot.clip, slot.output, where, url, at, basis))
    return found


def stale_inputs(
    inputs: Sequence[ChainedInput], *, now: float, margin_s: float
) -> list[ChainedInput]:
    """The inputs that expire within ``margin_s``.  One whose expiry nobody can tell (a
    URL that does not say, of a record without a completion time: ``render`` always
    writes one) is sent as it is: the server is the judge."""
    return [i for i in inputs if i.expires_at is not None and i.expires_at - now < margin_s]


class InputExpired(SeedanceDSLError):
    """A chained input's URL has expired and could not be renewed (nothing submitted)."""

    exit_code = 1
    kind = "input_expired"

    #: the input that could not be renewed (its clip, source, output and field)
    input: ChainedInput | None = None


@dataclass(slots=True)
class Renewal:
    """What a renewal gives: the outputs to send instead, and what was done."""

    #: earlier clip -> its outputs with the renewed URL(s)
    outputs: dict[str, ClipOutputs] = field(default_factory=dict)
    #: one ``input_renewed`` event per input: (message, data)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    #: what was uploaded (for the state DB's ``asset_uploads``)
    uploads: list[Upload] = field(default_factory=list)


#: ``refetch(source clip)`` -> the task's outputs now, or why there are none
Refetch = Callable[[str], Awaitable["ClipOutputs | str"]]
#: ``local_file(source clip, output)`` -> the downloaded file, or why there is none
LocalFile = Callable[[str, "OutputKind"], "Path | str"]
#: ``store()`` -> the store to upload to, or why there is none
StoreOf = Callable[[], Any]


def _why_expired(i: ChainedInput, now: float, margin_s: float) -> str:
    from ..assets.model import redact_url

    url = redact_url(i.url)
    if i.expires_at is None:
        return f"its URL {url} has no known expiry (the task's completion time is not recorded)"
    stamp = datetime.fromtimestamp(i.expires_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    basis = (
        "the task completed longer ago than output_url_lifetime"
        if i.basis == "output_url_lifetime"
        else f"{i.basis} in the URL"
    )
    if i.expires_at <= now:
        return f"its URL {url} expired at {stamp} ({basis})"
    return (
        f"its URL {url} expires at {stamp} ({basis}), within the output_url_margin "
        f"of {margin_s:g} s"
    )


def _with_url(out: ClipOutputs, output: OutputKind, url: str) -> ClipOutputs:
    return replace(out, video_url=url) if output == "video" else replace(out, last_frame_url=url)


def _refetched_ok(
    i: ChainedInput, fresh: ClipOutputs, *, now: float, margin_s: float, lifetime_s: float
) -> str | None:
    """The fresh URL for ``i`` from a re-fetched task, if it stays valid long enough."""
    url = fresh.video_url if i.output == "video" else fresh.last_frame_url
    if not url:
        return None
    at, _ = _expiry(url, now, lifetime_s)
    return url if at is not None and at - now >= margin_s else None


def _asset_of(source: str, output: OutputKind, path: Path) -> LocalAsset:
    """A downloaded output as an asset the store takes (its bytes hashed now)."""
    from ..assets.model import ImageInfo, LocalAsset, VideoInfo

    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    # the store needs only the MIME type (the key's suffix, Content-Type); the sizes in
    # pixels and seconds are not read here
    info: ImageInfo | VideoInfo
    if output == "video":
        info = VideoInfo("mp4", "", 0, 0, 0.0, False, "video/mp4")
    else:
        info = ImageInfo("PNG", 0, 0, "image/png")
    kind: AssetKind = "video" if output == "video" else "image"
    name = f"{source}.{output}"
    return LocalAsset(
        name, kind, str(path.resolve()), path.stat().st_size, digest.hexdigest(), info
    )


def _upload(store: Any, asset: LocalAsset) -> Upload:
    store.check()
    (up,) = store.upload_many([asset])
    return up  # type: ignore[no-any-return]


async def _upload_downloaded(
    i: ChainedInput, local_file: LocalFile, store_of: StoreOf, *, now: float, margin_s: float
) -> Upload | str:
    """Upload the file downloaded for ``i`` through the store, or say why not."""
    from ..assets.store import StoreError

    got = local_file(i.source, i.output)
    if isinstance(got, str):
        return got
    try:
        store = store_of()
    except SeedanceDSLError as exc:
        return f"no store to upload it to ({exc.message})"
    if store is None:
        return f"no store is configured to upload the downloaded file {got}"
    try:
        asset = await asyncio.to_thread(_asset_of, i.source, i.output, got)
        up = await asyncio.to_thread(_upload, store, asset)
    except StoreError as exc:
        return f"uploading the downloaded file {got} failed: {exc.message}"
    except OSError as exc:
        return f"the downloaded file {got} cannot be read ({exc.strerror or exc})"
    if up.expires_at is not None and up.expires_at - now < margin_s:
        return "the store's URL for it expires within output_url_margin (raise presign_expiry)"
    return up


def _renewed_event(
    i: ChainedInput, how: str, url: str, why: str, **extra: Any
) -> tuple[str, dict[str, Any]]:
    from ..assets.model import redact_url

    what = "the task fetched again" if how == "refetched" else "the downloaded file, uploaded"
    message = f"{i.output} of {i.source} ({i.field}): {why}; sending {what} instead"
    data: dict[str, Any] = {
        "source": i.source,
        "output": i.output,
        "field": i.field,
        "how": how,
        "expired_at": i.expires_at,
        "basis": i.basis,
        "url": redact_url(url),
        **extra,
    }
    return message, data


async def renew_inputs(
    stale: Sequence[ChainedInput],
    outputs: Mapping[str, ClipOutputs],
    *,
    refetch: Refetch,
    local_file: LocalFile,
    store_of: StoreOf,
    margin_s: float,
    lifetime_s: float,
    storyboard: str,
) -> Renewal:
    """Renew every input of ``stale`` (re-fetch, else upload); raises
    :class:`InputExpired` for the first one that cannot be renewed."""
    now = time.time()
    done = Renewal()
    fetched: dict[str, ClipOutputs | str] = {}
    for i in stale:
        why = _why_expired(i, now, margin_s)
        current = done.outputs.get(i.source, outputs[i.source])
        if i.source not in fetched:
            fetched[i.source] = await refetch(i.source)
        fresh = fetched[i.source]
        url = None
        if not isinstance(fresh, str):
            url = _refetched_ok(i, fresh, now=now, margin_s=margin_s, lifetime_s=lifetime_s)
        if url is not None:
            done.outputs[i.source] = _with_url(current, i.output, url)
            done.events.append(_renewed_event(i, "refetched", url, why))
            continue
        again = fresh if isinstance(fresh, str) else "gave no URL that is still valid"
        up = await _upload_downloaded(i, local_file, store_of, now=now, margin_s=margin_s)
        if isinstance(up, str):
            raise _expired_error(i, why, again, up, storyboard)
        done.outputs[i.source] = _with_url(current, i.output, up.url)
        done.uploads.append(up)
        done.events.append(
            _renewed_event(i, "uploaded", up.url, why, sha256=up.sha256, bytes_sent=up.bytes_sent)
        )
    return done


def _expired_error(
    i: ChainedInput, why: str, refetch: str, upload: str, storyboard: str
) -> InputExpired:
    exc = InputExpired(
        f"clip `{i.clip}` cannot be submitted: it sends the {i.output} of clip `{i.source}` "
        f"({i.field}), and {why}; the task, fetched again, {refetch}; and {upload}. "
        f"Nothing was submitted for `{i.clip}`",
        help=(
            "configure a store ([profiles.NAME.store], docs/assets.md) so the downloaded "
            f"file can be uploaded, or render both clips again as a new take: `seedance "
            f"render {storyboard} --clip {i.source} --clip {i.clip} --take N` (paid again)"
        ),
    )
    exc.input = i
    return exc
