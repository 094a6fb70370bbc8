"""Before the first credit: can the render keep what it pays for?

:func:`preflight` runs after the state database is open and before anything is sent.
It checks that ``--out`` and the state directory (``.seedance/``) can be written (a
probe file is created, written, synced and removed in each) and that ``--out`` has room
for what the render will download: a rough size per clip (``SEEDANCE_VIDEO_BYTES_PER_SECOND``
at 1080p, scaled by the resolution's pixels, times the duration, plus a last frame)
and ``SEEDANCE_MIN_FREE_BYTES`` to spare.  A failure is a :class:`PreflightError`
(exit 2: nothing was submitted).

A write that fails later — a disk that fills up during the run, a filesystem remounted
read-only, a directory made immutable — stops the run cleanly: :func:`write_failure`
turns the error into a :class:`DiskError` (exit 3, like an interruption: every step
committed so far is in the state database; a re-run downloads what was paid for
instead of submitting it again).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..api.spec import CONTRACT
from ..errors import SeedanceDSLError
from ..limits import limit
from ..secret import SecretInData, secret_path
from .events import EXIT_INTERRUPTED, EXIT_USAGE
from .state import StateDamaged, StateError, StateUnwritable

if TYPE_CHECKING:
    from ..compiler.model import CompiledStoryboard
    from .plan import Plan

__all__ = [
    "DiskError",
    "PreflightError",
    "check_secrets",
    "estimate_clip_bytes",
    "preflight",
    "probe_writable",
    "write_failure",
]

#: errors of a write that say "this disk (or directory) will not take it"
WRITE_ERRNOS = frozenset(
    {
        errno.ENOSPC,
        errno.EROFS,
        errno.EPERM,
        errno.EACCES,
        errno.EDQUOT,
        errno.EFBIG,
        errno.EIO,
    }
)

#: pixels of each resolution (16:9); other aspect ratios have about as many
_PIXELS = {
    "720p": 1280 * 720,
    "1080p": 1920 * 1080,
    "1080p-plus": 2560 * 1440,
    "4k": 3840 * 2160,
}
_PIXELS_1080P = 1920 * 1080


class PreflightError(SeedanceDSLError):
    """``--out`` or the state directory cannot take the render: nothing was submitted."""

    exit_code = EXIT_USAGE
    kind = "disk"


class DiskError(SeedanceDSLError):
    """A write failed during the render (full, read-only, not permitted).

    The run stops; every step committed before is saved and a re-run resumes."""

    exit_code = EXIT_INTERRUPTED
    kind = "disk"


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def probe_writable(directory: Path, what: str) -> None:
    """Create, write, sync and remove a small file in ``directory``, or raise
    :class:`PreflightError` saying why it cannot be written."""
    probe = directory / f".seedance-probe-{os.getpid()}-{os.urandom(4).hex()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"\0" * 4096)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            probe.unlink(missing_ok=True)
        raise PreflightError(
            f"cannot write to {what} {directory}: {_reason(exc)}",
            help=_fix_help(exc, what) + "; nothing was submitted",
        ) from None
    try:
        probe.unlink()
    except OSError as exc:
        raise PreflightError(
            f"cannot remove files in {what} {directory}: {_reason(exc)}",
            help=_fix_help(exc, what) + "; nothing was submitted",
        ) from None


def _fix_help(exc: OSError, what: str) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"free some space on the disk of {what}"
    if exc.errno == errno.EROFS:
        return f"{what} is on a read-only filesystem: choose another (--out), or remount it"
    return f"make {what} writable (permissions, `chattr -i`), or choose another (--out)"


def estimate_clip_bytes(payload: dict[str, Any]) -> int:
    """A rough upper size of a clip's downloads: video (bytes per second at 1080p,
    scaled by pixels, times the duration) and a last frame (2 bytes a pixel)."""
    d = CONTRACT.defaults
    resolution = str(payload.get("resolution") or d["resolution"])
    pixels = _PIXELS.get(resolution, _PIXELS["4k"])
    try:
        duration = int(str(payload.get("duration") or d["duration"]))
    except ValueError:
        duration = CONTRACT.duration_max
    duration = max(1, min(duration, CONTRACT.duration_max))
    per_second = limit("render_video_bytes_per_second") * pixels / _PIXELS_1080P
    return int(per_second * duration) + 2 * pixels


def _needs_download(entry: Any, out_dir: Path) -> bool:
    """Will this plan entry put files into ``out_dir``?"""
    if entry.action == "invalid":
        return False
    if entry.action != "reuse":
        return True
    rec = entry.record
    if rec is None or rec.state != "done" or not rec.video_path:
        return True
    video = Path(rec.video_path)
    try:
        return not video.is_file() or video.resolve().parent != out_dir.resolve()
    except OSError:
        return True


def estimate_bytes(sb: CompiledStoryboard, plan: Plan, out_dir: Path) -> tuple[int, int]:
    """(bytes, clips): what the downloads of ``plan`` need in ``out_dir`` (rough)."""
    todo = [e for e in plan.entries if _needs_download(e, out_dir)]
    return sum(estimate_clip_bytes(dict(sb.clip(e.clip).payload)) for e in todo), len(todo)


def _free(directory: Path) -> tuple[int, int] | None:
    """(free bytes, device) of ``directory``'s filesystem, ``None`` if it cannot be told."""
    try:
        return shutil.disk_usage(directory).free, os.stat(directory).st_dev
    except OSError:
        return None


