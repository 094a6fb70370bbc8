"""A render's files in ``--out``: their names, reusing files already on disk, the
temporary files of a killed run, and whose renders a directory already holds."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from .identity import SANDBOX_SERVER
from .state import RenderRecord, StateDB

__all__ = ["foreign_owner", "output_paths", "place_files", "sweep_partial_files"]


def _ext(url: str | None, default: str) -> str:
    if not url:
        return default
    e = PurePosixPath(urlsplit(url).path).suffix.lower()
    return e if e and len(e) <= 5 and e[1:].isalnum() else default


def output_paths(
    out_dir: Path, clip: str, take: int, video_url: str | None, frame_url: str | None
) -> tuple[Path, Path | None]:
    """``<clip>.mp4`` and ``<clip>.last_frame.png`` (``.takeN`` before the suffix for a
    take; the suffixes of the URLs when they have one)."""
    suffix = f".take{take}" if take else ""
    video = out_dir / f"{clip}{suffix}{_ext(video_url, '.mp4')}"
    frame = out_dir / f"{clip}{suffix}.last_frame{_ext(frame_url, '.png')}" if frame_url else None
    return video, frame


def place_files(rec: RenderRecord, want_video: Path, want_frame: Path | None) -> bool:
    """Whether the record's downloaded files are whole on disk; copied (atomically) to
    ``want_video`` / ``want_frame`` when they are elsewhere."""
    if rec.state != "done" or not rec.video_path:
        return False
    pairs = [(Path(rec.video_path), rec.video_bytes, want_video)]
    if rec.frame_path and want_frame is not None:
        pairs.append((Path(rec.frame_path), rec.frame_bytes, want_frame))
    for src, size, _ in pairs:
        if not src.is_file() or (size is not None and src.stat().st_size != size):
            return False
    for src, _, dst in pairs:
        if src.resolve() != dst.resolve():
            dst.parent.mkdir(parents=True, exist_ok=True)
            tmp = dst.with_name(f".{dst.name}.copy")
            shutil.copyfile(src, tmp)
            tmp.replace(dst)
    return True


def foreign_owner(
    out_dir: Path, manifest: Path, db: StateDB, storyboard: str, server: str
) -> str | None:
    """Another server whose paid renders are in ``out_dir``, if any."""
    if manifest.is_file():
        import json

        with contextlib.suppress(OSError, ValueError, AttributeError):
            owner = json.loads(manifest.read_text(encoding="utf-8")).get("server")
            if isinstance(owner, str) and owner not in (server, SANDBOX_SERVER):
                return owner
    foreign: str | None = None
    for rec in db.history(None, storyboard):
        if rec.server in (server, SANDBOX_SERVER) or rec.state != "done":
            continue
        for p in (rec.video_path, rec.frame_path):
            if p and Path(p).parent == out_dir and Path(p).is_file():
                foreign = rec.server
    return foreign


def sweep_partial_files(out_dir: Path) -> None:
    """Temporary files of a killed run (the caller holds the storyboard's lock: none is
    live)."""
    for p in out_dir.iterdir():
        if p.name.startswith(".") and p.name.endswith((".part", ".tmp", ".copy")):
            with contextlib.suppress(OSError):
                p.unlink()
