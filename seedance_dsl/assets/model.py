"""What the asset checks return: a typed description of a file or URL, or a problem.

No I/O and no imports beyond the standard library: the checker turns an
:class:`AssetProblem` into a diagnostic at the asset's line (its ``reason`` picks the
code, its ``message`` and ``help`` are the diagnostic's), and keeps a
:class:`LocalAsset` for the compiler and the upload step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "KINDS",
    "AssetKind",
    "AssetProblem",
    "ImageInfo",
    "LocalAsset",
    "ProblemReason",
    "Severity",
    "VideoInfo",
    "is_local_path",
    "redact_url",
]

#: The kinds of asset the contract takes (api.md: image and video URLs; no audio refs).
AssetKind = Literal["image", "video"]
KINDS: tuple[AssetKind, ...] = ("image", "video")

#: Why an asset cannot be used, one stable word per cause (the checker maps it to a code).
ProblemReason = Literal[
    "not_found",  # no such file (local)
    "outside_project",  # the path resolves outside the project roots (local)
    "not_a_file",  # a directory, FIFO, device, socket (local)
    "unreadable",  # an OS error, a bad limit setting (local)
    "too_large",  # over a size, pixel or duration limit (local and remote)
    "wrong_kind",  # a video declared as an image, or the other way round (local)
    "undecodable",  # not an image / video these libraries can read (local)
    "unreachable",  # connect/DNS/TLS error (remote)
    "timeout",  # no answer within asset_probe_timeout (remote)
    "http_status",  # 4xx/5xx (remote)
    "wrong_type",  # Content-Type of another kind (remote)
    "no_range",  # a video URL that does not answer Range requests (remote)
    "not_allowed",  # a URL the API would refuse (not public https) (remote)
]
Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class AssetProblem:
    """Why the asset ``name`` cannot be used: a diagnostic without a position yet."""

    name: str
    reason: ProblemReason
    message: str
    help: str | None = None
    severity: Severity = "error"


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """What the header of an image says."""

    format: str  # Pillow's name: PNG, JPEG, WEBP, ...
    width: int
    height: int
    mime: str


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What the container of a video says."""

    container: str  # PyAV's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    codec: str  # e.g. "h264"
    width: int
    height: int
    duration_s: float
    has_audio: bool
    mime: str


@dataclass(frozen=True, slots=True)
class LocalAsset:
    """A local file that passed every check: where it is, what it holds, its hash."""

    name: str
    kind: AssetKind
    path: str  # absolute, symlinks resolved
    size: int
    sha256: str
    info: ImageInfo | VideoInfo

    @property
    def mime(self) -> str:
        return self.info.mime

    @property
    def suffix(self) -> str:
        """The file name ending the object key gets (``.png``, ``.mp4``): a store serves
        the key with the right type, and a person reading the bucket sees what it is."""
        return _SUFFIX.get(self.mime, "")


_SUFFIX = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "image/bmp": ".bmp",
    "image/tiff": ".tiff",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "video/webm": ".webm",
    "video/x-matroska": ".mkv",
}


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def is_local_path(value: str) -> bool:
    """``value`` (an asset's string as written) is a path, not a URL: it has no scheme
    (``https:``, ``http:``, ``asset:``, ``data:`` ...).  A path is relative to the
    ``.shot`` file that declares the asset (or absolute, or ``~/...``)."""
    return bool(value.strip()) and _SCHEME.match(value) is None


def redact_url(url: str | None) -> str:
    """``url`` without userinfo and without its query (a signature is a credential):
    what messages, logs and errors show of an asset URL."""
    if not url:
        return ""
    if "@" in url.split("?", 1)[0].split("#", 1)[0]:
        # userinfo (a secret may hold "/", which splits it into the path): host only
        tail = url.rsplit("@", 1)[1]
        url = url.split(":", 1)[0] + "://" + tail
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
    except ValueError:
        return "<malformed URL>"
    query = "…" if parts.query else ""
    return urlunsplit((parts.scheme, host, parts.path, query, ""))