def _mib(n: float) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


def preflight(sb: CompiledStoryboard, plan: Plan, *, out_dir: Path, state_dir: Path) -> None:
    """Check ``--out`` and the state directory before the first submit (see module)."""
    check_secrets(sb, plan)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PreflightError(
            f"cannot create the output directory {out_dir}: {_reason(exc)}",
            help="choose a writable directory with --out; nothing was submitted",
        ) from None
    probe_writable(out_dir, "the output directory (--out)")
    probe_writable(state_dir, "the render state directory")
    margin = limit("render_min_free_bytes")
    need, clips = estimate_bytes(sb, plan, out_dir)
    out_free = _free(out_dir)
    state_free = _free(state_dir)
    checks = [(out_dir, "the output directory (--out)", need + margin, out_free)]
    if out_free is None or state_free is None or out_free[1] != state_free[1]:
        checks.append((state_dir, "the render state directory", margin, state_free))
    for directory, what, want, free in checks:
        if free is None or free[0] >= want:
            continue
        downloads = (
            f"{clips} clip(s) to download, ~{_mib(need)}, and " if directory == out_dir else ""
        )
        raise PreflightError(
            f"not enough free space for {what} {directory}: {_mib(free[0])} free, the render "
            f"needs about {_mib(want)} ({downloads}{_mib(margin)} to spare); nothing was "
            "submitted",
            help="free some space, or choose another directory with --out; the estimate is "
            f"rough: {_mib(limit('render_video_bytes_per_second'))} per second of 1080p video "
            "(SEEDANCE_VIDEO_BYTES_PER_SECOND, scaled by the pixels of the resolution) plus a "
            f"last frame, and {_mib(margin)} to spare (SEEDANCE_MIN_FREE_BYTES): set them "
            "lower if your clips are smaller",
        )


def write_failure(exc: BaseException) -> DiskError | None:
    """The :class:`DiskError` a failed write during the render means, or ``None`` when
    ``exc`` is not a failed write (a damaged state database is not: it stays exit 2)."""
    if isinstance(exc, DiskError):
        return exc
    if isinstance(exc, StateUnwritable):
        return DiskError(exc.message, help=exc.help)
    if isinstance(exc, (StateDamaged, StateError)):
        return None
    if isinstance(exc, OSError) and exc.errno in WRITE_ERRNOS:
        where = f" {exc.filename}" if exc.filename else ""
        return DiskError(
            f"cannot write{where}: {_reason(exc)}",
            help=_later_help(exc.errno),
        )
    # the client reports a download it could not write as "cannot write <path>: <why>"
    message = str(getattr(exc, "message", "") or "")
    if getattr(exc, "kind", None) == "download" and message.startswith("cannot write "):
        return DiskError(message, help=_later_help(_errno_from_text(message)))
    return None


def check_secrets(sb: CompiledStoryboard, plan: Plan) -> None:
    """Refuse a storyboard whose requests (prompt, fields, asset URLs) contain the API
    key: they would be sent, and written to the state database and the manifest."""
    for entry in plan.entries:
        clip = sb.clip(entry.clip)
        field = secret_path(dict(clip.payload))
        if field is None:
            continue
        span = clip.source_map.get(field) or clip.source_map.get(field.split("[", 1)[0])
        raise SecretInData(
            f"{span or clip.span}: field `{field}` of clip {clip.name} contains the API key "
            "(not shown); refused: nothing was sent or written",
            help="remove the key from the storyboard (a text, an import, a template, an "
            "asset URL) and run again",
        )


def _errno_from_text(message: str) -> int | None:
    for number in WRITE_ERRNOS:
        if os.strerror(number) in message:
            return number
    return None


def _later_help(number: int | None) -> str:
    fix = {
        errno.ENOSPC: "free some space on that disk",
        errno.EDQUOT: "free some space (the disk quota is reached)",
        errno.EROFS: "make the filesystem writable again (or use another --out)",
    }.get(number or 0, "make the directory writable again (or use another --out)")
    return (
        f"{fix}, then run the same command again: every step so far is saved, and the "
        "clips already paid for are downloaded, not submitted again"
    )
