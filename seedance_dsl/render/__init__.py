"""The renderer: ``seedance plan``, ``seedance render``, ``seedance status``.

Public API (docs/rendering.md)::

    plan_file(path, *, sandbox=False, clips=None, take=0, prices=None) -> Plan
    render_file(path, *, base_url=None, clips=None, out_dir=None, max_credits=None,
                concurrency=None, take=0, prices=None, rate_limit=None,
                on_event=None) -> RenderSummary
    status_file(path, *, sandbox=False, refresh=False) -> StatusReport

The renderer receives a base URL and never starts a server: ``render_file(path,
sandbox=True)`` that starts the in-process sandbox is ``seedance_dsl.render_file``
(:mod:`seedance_dsl.workflow`, the layer above ``render`` and ``sandbox``).

Modules: :mod:`.commands` (the functions above), :mod:`.identity` (namespaces, ids,
output directories), :mod:`.plan` (submit / reuse / resume / wait), :mod:`.state`
(SQLite state, WAL), :mod:`.lock` (one render per storyboard), :mod:`.polling` (when
to poll), :mod:`.pricing` (credit estimates), :mod:`.budget` (the shared request
budget), :mod:`.runner` (the scheduler's I/O shell) over its sans-IO parts
:mod:`.lifecycle`, :mod:`.control` and :mod:`.netwatch`, with :mod:`.expectations`
(render times), :mod:`.outputs` (files in ``--out``) and :mod:`.diagnose` (a server's
400 at the source); :mod:`.assembly` (the manifest's entries), :mod:`.manifest`,
:mod:`.events`, :mod:`.progress`.
Names load lazily: importing this package imports nothing heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_dir, lazy_exports

_EXPORTS = {
    "plan_file": "commands",
    "render_file": "commands",
    "render_storyboard": "commands",
    "status_file": "commands",
    "RenderEvent": "events",
    "RenderSummary": "events",
    "Plan": "plan",
}

# BEGIN generated from _EXPORTS by `make facades` (tools/facades.py): do not edit
if TYPE_CHECKING:
    from .commands import plan_file as plan_file
    from .commands import render_file as render_file
    from .commands import render_storyboard as render_storyboard
    from .commands import status_file as status_file
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
