"""Stopping a render from another thread (an MCP client's cancel, an embedding app).

A :class:`StopToken` handed to ``render_file(..., stop=token)`` stops the render as
Ctrl-C does when :meth:`StopToken.stop` is called from any thread: nothing more is
submitted, tasks in flight stay on the server (recorded in the state database, polled
and downloaded by the next run, never paid again) and the summary says why (exit 3).
A token stopped before the renderer starts stops it before its first submit.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Protocol

__all__ = ["StopToken"]


class _Interruptible(Protocol):
    def interrupt(self, reason: str = "interrupted") -> None: ...


class StopToken:
    """A thread-safe request to stop one render (:meth:`stop`), reusable for none other."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reason: str | None = None
        self._target: tuple[asyncio.AbstractEventLoop, _Interruptible] | None = None

    @property
    def reason(self) -> str | None:
        """Why it was stopped (``None``: not stopped)."""
        return self._reason

    def stop(self, reason: str = "stopped") -> None:
        """Ask the render to stop soon and cleanly; safe from any thread, idempotent."""
        with self._lock:
            if self._reason is None:
                self._reason = reason
            target = self._target
        if target is not None:
            loop, renderer = target
            # a closed loop raises RuntimeError: the render is over anyway
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(renderer.interrupt, self._reason)

    def attach(self, loop: asyncio.AbstractEventLoop, renderer: _Interruptible) -> None:
        """The renderer now running on ``loop`` (called by the render, on that loop)."""
        with self._lock:
            self._target = (loop, renderer)
            reason = self._reason
        if reason is not None:
            renderer.interrupt(reason)

    def detach(self) -> None:
        with self._lock:
            self._target = None
