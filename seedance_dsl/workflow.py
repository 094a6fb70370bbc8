"""The pipeline wired end to end: ``render --sandbox`` starts the in-process sandbox.

The renderer (:mod:`seedance_dsl.render`) receives a base URL and never imports the
sandbox (the layering of docs/architecture: ``render`` and ``sandbox`` are siblings).
This module sits above both: :func:`render_file` with ``sandbox=True`` starts a sandbox
inside the render's lock and hands its endpoint to
:func:`seedance_dsl.render.commands.render_file`.  ``seedance_dsl.render_file``, the CLI
and the agent tools call it; :func:`plan_file` and :func:`status_file` need no server
(``sandbox=True`` only names the namespace) and are the renderer's own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .render.commands import SandboxEndpoint, plan_file, status_file
from .render.commands import render_file as _render_file

if TYPE_CHECKING:
    from .client.policy import ClientEvent
    from .render.events import EventSink, RenderSummary
    from .render.pricing import PriceTable
    from .render.stop import StopToken
    from .sandbox.settings import SandboxSettings

__all__ = ["demo_sandbox_settings", "plan_file", "render_file", "sandbox_starter", "status_file"]


def demo_sandbox_settings() -> SandboxSettings:
    """The in-process sandbox of ``render --sandbox``: a 20 s render takes 2 s, the rate
    window 6 s; animatics at 12 fps, 360 px on the short side (cheap but watchable)."""
    from .sandbox.settings import AnimaticSettings, SandboxSettings

    return SandboxSettings(
        time_scale=0.1,
        animatic=AnimaticSettings(fps=12, max_short_side=360),
    )


def sandbox_starter(
    settings: SandboxSettings | None = None,
) -> Callable[[], contextlib.AbstractContextManager[SandboxEndpoint]]:
    """What :func:`seedance_dsl.render.commands.render_file` calls to start the sandbox
    (inside the storyboard's lock, after every argument is checked)."""

    @contextlib.contextmanager
    def start() -> Iterator[SandboxEndpoint]:
        from .sandbox import start_sandbox

        s = settings or demo_sandbox_settings()
        with start_sandbox(s) as box:
            yield SandboxEndpoint(
                base_url=box.base_url,
                api_key=box.api_key,
                rate_limit=(s.rate_limit_requests, s.scaled(s.rate_limit_window_s)),
            )

    return start


def render_file(
    path: str | Path,
    *,
    sandbox: bool = False,
    sandbox_settings: SandboxSettings | None = None,
    clips: Sequence[str] | None = None,
    out_dir: str | Path | None = None,
    max_credits: int | None = None,
    concurrency: int | None = None,
    take: int = 0,
    prices: PriceTable | None = None,
    rate_limit: str | tuple[int, float] | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    on_event: EventSink | None = None,
    handle_signals: bool = False,
    on_client_event: Callable[[ClientEvent], None] | None = None,
    url_preflight: bool | None = None,
    stop: StopToken | None = None,
) -> RenderSummary:
    """Render a storyboard file: compile, lock, then render; ``sandbox=True`` renders
    for free against an in-process sandbox (``sandbox_settings``, default
    :func:`demo_sandbox_settings`) started for this render.

    ``on_client_event`` sees every request, retry and poll of the client
    (``seedance -v render`` prints them); it never carries the API key.

    Failures of single clips, an interruption and an exhausted budget are not
    exceptions: they are in the returned summary (``summary.exit_code``, each clip's
    status).  Nothing is submitted when one of these is raised:

    Raises:
        UsageError: ``path`` is not a file; ``take``, ``concurrency`` or ``max_credits``
            is out of range; ``out_dir`` cannot be created.
        CompileFailed: the storyboard has errors (``exc.diagnostics`` lists them).
        RenderSetupError: no API key, a bad ``base_url`` or ``rate_limit``.
        StoryboardBusy: another render of the same storyboard holds the lock
            (``seedance_dsl.render.lock``).
        StateError: the state directory cannot be created or its database is damaged
            (``seedance_dsl.render.state``).
        SandboxStartError: ``sandbox=True`` and the sandbox cannot start.
    """
    return _render_file(
        path,
        sandbox=sandbox,
        start_sandbox=sandbox_starter(sandbox_settings) if sandbox else None,
        clips=clips,
        out_dir=out_dir,
        max_credits=max_credits,
        concurrency=concurrency,
        take=take,
        prices=prices,
        rate_limit=rate_limit,
        api_key=api_key,
        base_url=base_url,
        on_event=on_event,
        handle_signals=handle_signals,
        on_client_event=on_client_event,
        url_preflight=url_preflight,
        stop=stop,
    )
