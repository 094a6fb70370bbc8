"""The media of a request, for the animatic: start and end frames, reference stills.

A request's ``image_url`` (start frame), ``end_image_url`` (end frame) and
``media_urls`` (references) are resolved to pictures in the render worker:

- the sandbox's own outputs (``/_sandbox/files/NAME`` on its own port) are read from
  its output directory: a chained clip opens on the previous clip's real last frame;
- files uploaded to the sandbox (``/_sandbox/assets/NAME``) are read from its asset
  directory;
- any other **loopback** URL (a local store such as MinIO or moto, a presigned URL) is
  fetched with plain httpx: no redirects, at most ``sandbox_fetch_bytes``, within
  ``sandbox_fetch_timeout``;
- public URLs are never fetched (the sandbox stays off the network): the animatic
  shows a labelled placeholder instead.

An image is drawn as it is; a video (a reference, an extended clip) by its first frame.
A URL that fails (HTTP error, too large, too slow, not a picture) fails the task with
a message that names the field and the URL (without its query: a presigned URL's
signature is a credential).
"""

from __future__ import annotations

import io
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import httpx
    from PIL import Image

__all__ = [
    "LoadedMedia",
    "MediaError",
    "MediaInputs",
    "MediaSource",
    "is_loopback_url",
    "load_media",
    "media_inputs",
    "shown_url",
]


class MediaError(Exception):
    """A media URL of a request cannot be drawn (the task fails with this message)."""


@dataclass(frozen=True, slots=True)
class MediaSource:
    """One media URL of a request: the field it came from, and a label for the frame."""

    field: str
    url: str
    label: str


@dataclass(frozen=True, slots=True)
class MediaInputs:
    start: MediaSource | None = None
    end: MediaSource | None = None
    refs: tuple[MediaSource, ...] = ()

    def __bool__(self) -> bool:
        return self.start is not None or self.end is not None or bool(self.refs)


@dataclass(frozen=True, slots=True)
class LoadedMedia:
    """The pictures of :class:`MediaInputs`; None where a URL is not fetched (public)."""

    start: Image.Image | None = None
    end: Image.Image | None = None
    refs: tuple[tuple[str, Image.Image | None, str], ...] = ()  # (label, picture, host)


def media_inputs(normalized: dict[str, object]) -> MediaInputs:
    """The media URLs of a validated request, labelled for the frames."""
    start = normalized.get("image_url")
    end = normalized.get("end_image_url")
    urls = normalized.get("media_urls") or []
    assert isinstance(urls, list)
    refs = tuple(
        MediaSource(f"media_urls[{i}]", str(u), f"REF {i + 1}") for i, u in enumerate(urls)
    )
    return MediaInputs(
        MediaSource("image_url", str(start), "START") if start else None,
        MediaSource("end_image_url", str(end), "END") if end else None,
        refs,
    )


def is_loopback_url(url: str) -> bool:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def shown_url(url: str) -> str:
    """``url`` without userinfo and query, for messages."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
    except ValueError:
        return "<malformed URL>"
    return urlunsplit((parts.scheme, host, parts.path, "…" if parts.query else "", ""))


#: resolves a URL to a file of this sandbox (own outputs, uploaded assets), or None
LocalResolver = Callable[[str], Path | None]


def load_media(
    inputs: MediaInputs, resolve: LocalResolver, *, max_bytes: int, timeout: float
) -> LoadedMedia:
    """Fetch and decode every media URL of ``inputs`` (in a render worker)."""
    import httpx

    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:

        def picture(src: MediaSource | None) -> Image.Image | None:
            if src is None:
                return None
            data = _bytes(src, resolve, client, max_bytes, timeout)
            return None if data is None else _decode(src, data)

        refs = tuple(
            (src.label, picture(src), urlsplit(src.url).hostname or "?") for src in inputs.refs
        )
        return LoadedMedia(picture(inputs.start), picture(inputs.end), refs)


def _bytes(
    src: MediaSource, resolve: LocalResolver, client: httpx.Client, max_bytes: int, timeout: float
) -> bytes | None:
    import time

    import httpx

    local = resolve(src.url)
    if local is not None:
        size = local.stat().st_size
        if size > max_bytes:
            raise MediaError(f"{src.field} {shown_url(src.url)} is {size} bytes (> {max_bytes})")
        return local.read_bytes()
    if not is_loopback_url(src.url):
        return None  # a public URL: never fetched by the sandbox
    where = f"{src.field} {shown_url(src.url)}"
    deadline = time.monotonic() + timeout
    try:
        with client.stream("GET", src.url) as resp:
            if resp.status_code != 200:
                raise MediaError(f"{where} answered HTTP {resp.status_code}")
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise MediaError(f"{where} is {declared} bytes (> {max_bytes})")
            data = bytearray()
            for chunk in resp.iter_bytes():
                data += chunk
                if len(data) > max_bytes:
                    raise MediaError(f"{where} is larger than {max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise MediaError(f"{where} did not arrive within {timeout:g} s")
            return bytes(data)
    except httpx.TimeoutException:
        raise MediaError(f"{where} did not answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise MediaError(f"{where} cannot be fetched ({type(exc).__name__})") from None


def _decode(src: MediaSource, data: bytes) -> Image.Image:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > 40_000_000:
                raise MediaError(f"{src.field} {shown_url(src.url)} has too many pixels")
            return img.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError):
        pass
    if src.field in ("image_url", "end_image_url"):
        raise MediaError(f"{src.field} {shown_url(src.url)} is not an image")
    frame = _first_video_frame(data)
    if frame is None:
        raise MediaError(f"{src.field} {shown_url(src.url)} is neither an image nor a video")
    return frame


def _first_video_frame(data: bytes) -> Image.Image | None:
    import av

    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            for frame in container.decode(video=0):
                image: Image.Image = frame.to_image()  # type: ignore[no-untyped-call]
                return image
    except (av.FFmpegError, OSError, ValueError, IndexError):
        return None
    return None
