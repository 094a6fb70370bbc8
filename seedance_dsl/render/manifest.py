"""The manifest of a storyboard's renders: ``<out>/manifest.json``.

One JSON object: the storyboard (path, title, source hash), the server it was rendered
on, and per clip the prompt, the request, the task id, credits, seed, timings and the
paths of the files.  Written atomically (temporary file + rename) after every clip, so
it is whole after any crash.  It never contains the API key: nothing here ever sees it,
and a text that contains it anyway is refused (:func:`seedance_dsl.secret.ensure_no_secret`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .._files import create_temp_beside
from ..secret import ensure_no_secret

__all__ = ["atomic_write_text", "file_sha256", "iso", "write_manifest"]

MANIFEST_VERSION = 1


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = create_temp_beside(path, ".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_manifest(
    path: Path,
    *,
    storyboard: Mapping[str, Any],
    server: str,
    clips: list[dict[str, Any]],
) -> None:
    doc = {
        "manifest_version": MANIFEST_VERSION,
        "storyboard": dict(storyboard),
        "server": server,
        "written_at": iso(datetime.now(UTC).timestamp()),
        "clips": clips,
    }
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    ensure_no_secret(text, where=f"the manifest {path}")
    atomic_write_text(path, text)
