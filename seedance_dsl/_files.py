"""Small file helpers shared by the layers that write the user's files."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ._cache import safe_to_load  # moved to _cache; re-exported for old callers

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["create_temp_beside", "safe_to_load"]


def create_temp_beside(dest: Path, suffix: str) -> tuple[int, Path]:
    """Create a new, hidden temporary file next to ``dest`` for an atomic write.

    Unlike :func:`tempfile.mkstemp` (always mode 0600), the file gets the mode any new
    file of the user's gets (0666 less the umask), so the video, image or manifest that
    is renamed into place from it is as readable as the user expects.  Returns an open
    descriptor (write-only) and the path; the name is ``.<dest name>.<random><suffix>``.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        path = dest.parent / f".{dest.name}.{os.urandom(4).hex()}{suffix}"
        try:
            return os.open(path, flags, 0o666), path
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file beside {dest}")
