"""One ``render`` per storyboard at a time: an exclusive ``fcntl`` lock on a file.

The lock file is ``<storyboard dir>/.seedance/<storyboard file>.lock``; the holder
writes its pid into it (for the message the second process shows).  The operating
system releases the lock when the holder exits in any way, ``kill -9`` included, so a
crashed render never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from ..errors import SeedanceDSLError
from .state import StateUnwritable, make_state_dir, state_dir_for

__all__ = ["RenderLock", "StoryboardBusy"]


class StoryboardBusy(SeedanceDSLError):
    """Another ``seedance render`` holds the storyboard's lock."""

    exit_code = 2
    kind = "busy"


class RenderLock:
    def __init__(self, storyboard_path: str | Path) -> None:
        self.storyboard = Path(storyboard_path)
        self.path = state_dir_for(storyboard_path) / f"{self.storyboard.name}.lock"
        self._fd: int | None = None

    def acquire(self) -> RenderLock:
        make_state_dir(self.path.parent)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise self._unwritable(exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                holder = os.read(fd, 32).decode("ascii", "replace").strip()
            finally:
                os.close(fd)
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise StoryboardBusy(
                f"another `seedance render` is rendering {self.storyboard}{who}",
                help="wait for it to finish (or stop it); `seedance status` shows its progress",
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode("ascii"))
        except OSError as exc:
            os.close(fd)  # closing releases the lock
            raise self._unwritable(exc) from None
        self._fd = fd
        return self

    def _unwritable(self, exc: OSError) -> StateUnwritable:
        return StateUnwritable(
            f"cannot write the render lock {self.path}: {exc.strerror or exc}",
            help="free some space on that disk, or make the storyboard's directory "
            "writable; nothing was submitted",
        )

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> RenderLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
