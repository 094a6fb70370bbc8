"""How a render is named: the server's namespace in the state database, the storyboard's
id, a request's hash, the default output directory, and the rules tied to the
``--sandbox`` namespace (its files die with the in-process server; loopback URLs).

Used by :mod:`.plan`, :mod:`.runner`, :mod:`.commands` and the layers above (``cut``,
``preview``); it decides nothing about what a render does.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..api.spec import CONTRACT
from ..errors import SeedanceDSLError
from .state import RenderRecord

if TYPE_CHECKING:
    from ..api.body import RequestBody
    from ..api.models import VideoRequest
    from ..compiler.model import CompiledClip, CompiledStoryboard

__all__ = [
    "BASE_URL_ENV",
    "SANDBOX_SERVER",
    "OutputConflict",
    "default_out_dir",
    "loopback_allowed",
    "request_hash",
    "sandbox_files_gone",
    "server_namespace",
    "storyboard_id",
]

BASE_URL_ENV = "SEEDANCE_BASE_URL"
#: The namespace of renders made with ``--sandbox`` (an in-process server per run).
SANDBOX_SERVER = "sandbox"


def request_hash(request: RequestBody | VideoRequest, clip: CompiledClip | None = None) -> str:
    """The hash of a request's identity (``clip.identity_json``: a local file counts by
    its bytes, not by its presigned URL)."""
    text = request.canonical_json() if clip is None else clip.identity_json(request)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def storyboard_id(storyboard: CompiledStoryboard) -> str:
    """How the state database names a storyboard: its file name (one directory, one DB)."""
    return Path(storyboard.path).name


def server_namespace(base_url: str | None = None, *, sandbox: bool = False) -> str:
    """The namespace of a server's renders in the state database."""
    if sandbox:
        return SANDBOX_SERVER
    url = base_url or os.environ.get(BASE_URL_ENV) or CONTRACT.default_base_url
    return url.rstrip("/")


def default_out_dir(storyboard_path: str | Path, server: str) -> Path:
    """Where a render's files go unless ``--out`` says otherwise (relative to the working
    directory): ``renders/<storyboard>/``, and ``renders/<storyboard>/sandbox/`` for
    ``--sandbox``, so that a free animatic never lands on a paid video."""
    base = Path("renders") / Path(storyboard_path).stem
    return base / SANDBOX_SERVER if server == SANDBOX_SERVER else base


class OutputConflict(SeedanceDSLError):
    """The output directory holds videos another server rendered (and was paid for)."""

    exit_code = 2
    kind = "output"


def sandbox_files_gone(rec: RenderRecord) -> bool:
    """A ``--sandbox`` render whose files are not on disk as downloaded: the in-process
    sandbox that served them is gone, so they can only be rendered again (free)."""
    if rec.server != SANDBOX_SERVER:
        return False
    if rec.state != "done" or not rec.video_path:
        return True
    for path, size in ((rec.video_path, rec.video_bytes), (rec.frame_path, rec.frame_bytes)):
        if path is None:
            continue
        p = Path(path)
        if not p.is_file() or (size is not None and p.stat().st_size != size):
            return True
    return False


def loopback_allowed(server: str) -> bool:
    """Plain-http loopback URLs are accepted only from the server we talk to, when that
    server is itself local (``--sandbox``, or a sandbox started by hand)."""
    if server == SANDBOX_SERVER:
        return True
    host = urlsplit(server).hostname or ""
    return host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")
