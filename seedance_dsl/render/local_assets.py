"""The upload step of ``render``: the local files a storyboard names go to a store
before the first submit, and their URLs fill the compiled placeholders.

Under ``--sandbox`` the store is the sandbox itself (:class:`~seedance_dsl.assets.store.
SandboxStore`: it serves the files and its animatics draw them); for a real service it
is the profile's S3-compatible store (:class:`~seedance_dsl.assets.store.S3Store`).
``store.check()`` runs first: an unreachable store is a clear error (exit 2) before
anything is submitted.  Content-addressed keys make a second render upload nothing.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import SeedanceDSLError

if TYPE_CHECKING:
    from ..assets.model import LocalAsset
    from ..assets.store import AssetStore, Upload
    from ..compiler import CompiledStoryboard

__all__ = ["LocalUploadError", "UploadedAsset", "local_assets_of", "upload_local_assets"]


class LocalUploadError(SeedanceDSLError):
    """The local files of a storyboard cannot be uploaded (nothing was submitted)."""

    exit_code = 2
    kind = "asset_upload"


@dataclass(frozen=True, slots=True)
class UploadedAsset:
    """What the manifest records of one local file: never a presigned query string
    (it is a credential for the object), but the URL without it and its expiry."""

    name: str
    path: str
    sha256: str
    url: str  # without its query
    expires_at: float | None
    bytes_sent: int

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "sha256": self.sha256,
            "url": self.url,
            "expires_at": self.expires_at,
            "bytes_sent": self.bytes_sent,
        }


def local_assets_of(sb: CompiledStoryboard, clips: set[str] | None = None) -> list[LocalAsset]:
    """The checked local files the (selected) clips use, each once, in payload order."""
    by_name: dict[str, LocalAsset] = {}
    for clip in sb.clips:
        if clips is not None and clip.name not in clips:
            continue
        for ref in clip.local_references:
            if ref.local_file is None:
                raise LocalUploadError(
                    f"clip `{clip.name}` uses the local file {ref.local_path}, "
                    "which was not checked",
                    help="run `seedance check` on the storyboard",
                )
            by_name.setdefault(ref.name, ref.local_file)
    return list(by_name.values())


def _no_query(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0]


def upload_local_assets(
    assets: list[LocalAsset],
    store: AssetStore | None,
    conn: sqlite3.Connection,
    *,
    emit: Callable[[str, str, Mapping[str, Any]], None] | None = None,
) -> tuple[dict[str, str], list[UploadedAsset]]:
    """Upload ``assets`` through ``store`` (after ``store.check()``), record them in
    the state DB and return ``(asset name -> URL to send, what the manifest records)``."""
    if not assets:
        return {}, []
    from ..assets.store import StoreError, UploadProgress, record_uploads

    if store is None:
        names = ", ".join(sorted(a.name for a in assets))
        raise LocalUploadError(
            f"the storyboard uses local files ({names}) but no store is configured to "
            "upload them to",
            help="add a [profiles.NAME.store] table (bucket, endpoint_url, ...) to the "
            "profile (docs/assets.md), or render with --sandbox",
        )

    def progress(p: UploadProgress) -> None:
        if emit is not None and p.done:
            what = "already in the store" if p.reused else f"{p.sent} bytes sent"
            emit("upload", f"{p.name}: {what}", {"asset": p.name, "sent": p.sent})

    started = time.monotonic()
    try:
        store.check()
        uploads: list[Upload] = store.upload_many(assets, progress=progress)
    except StoreError as exc:
        raise LocalUploadError(f"{exc.message}; nothing was submitted", help=exc.help) from None
    record_uploads(conn, store, uploads)
    sent = sum(u.bytes_sent for u in uploads)
    if emit is not None:
        emit(
            "uploads",
            f"{len(uploads)} local file(s): {sent} bytes sent in {time.monotonic() - started:.1f}s",
            {"files": len(uploads), "bytes_sent": sent},
        )
    urls = {u.name: u.url for u in uploads}
    record = [
        UploadedAsset(u.name, u.path, u.sha256, _no_query(u.url), u.expires_at, u.bytes_sent)
        for u in uploads
    ]
    return urls, record


class AssetPreflightFailed(SeedanceDSLError):
    """A remote asset URL failed the preflight of ``render``: nothing was submitted."""

    exit_code = 2
    kind = "asset_preflight"


async def preflight_remote_assets(
    sb: CompiledStoryboard, clips: set[str] | None, *, allow_loopback: bool
) -> int:
    """Probe every remote asset URL the (selected) clips send (``assets.online``) and
    raise :class:`AssetPreflightFailed` listing each problem at its asset's line.
    Returns how many URLs were probed.  Warnings (a vague Content-Type) do not stop."""
    from ..assets.model import AssetProblem
    from ..assets.online import ProbeTarget, preflight

    seen: dict[str, tuple[ProbeTarget, str]] = {}
    for clip in sb.clips:
        if clips is not None and clip.name not in clips:
            continue
        for r in clip.references:
            if r.output is not None or r.local_path is not None or r.name in seen:
                continue
            where = str(r.url_span) if r.url_span is not None else clip.name
            seen[r.name] = (ProbeTarget(r.name, r.kind, r.url), where)
    if not seen:
        return 0
    results = await preflight([t for t, _ in seen.values()], allow_loopback=allow_loopback)
    problems = [p for p in results if isinstance(p, AssetProblem) and p.severity == "error"]
    if problems:
        lines = [f"{seen[p.name][1]}: asset {p.name}: {p.message}" for p in problems]
        raise AssetPreflightFailed(
            f"{len(problems)} remote asset URL(s) failed the preflight; nothing was "
            "submitted:\n  " + "\n  ".join(lines),
            help="fix the URLs (`seedance check --online FILE` shows each at its line), "
            "or skip the probe with --no-preflight",
        )
    return len(seen)
