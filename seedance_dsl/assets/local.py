"""Inspect a local file a storyboard names as an asset: is it there, inside the project,
of the declared kind, readable, within the limits?

:func:`inspect_local` returns a :class:`~.model.LocalAsset` (kind, header facts, size,
sha256) or an :class:`~.model.AssetProblem` the checker reports at the asset's line.
Reads are confined like ``import``'s (``syntax.source``: the project roots, never
``/proc``, ``/sys``, ``/dev``, never a FIFO or device, never past the size cap).
Pillow and PyAV are imported only when a file is decoded; no network code is loaded.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..limits import LimitSettingError, exceeded_help, limit
from ..syntax.source import file_problem, outside_roots, read_bytes
from .model import AssetKind, AssetProblem, ImageInfo, LocalAsset, ProblemReason, VideoInfo

if TYPE_CHECKING:
    from pathlib import Path

    from ..syntax.diagnostics import Diagnostic

__all__ = ["IMAGE_FORMATS", "VIDEO_CODECS", "inspect_local", "resolve_asset_path"]

#: Pillow format name -> MIME type, for the image formats an asset may be.
IMAGE_FORMATS = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
}
#: Video codecs an asset may hold (what the service and browsers decode).
VIDEO_CODECS = frozenset({"h264", "hevc", "vp8", "vp9", "av1", "mpeg4"})

_SIZE_LIMIT = {"image": "asset_image_bytes", "video": "asset_video_bytes"}
_CODE_REASON: dict[str, ProblemReason] = {
    "SHOT001": "not_found",
    "SHOT005": "not_a_file",
    "SHOT009": "not_a_file",
    "SHOT010": "too_large",
}
_REENCODE = (
    "re-encode it as H.264 in MP4, e.g. `ffmpeg -i IN -c:v libx264 -pix_fmt yuv420p OUT.mp4`"
)


def resolve_asset_path(path: str, base_dir: str | Path) -> str:
    """The absolute path of ``path`` as written in a storyboard: relative to the
    directory of the ``.shot`` file that declares it (``base_dir``)."""
    expanded = os.path.expanduser(path)
    return os.path.abspath(os.path.join(os.fspath(base_dir), expanded))


def inspect_local(
    name: str,
    path: str,
    kind: AssetKind,
    *,
    base_dir: str | Path,
    roots: Iterable[str],
) -> LocalAsset | AssetProblem:
    """Check the local asset ``name`` (declared ``kind``, written as ``path``).

    ``base_dir`` is the directory of the declaring ``.shot`` file; ``roots`` the
    directories a storyboard may read (``syntax.source.project_roots``).  Never raises
    for a problem of the file: every one is an :class:`AssetProblem`."""
    full = resolve_asset_path(path, base_dir)
    why = outside_roots(full, roots)
    if why is not None:
        return AssetProblem(
            name,
            "outside_project",
            f"asset {name}: {path} cannot be read: {why}",
            help="keep assets inside the storyboard's folder, or add their folder to "
            "SEEDANCE_ROOTS",
        )
    limit_name = _SIZE_LIMIT[kind]
    diag = file_problem(full, limit_name=limit_name, what="an asset file")
    if diag is not None:
        return _from_diagnostic(name, path, diag)
    if kind == "image":
        return _inspect_image(name, path, full, limit_name)
    return _inspect_video(name, path, full, limit_name)


def _from_diagnostic(name: str, path: str, diag: Diagnostic) -> AssetProblem:
    reason = _CODE_REASON.get(diag.code, "unreadable")
    if reason == "not_found":
        return AssetProblem(
            name,
            "not_found",
            f"asset {name}: file not found: {path}",
            help="the path is relative to the .shot file that declares the asset",
        )
    return AssetProblem(name, reason, f"asset {name}: {diag.message}", help=diag.help)


def _inspect_image(name: str, path: str, full: str, limit_name: str) -> LocalAsset | AssetProblem:
    data, diags = read_bytes(full, limit_name=limit_name, what="an asset file")
    if data is None:
        return _from_diagnostic(name, path, diags[0])
    try:
        max_pixels = limit("asset_image_pixels")
    except LimitSettingError as exc:
        return AssetProblem(name, "unreadable", exc.message, help=exc.help)
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or "?"
            width, height = img.size
            if width * height > max_pixels:
                return AssetProblem(
                    name,
                    "too_large",
                    f"asset {name}: {path} is {width}x{height} pixels "
                    f"({width * height:,} > {max_pixels:,.0f})",
                    help=exceeded_help("asset_image_pixels"),
                )
            img.verify()
    except UnidentifiedImageError:
        if _looks_like_video(data):
            return AssetProblem(
                name,
                "wrong_kind",
                f"asset {name}: {path} is a video, but the asset is declared `image`",
                help=f"declare it `asset {name} video ...`, or name an image file",
            )
        return AssetProblem(
            name,
            "undecodable",
            f"asset {name}: {path} is not an image Pillow can read",
            help="save it as PNG, JPEG or WebP",
        )
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        return AssetProblem(
            name,
            "undecodable",
            f"asset {name}: {path} is a damaged image ({_short(exc)})",
            help="open and re-save it as PNG, JPEG or WebP",
        )
    mime = IMAGE_FORMATS.get(fmt)
    if mime is None:
        return AssetProblem(
            name,
            "undecodable",
            f"asset {name}: {path} is a {fmt} image, a format the service does not take",
            help="save it as PNG, JPEG or WebP",
        )
    info = ImageInfo(format=fmt, width=width, height=height, mime=mime)
    return LocalAsset(
        name, "image", os.path.realpath(full), len(data), hashlib.sha256(data).hexdigest(), info
    )


def _looks_like_video(head: bytes) -> bool:
    """MP4/MOV (``ftyp`` box), Matroska/WebM (EBML), AVI: enough to say "a video"."""
    return head[4:8] == b"ftyp" or head[:4] == b"\x1a\x45\xdf\xa3" or head[8:12] == b"AVI "


def _hash_file(full: str, cap: int) -> tuple[int, str] | None:
    """(size, sha256) of a regular file read in chunks (never past ``cap`` + 1 bytes),
    or None when it is not a regular file any more or grew past the cap."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(full, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        digest = hashlib.sha256()
        size = 0
        while chunk := os.read(fd, 1 << 20):
            size += len(chunk)
            if size > cap:
                return None
            digest.update(chunk)
        return size, digest.hexdigest()
    finally:
        os.close(fd)


