"""The renderer: ``seedance plan``, ``seedance render``, ``seedance status``.

Public API (docs/rendering.md)::

    plan_file(path, *, sandbox=False, clips=None, take=0, prices=None) -> Plan
    render_file(path, *, sandbox=False, clips=None, out_dir=None, max_credits=None,
                concurrency=None, take=0, prices=None, rate_limit=None,
                on_event=None) -> RenderSummary
    status_file(path, *, sandbox=False, refresh=False) -> StatusReport

Modules: :mod:`.state` (SQLite state, WAL), :mod:`.lock` (one render per storyboard),
:mod:`.polling` (when to poll), :mod:`.pricing` (credit estimates), :mod:`.plan`
(submit / reuse / resume / wait), :mod:`.budget` (the shared request budget),
:mod:`.runner` (the scheduler), :mod:`.manifest`, :mod:`.events`, :mod:`.progress`.
Names load lazily: importing this package imports nothing heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_dir, lazy_exports

_EXPORTS = {
    "plan_file": "api",
    "render_file": "api",
    "render_storyboard": "api",
    "status_file": "api",
    "RenderEvent": "events",
    "RenderSummary": "events",
    "Plan": "plan",
}

# BEGIN generated from _EXPORTS by `make facades` (tools/facades.py): do not edit
if TYPE_CHECKING:
    from .api import plan_file as plan_file
    from .api import render_file as render_file
    from .api import render_storyboard as render_storyboard
    from .api import status_file as status_file
    from .events import RenderEvent as RenderEvent
    from .events import RenderSummary as RenderSummary
    from .plan import Plan as Plan

__all__ = [
    "Plan",
    "RenderEvent",
    "RenderSummary",
    "plan_file",
    "render_file",
    "render_storyboard",
    "status_file",
]
# END generated


__getattr__ = lazy_exports(__name__, _EXPORTS)


__dir__ = lazy_dir(globals(), _EXPORTS)
