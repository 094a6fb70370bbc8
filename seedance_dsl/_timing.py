"""An opt-in timing trace of one process: ``SEEDANCE_TIMING=PATH`` appends a line
``<unix time> <label>`` to ``PATH`` at each :func:`mark` (bench/bench_render.py
``--whole`` reads it for the breakdown of a whole ``seedance render``).  Off (the
variable unset) a mark is one attribute test: it costs nothing.

Labels marked more than once (``completed``, ``downloaded``) keep every time; a
reader takes the first or the last as it needs.
"""

from __future__ import annotations

import os
import time

__all__ = ["ENV", "enabled", "mark", "mark_once"]

ENV = "SEEDANCE_TIMING"

_PATH: str | None = os.environ.get(ENV) or None
_ONCE: set[str] = set()


def enabled() -> bool:
    return _PATH is not None


def mark(label: str) -> None:
    """Record that ``label`` happened now (when the trace is on)."""
    if _PATH is None:
        return
    try:
        with open(_PATH, "a", encoding="utf-8") as f:
            f.write(f"{time.time():.6f} {label}\n")
    except OSError:  # a trace never breaks the command it traces
        pass


def mark_once(label: str) -> None:
    """:func:`mark`, the first time only (``first_post``)."""
    if _PATH is None or label in _ONCE:
        return
    _ONCE.add(label)
    mark(label)


mark("python_up")  # the first import: the interpreter and seedance_dsl/__init__ are up
if _PATH is not None:
    import atexit

    atexit.register(mark, "exit")  # after non-daemon threads are joined