def _inspect_video(name: str, path: str, full: str, limit_name: str) -> LocalAsset | AssetProblem:
    try:
        cap = int(limit(limit_name))
        max_seconds = limit("asset_video_seconds")
        hashed = _hash_file(full, cap)
    except LimitSettingError as exc:
        return AssetProblem(name, "unreadable", exc.message, help=exc.help)
    except OSError as exc:
        return AssetProblem(
            name, "unreadable", f"asset {name}: cannot read {path}: {exc.strerror or exc}"
        )
    if hashed is None:
        return AssetProblem(
            name,
            "too_large",
            f"asset {name}: {path} changed while being read (or grew over the limit)",
            help=exceeded_help(limit_name),
        )
    size, digest = hashed
    if _is_image(full):  # before PyAV, which reads a PNG as a one-frame "video"
        return AssetProblem(
            name,
            "wrong_kind",
            f"asset {name}: {path} is an image, but the asset is declared `video`",
            help=f"declare it `asset {name} image ...`, or name a video file",
        )
    probed = _probe_video(full)
    if isinstance(probed, str):
        return AssetProblem(
            name,
            "undecodable",
            f"asset {name}: {path} is not a video PyAV can read ({probed})",
            help=_REENCODE,
        )
    info = probed
    if info.codec not in VIDEO_CODECS:
        return AssetProblem(
            name,
            "undecodable",
            f"asset {name}: {path} holds {info.codec} video, a codec the service does not take",
            help=_REENCODE,
        )
    if info.duration_s <= 0:
        return AssetProblem(
            name,
            "undecodable",
            f"asset {name}: the duration of {path} cannot be read",
            help="the service probes a video's duration; " + _REENCODE,
        )
    if info.duration_s > max_seconds:
        return AssetProblem(
            name,
            "too_large",
            f"asset {name}: {path} lasts {info.duration_s:.1f} s",
            help=exceeded_help("asset_video_seconds"),
        )
    return LocalAsset(name, "video", os.path.realpath(full), size, digest, info)


def _is_image(full: str) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(full) as img:
            return img.format is not None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return False


def _probe_video(full: str) -> VideoInfo | str:
    """The header facts of a video file, or why PyAV cannot read it."""
    import av

    try:
        container = av.open(full, mode="r")
    except (av.FFmpegError, OSError, ValueError) as exc:
        return _short(exc)
    try:
        videos = container.streams.video
        if not videos:
            return "it has no video stream"
        stream = videos[0]
        duration = 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        fmt = container.format.name
        codec = stream.codec_context.name
        ext = os.path.splitext(full)[1].lower()
        if "mp4" in fmt or "mov" in fmt:
            mime = "video/quicktime" if ext == ".mov" else "video/mp4"
        elif "webm" in fmt or "matroska" in fmt:
            mime = "video/webm" if ext == ".webm" else "video/x-matroska"
        else:
            mime = f"video/{fmt.split(',')[0]}"
        return VideoInfo(
            container=fmt,
            codec=codec,
            width=int(stream.codec_context.width),
            height=int(stream.codec_context.height),
            duration_s=duration,
            has_audio=bool(container.streams.audio),
            mime=mime,
        )
    finally:
        container.close()


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
