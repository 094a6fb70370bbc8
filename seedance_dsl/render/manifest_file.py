"""Read a render's ``manifest.json`` as untrusted data (``preview``, ``cut``, ``trace``).

The manifest sits in a folder anyone may have copied or edited, so it is read like any
other input: at most ``limit("manifest_bytes")`` bytes (``SEEDANCE_MAX_MANIFEST_BYTES``),
never blocking on a FIFO or device, as UTF-8 JSON whose nesting cannot exhaust the
stack, and it must be a JSON object whose ``clips`` is a list.  Every problem is one
:class:`ManifestError` (a usage error, exit 2) that says what is wrong and how to fix
it; nothing here raises anything else.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from ..errors import UsageError

__all__ = ["ManifestError", "read_manifest"]

_REWRITE = "render again (`seedance render FILE`) to rewrite it, or move it away"


class ManifestError(UsageError):
    """A ``manifest.json`` that is too large, not a regular file, not UTF-8 JSON, or not
    a manifest written by ``seedance render``."""

    kind = "manifest"


def _read_capped(path: Path, cap: int) -> bytes | None:
    """The file's bytes (at most ``cap``), ``None`` when there is no file."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ManifestError(
            f"cannot read the render manifest {path}: {exc.strerror or exc}", help=_REWRITE
        ) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ManifestError(f"the render manifest {path} is not a regular file", help=_REWRITE)
        too_big = ManifestError(f"the render manifest {path} is larger than {cap:,} bytes", help="")
        if st.st_size > cap:
            raise too_big
        chunks: list[bytes] = []
        size = 0
        while size <= cap:  # the file may grow while it is read
            block = os.read(fd, min(1 << 20, cap + 1 - size))
            if not block:
                break
            chunks.append(block)
            size += len(block)
        if size > cap:
            raise too_big
        return b"".join(chunks)
    except OSError as exc:
        raise ManifestError(
            f"cannot read the render manifest {path}: {exc.strerror or exc}", help=_REWRITE
        ) from None
    finally:
        os.close(fd)


def read_manifest(path: str | Path) -> dict[str, Any] | None:
    """The manifest at ``path`` as a dict, or ``None`` when there is none.

    Raises:
        ManifestError: it is too large, not a regular file, not UTF-8 JSON (or nested
            too deep to parse), or not an object with a list of ``clips``.
        LimitSettingError: ``SEEDANCE_MAX_MANIFEST_BYTES`` is not a positive number.
    """
    from ..limits import exceeded_help, limit

    p = Path(path)
    cap = int(limit("manifest_bytes"))
    try:
        data = _read_capped(p, cap)
    except ManifestError as exc:
        if not exc.help:
            exc.help = exceeded_help("manifest_bytes")
        raise
    if data is None:
        return None
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ManifestError(
            f"the render manifest {p} is not UTF-8 text (byte {exc.start})", help=_REWRITE
        ) from None
    except json.JSONDecodeError as exc:
        raise ManifestError(
            f"the render manifest {p} is not valid JSON: {exc.msg} "
            f"(line {exc.lineno}, column {exc.colno})",
            help=_REWRITE,
        ) from None
    except RecursionError:
        raise ManifestError(
            f"the render manifest {p} is nested too deeply to be a manifest", help=_REWRITE
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("clips", []), list):
        raise ManifestError(f"{p} is not a manifest written by `seedance render`", help=_REWRITE)
    return doc
