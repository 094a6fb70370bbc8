"""The typed functions behind ``seedance plan``, ``render`` and ``status``.

::

    from seedance_dsl.render import plan_file, render_file, status_file

    plan = plan_file("film.shot")                    # no network
    summary = render_file("film.shot")               # against SEEDANCE_BASE_URL
    print(summary.exit_code, [c.video_path for c in summary.clips])

The renderer receives a base URL; it never starts a server.  ``render --sandbox`` (and
``seedance_dsl.render_file(path, sandbox=True)``) is wired one layer up, in
:mod:`seedance_dsl.workflow`, which may import both ``render`` and ``sandbox``.
See ``docs/rendering.md``.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._timing import mark
from ..api.spec import CONTRACT
from ..errors import SeedanceDSLError, UsageError
from .events import EXIT_STORYBOARD, EXIT_USAGE, EventSink, RenderSummary
from .identity import (
    SANDBOX_SERVER,
    default_out_dir,
    sandbox_files_gone,
    server_namespace,
    storyboard_id,
)
from .lock import RenderLock
from .plan import Plan, PlanEntry, make_plan, render_order
from .preflight import check_secrets, preflight
from .pricing import PriceTable
from .state import RenderRecord, StateDB

if TYPE_CHECKING:
    from ..client.policy import ClientEvent
    from ..compiler.model import CompiledClip, CompiledStoryboard
    from ..syntax.diagnostics import Diagnostic
    from .budget import SharedBudget
    from .polling import PollPolicy
    from .runner import Renderer, RenderOptions
    from .stop import StopToken

__all__ = [
    "RATE_LIMIT_ENV",
    "CompileFailed",
    "RenderSetupError",
    "SandboxEndpoint",
    "SandboxStarter",
    "StoryboardFileError",
    "load_storyboard",
    "plan_file",
    "render_file",
    "render_storyboard",
    "status_file",
]

RATE_LIMIT_ENV = "SEEDANCE_RATE_LIMIT"


class StoryboardFileError(UsageError):
    """The storyboard file named cannot be read (exit 2): ``diagnostic`` is the same
    SHOT001/005/009/010 diagnostic ``seedance check`` gives it, ``file`` the path."""

    kind = "file"

    def __init__(self, diagnostic: Diagnostic, file: str) -> None:
        super().__init__(f"{diagnostic.message} [{diagnostic.code}]", help=diagnostic.help)
        self.diagnostic = diagnostic
        self.file = file


class CompileFailed(SeedanceDSLError):
    """The storyboard has errors: nothing is planned or rendered (exit 1, as ``check``).

    ``diagnostics`` lists every diagnostic of the storyboard (errors and warnings;
    each has ``code``, ``severity``, ``message``, ``span`` and ``help``) and
    ``storyboard`` is the :class:`~seedance_dsl.compiler.CompiledStoryboard`.  ``str()``
    shows the first errors; ``help`` says where the rest are, for a Python caller;
    the CLI prints all of them and its own hint (``cli_help``).
    """

    exit_code = EXIT_STORYBOARD
    kind = "compile"

    #: how many errors ``str()`` shows
    SHOWN = 5

    def __init__(self, storyboard: CompiledStoryboard) -> None:
        self.storyboard = storyboard
        self.diagnostics = list(storyboard.diagnostics)
        errors = [d for d in storyboard.diagnostics if d.is_error]
        super().__init__(
            f"{storyboard.path} has {len(errors)} error(s); nothing was submitted",
            help="every diagnostic is in `exc.diagnostics`; "
            f"`seedance_dsl.check_file({storyboard.path!r})` reports them without compiling",
            cli_help=f"run `seedance check {storyboard.path}` for details",
        )

    def __str__(self) -> str:
        errors = [d for d in self.diagnostics if d.is_error]
        lines = [self.message]
        for d in errors[: self.SHOWN]:
            where = f"{d.span}: " if d.span else ""
            lines.append(f"  {where}{d.severity}[{d.code}]: {d.message}")
        if len(errors) > self.SHOWN:
            lines.append(f"  ... and {len(errors) - self.SHOWN} more")
        lines.append(f"  help: {self.help}")
        return "\n".join(lines)

    def format(self) -> str:
        text = _render_diagnostics(self.storyboard)
        return (text + "\n" if text else "") + super().format()

    def to_json(self) -> dict[str, object]:
        data = super().to_json()
        data["diagnostics"] = [
            {
                "code": d.code,
                "severity": d.severity,
                "message": d.message,
                "location": str(d.span) if d.span else None,
                "help": d.help,
            }
            for d in self.storyboard.diagnostics
        ]
        return data


class RenderSetupError(SeedanceDSLError):
    """The render cannot start: no API key, a bad server URL, a bad rate limit; or
    ``status_file(refresh=True)`` could not reach the server."""

    exit_code = EXIT_USAGE
    kind = "config"


def _render_diagnostics(sb: CompiledStoryboard) -> str:
    import importlib

    try:
        # the language's diagnostic renderer, when present
        report = importlib.import_module("seedance_dsl.syntax.report")
        fn = getattr(report, "render_human", None) or getattr(report, "render", None)
        if fn is not None:
            return str(fn(list(sb.diagnostics), sb.sources))
    except Exception:
        pass
    lines = []
    for d in sb.diagnostics:
        where = f"{d.span}: " if d.span else ""
        lines.append(f"{where}{d.severity}[{d.code}]: {d.message}")
        if d.help:
            lines.append(f"  help: {d.help}")
    return "\n".join(lines)


def load_storyboard(path: str | Path) -> CompiledStoryboard:
    """Compile ``path`` for planning or rendering.

    Raises:
        StoryboardFileError: ``path`` cannot be read (a :class:`UsageError`; its
            ``diagnostic`` says why: missing, a directory, not a regular file, too big).
        CompileFailed: the storyboard has errors (``exc.diagnostics`` lists them).
        LimitSettingError: a ``SEEDANCE_MAX_...``/``..._TIMEOUT`` variable of
            :mod:`seedance_dsl.limits` is not a positive number (a :class:`UsageError`).
    """
    from ..limits import check_environment
    from ..syntax.source import file_problem

    check_environment()  # a bad SEEDANCE_MAX_... stops us here, not after a submit
    p = Path(path)
    problem = file_problem(p)  # missing, a directory, a FIFO or device, too big
    if problem is not None:
        raise StoryboardFileError(problem, str(path))
    from ..compiler import compile_file

    sb = compile_file(p)
    mark("compiled")
    if not sb.ok:
        raise CompileFailed(sb)
    return sb


# ---------------------------------------------------------------------------- plan


def plan_file(
    path: str | Path,
    *,
    sandbox: bool = False,
    base_url: str | None = None,
    clips: Sequence[str] | None = None,
    take: int = 0,
    prices: PriceTable | None = None,
    out_dir: str | Path | None = None,
) -> Plan:
    """What ``render`` would do (submit / reuse / resume / wait), what it costs and where
    its files go.  No network.

    A clip whose resolved request breaks an API rule is an entry with action
    ``"invalid"``, not an exception.

    Raises:
        UsageError: ``path`` is not a file.
        CompileFailed: the storyboard has errors (``exc.diagnostics`` lists them).
        StateError: the state database next to the storyboard is damaged or unreadable
            (``seedance_dsl.render.state.StateError``).
    """
    sb = load_storyboard(path)
    plan = make_plan(
        sb,
        server=server_namespace(base_url, sandbox=sandbox),
        clips=clips,
        take=take,
        prices=prices,
        out_dir=out_dir,
    )
    check_secrets(sb, plan)  # the plan shows the requests: never one with the key
    return _with_uploads(plan, sb, clips, sandbox=sandbox)


def _with_uploads(
    plan: Plan, sb: CompiledStoryboard, clips: Sequence[str] | None, *, sandbox: bool
) -> Plan:
    """The plan with the local files ``render`` would upload (not yet in the store, as
    the state DB's ``asset_uploads`` records it).  Reads the profile; no network."""
    from dataclasses import replace

    from .plan import planned_uploads

    if not any(c.local_references for c in sb.clips):
        return plan
    store_id: str | None = None
    note = ""
    if sandbox:
        note = "the in-process sandbox starts empty: every local file is uploaded to it"
    else:
        try:
            store = _profile_store()
        except SeedanceDSLError as exc:
            store, note = None, f"the profile cannot be read: {exc.message}"
        if store is not None:
            store_id = store.store_id
        elif not note:
            note = (
                "no store is configured ([profiles.NAME.store], docs/assets.md): render "
                "would stop before any submit"
            )
    if store_id is not None and StateDB.exists_for(sb.path):
        with StateDB.for_storyboard(sb.path, readonly=True) as db:
            uploads = planned_uploads(sb, clips, db.connection, store_id)
    else:
        uploads = planned_uploads(sb, clips, None, store_id)
    return replace(plan, uploads=uploads, upload_store=store_id, upload_note=note)


# -------------------------------------------------------------------------- render


def _rate_limit(rate_limit: str | tuple[int, float] | None) -> tuple[int, float]:
    value: str | tuple[int, float] | None = rate_limit or os.environ.get(RATE_LIMIT_ENV)
    if value is None:
        return CONTRACT.rate_limit_requests, CONTRACT.rate_limit_window_s
    if isinstance(value, tuple):
        return value
    # (render/budget.py loads the client's rate limiter and asyncio: not for `plan`)
    from .budget import parse_rate_limit

    try:
        return parse_rate_limit(value)
    except ValueError as exc:
        raise RenderSetupError(str(exc), help=f"set {RATE_LIMIT_ENV} like 30/60") from None


@dataclass(frozen=True, slots=True)
class SandboxEndpoint:
    """A running local server that renders for free (``--sandbox``): where it listens,
    its key and its (scaled) rate window.  The renderer only receives it: starting the
    server is the job of the layer above (:mod:`seedance_dsl.workflow`, the CLI)."""

    base_url: str
    api_key: str
    rate_limit: tuple[int, float]


#: starts a sandbox for one render and stops it when the ``with`` block ends
SandboxStarter = Callable[[], contextlib.AbstractContextManager[SandboxEndpoint]]


def render_file(
    path: str | Path,
    *,
    sandbox: bool = False,
    start_sandbox: SandboxStarter | None = None,
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
    """Render a storyboard file: compile, lock, then :func:`render_storyboard`.

    ``sandbox=True`` renders in the ``sandbox`` namespace against the server that
    ``start_sandbox`` starts (inside the lock; :func:`seedance_dsl.render_file` passes
    the in-process sandbox; this module never imports it).  ``on_client_event`` sees
    every request, retry and poll (``seedance -v render``); never the API key.  ``stop``:
    :class:`~seedance_dsl.render.stop.StopToken`.  Failures of single clips, an
    interruption and an exhausted budget are in the summary.  Nothing is submitted when:

    Raises:
        UsageError: ``path`` is not a file; ``take``, ``concurrency`` or ``max_credits``
            is out of range; ``out_dir`` cannot be created; ``sandbox=True`` without
            ``start_sandbox``.
        CompileFailed: the storyboard has errors (``exc.diagnostics`` lists them).
        RenderSetupError: no API key, a bad ``base_url`` or ``rate_limit``.
        StoryboardBusy: another render of the same storyboard holds the lock
            (``seedance_dsl.render.lock``).
        StateError: the state directory cannot be created or its database is damaged.
    """
    sb = load_storyboard(path)
    _check_render_args(take=take, concurrency=concurrency, max_credits=max_credits)
    if sandbox and start_sandbox is None:
        raise UsageError(
            "sandbox=True needs a sandbox to render against",
            help="call seedance_dsl.render_file(path, sandbox=True), which starts one",
        )
    server = SANDBOX_SERVER if sandbox else server_namespace(base_url)
    out = _make_out_dir(Path(out_dir) if out_dir else default_out_dir(sb.path, server))
    common: dict[str, Any] = dict(
        out_dir=out,
        clips=clips,
        max_credits=max_credits,
        concurrency=concurrency,
        take=take,
        prices=prices,
        on_event=on_event,
        handle_signals=handle_signals,
        on_client_event=on_client_event,
        url_preflight=url_preflight,
        stop=stop,
    )
    with RenderLock(sb.path):
        if start_sandbox is not None and sandbox:
            with start_sandbox() as box:
                return render_storyboard(
                    sb,
                    server=SANDBOX_SERVER,
                    api_key=box.api_key,
                    base_url=box.base_url,
                    rate_limit=box.rate_limit,
                    **common,
                )
        return render_storyboard(
            sb,
            server=server,
            api_key=api_key,
            base_url=base_url,
            rate_limit=_rate_limit(rate_limit),
            **common,
        )


def _check_render_args(*, take: int, concurrency: int | None, max_credits: int | None) -> None:
    if take < 0:
        raise UsageError(f"take={take}: must be 0 or more (0 is the first take)")
    if concurrency is not None and concurrency < 1:
        raise UsageError(f"concurrency={concurrency}: must be at least 1")
    if max_credits is not None and max_credits < 0:
        raise UsageError(f"max_credits={max_credits}: cannot be negative")


def _make_out_dir(out: Path) -> Path:
    """Each server its own files (a sandbox preview never lands on a paid video); made
    before anything is sent: a render must have somewhere to put what it pays for."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"cannot create the output directory {out}: {exc.strerror or exc}",
            help="choose a writable directory with --out",
        ) from None
    return out


def render_storyboard(
    sb: CompiledStoryboard,
    *,
    out_dir: Path,
    server: str,
    api_key: str | None,
    base_url: str | None,
    rate_limit: tuple[int, float],
    clips: Sequence[str] | None = None,
    max_credits: int | None = None,
    concurrency: int | None = None,
    take: int = 0,
    prices: PriceTable | None = None,
    on_event: EventSink | None = None,
    handle_signals: bool = False,
    poll: PollPolicy | None = None,
    network_grace_s: float | None = None,
    task_timeout_s: float | None = None,
    on_client_event: Callable[[ClientEvent], None] | None = None,
    store: Any = None,
    url_preflight: bool | None = None,
    stop: StopToken | None = None,
) -> RenderSummary:
    """Render a compiled storyboard against one server (the caller holds the lock).
    ``store`` (an ``assets.store.AssetStore``) takes the local files for a real server;
    ``url_preflight`` probes the remote asset URLs first (default: for a server that is
    not on loopback, where a submit costs credits); ``stop`` (render/stop.py) stops it
    from another thread as Ctrl-C does."""
    requests, window = rate_limit
    factor = min(1.0, window / CONTRACT.rate_limit_window_s)
    if task_timeout_s is None:
        from ..limits import LimitSettingError, limit

        try:
            task_timeout_s = limit("render_task_timeout") * factor
        except LimitSettingError as exc:
            raise RenderSetupError(exc.message, help=exc.help) from None
    # the scheduler (asyncio, the client, pydantic models) only when rendering: `plan`
    # and `status` never load it (start-up: docs/benchmarks.md)
    import asyncio

    from .budget import SharedBudget
    from .polling import PollPolicy
    from .runner import DEFAULT_CONCURRENCY, RenderOptions

    lifetime, margin = _output_url_limits()
    options = RenderOptions(
        clips=clips,
        take=take,
        max_credits=max_credits,
        concurrency=concurrency or DEFAULT_CONCURRENCY,
        prices=prices or PriceTable(),
        poll=poll or PollPolicy().scaled(factor),
        network_grace_s=network_grace_s or _scaled_limit("outage_timeout", factor),
        first_contact_grace_s=_scaled_limit("first_answer_timeout", factor),
        task_timeout_s=task_timeout_s,
        store=store,
        url_preflight=(not _on_loopback(base_url)) if url_preflight is None else url_preflight,
        output_url_lifetime_s=lifetime,
        output_url_margin_s=margin,
    )
    budget = SharedBudget(requests, window)
    return asyncio.run(
        _render_async(
            sb,
            out_dir=out_dir,
            server=server,
            api_key=api_key,
            base_url=base_url,
            budget=budget,
            options=options,
            on_event=on_event,
            handle_signals=handle_signals,
            factor=factor,
            on_client_event=on_client_event,
            stop=stop,
        )
    )


def _output_url_limits() -> tuple[float, float]:
    """How long an output URL lives and how long it must still live when sent (wall
    time on the server's side: not scaled)."""
    from ..limits import LimitSettingError, limit

    try:
        return limit("output_url_lifetime"), limit("output_url_margin")
    except LimitSettingError as exc:
        raise RenderSetupError(exc.message, help=exc.help) from None


def _scaled_limit(name: str, factor: float) -> float:
    """A time limit for a server whose clock runs ``factor`` times as fast (a sandbox):
    scaled, but not below 5 s unless the limit itself is set lower."""
    from ..limits import limit

    value = limit(name)
    return max(min(5.0, value), value * factor)


def _preflight(
    sb: CompiledStoryboard, options: RenderOptions, db: StateDB, server: str, out_dir: Path
) -> None:
    """Before the first credit: ``--out`` and ``.seedance/`` take writes, ``--out`` has room."""
    plan = make_plan(
        sb, server=server, clips=options.clips, take=options.take, prices=options.prices, db=db
    )
    preflight(sb, plan, out_dir=out_dir, state_dir=db.path.parent)


async def _render_async(
    sb: CompiledStoryboard,
    *,
    out_dir: Path,
    server: str,
    api_key: str | None,
    base_url: str | None,
    budget: SharedBudget,
    options: RenderOptions,
    on_event: EventSink | None,
    handle_signals: bool,
    factor: float,
    on_client_event: Callable[[ClientEvent], None] | None = None,
    stop: StopToken | None = None,
) -> RenderSummary:
    from urllib.parse import urlsplit

    from ..client import AsyncSeedanceClient, RetryPolicy, SeedanceError
    from .redaction import install_log_filter

    install_log_filter()  # httpx/httpcore records never show a presigned query
    holder: dict[str, Renderer] = {}

    def client_event(event: Any) -> None:
        r = holder.get("r")
        if r is not None:
            r.on_client_event(event)
        if on_client_event is not None:
            on_client_event(event)

    from dataclasses import replace

    retry = RetryPolicy().scaled(factor)
    # a 503 on submit is the server's concurrency limit speaking: the renderer adapts
    # (fewer tasks in flight) instead of the client retrying blindly
    options = replace(options, submit_retry=replace(retry, retry_service_busy=False))
    try:
        client = AsyncSeedanceClient(
            api_key,
            base_url=base_url,
            retry=retry,
            limiter=budget,
            on_event=client_event,
        )
    except SeedanceError as exc:
        raise RenderSetupError(exc.message, help=exc.help) from None
    db = StateDB.for_storyboard(sb.path)
    try:
        _preflight(sb, options, db, server, out_dir)
        from .runner import Renderer

        options = await _with_local_assets(
            sb, options, db, server, client.base_url, api_key, on_event
        )
        renderer = Renderer(
            sb,
            client=client,
            budget=budget,
            db=db,
            server=server,
            out_dir=out_dir,
            options=options,
            on_event=on_event,
            sandbox_netloc=urlsplit(client.base_url).netloc if server == SANDBOX_SERVER else None,
        )
        holder["r"] = renderer
        mark("renderer_ready")
        with _signals(renderer, enabled=handle_signals), _stoppable(renderer, stop):
            return await renderer.run()
    finally:
        mark("render_returned")
        db.close()
        await client.aclose()
        mark("client_closed")


async def _with_local_assets(
    sb: CompiledStoryboard,
    options: RenderOptions,
    db: StateDB,
    server: str,
    base_url: str,
    api_key: str | None,
    on_event: EventSink | None,
) -> RenderOptions:
    """Before the first submit: upload the local files (render/local_assets.py) and
    hand their URLs to the renderer.  Nothing to do for a storyboard of URLs only."""
    from dataclasses import replace

    from .events import RenderEvent
    from .local_assets import local_assets_of, upload_local_assets

    # the clips asked for and the clips they need (their local files go up too)
    chosen = set(render_order(sb, options.clips)) if options.clips else None
    if options.url_preflight:
        from .identity import loopback_allowed
        from .local_assets import preflight_remote_assets

        await preflight_remote_assets(sb, chosen, allow_loopback=loopback_allowed(server))
    made: list[Any] = []

    def store_of() -> Any:
        """The store (made once): the caller's, the sandbox's, or the profile's."""
        if options.store is not None:
            return options.store
        if not made:
            if server == SANDBOX_SERVER:
                from ..assets.store import SandboxStore

                made.append(SandboxStore(base_url, api_key or ""))
            else:
                made.append(_profile_store())
        return made[0]

    options = replace(options, store_factory=store_of)  # also for expired chained inputs
    assets = local_assets_of(sb, chosen)
    if not assets:
        return options
    store = store_of()

    def emit(kind: str, message: str, data: Any) -> None:
        if on_event is not None:
            on_event(
                RenderEvent(
                    kind=kind, t=0.0, clip=None, status=None, message=message, data=dict(data)
                )
            )

    urls, record = upload_local_assets(assets, store, db.connection, emit=emit)
    return replace(options, asset_urls=urls, local_files=[u.to_json() for u in record])


def _on_loopback(base_url: str | None) -> bool:
    from .identity import loopback_allowed, server_namespace

    try:
        return loopback_allowed(server_namespace(base_url))
    except SeedanceDSLError:
        return False


def _profile_store() -> Any:
    """The S3 store of the profile's ``[profiles.NAME.store]`` table, or None."""
    from ..assets.store import S3Store, store_config
    from ..client.config import resolve_config
    from ..client.errors import ConfigError

    try:
        cfg = resolve_config()
    except ConfigError as exc:
        raise RenderSetupError(exc.message, help=exc.help) from None
    if not cfg.store:
        return None
    return S3Store(store_config(cfg.store, where=f"[profiles.{cfg.profile}.store]"))


@contextlib.contextmanager
def _stoppable(renderer: Renderer, stop: StopToken | None) -> Iterator[None]:
    if stop is None:
        yield
        return
    import asyncio

    stop.attach(asyncio.get_running_loop(), renderer)
    try:
        yield
    finally:
        stop.detach()


@contextlib.contextmanager
def _signals(renderer: Renderer, *, enabled: bool) -> Iterator[None]:
    if not enabled:
        yield
        return
    import asyncio

    loop = asyncio.get_running_loop()
    count = {"n": 0}

    def on_signal(signame: str) -> None:
        count["n"] += 1
        if count["n"] > 1:
            raise KeyboardInterrupt
        renderer.interrupt(
            f"interrupted ({signame}); every step so far is saved: run the same command "
            "again to resume (tasks in flight are polled, not paid again)"
        )

    installed = []
    for sig, name in ((signal.SIGINT, "Ctrl-C"), (signal.SIGTERM, "SIGTERM")):
        try:
            loop.add_signal_handler(sig, on_signal, name)
            installed.append(sig)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - non-main thread
            pass
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


# -------------------------------------------------------------------------- status


@dataclass(frozen=True, slots=True)
class ClipStatusRow:
    clip: str
    state: str
    detail: str
    task_id: str | None
    credits_used: int | None
    credits_refunded: int | None
    video: str | None
    updated_at: float | None
    take: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "clip": self.clip,
            "take": self.take,
            "state": self.state,
            "detail": self.detail,
            "task_id": self.task_id,
            "credits_used": self.credits_used,
            "credits_refunded": self.credits_refunded,
            "video": self.video,
        }


@dataclass(frozen=True, slots=True)
class StatusReport:
    storyboard: str
    server: str
    rows: tuple[ClipStatusRow, ...]
    refreshed: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "storyboard": self.storyboard,
            "server": self.server,
            "refreshed": self.refreshed,
            "clips": [r.to_json() for r in self.rows],
        }


def status_file(
    path: str | Path,
    *,
    sandbox: bool = False,
    base_url: str | None = None,
    refresh: bool = False,
    api_key: str | None = None,
) -> StatusReport:
    """What the state database knows about a storyboard's clips (``refresh``: poll the
    tasks in flight once; otherwise no network).

    Raises:
        UsageError: ``path`` is not a file.
        CompileFailed: the storyboard has errors (``exc.diagnostics`` lists them).
        RenderSetupError: with ``refresh``, no API key, a bad ``base_url``, or a task
            that cannot be polled.
        StateError: the state database is damaged or unreadable.
    """
    sb = load_storyboard(path)
    server = server_namespace(base_url, sandbox=sandbox)
    if not StateDB.exists_for(sb.path):
        rows = tuple(
            ClipStatusRow(c.name, "never rendered", "", None, None, None, None, None)
            for c in sb.clips
        )
        return StatusReport(sb.path, server, rows)
    refreshed = 0
    if refresh and server != SANDBOX_SERVER:
        refreshed = _refresh(sb, server, api_key, base_url)
    db = StateDB.for_storyboard(sb.path, readonly=True)
    try:
        plan = make_plan(sb, server=server, db=db)
        by_clip = {e.clip: e for e in plan.entries}
        rows_list = [
            _status_row(c, take, latest, entry, server)
            for c, take, latest, entry in _takes(sb, server, db, by_clip)
        ]
        return StatusReport(sb.path, server, tuple(rows_list), refreshed)
    finally:
        db.close()


def _status_row(
    c: CompiledClip,
    take: int,
    latest: RenderRecord | None,
    entry: PlanEntry | None,
    server: str,
) -> ClipStatusRow:
    """One (clip, take) of ``status``: its newest record and what a render would do."""
    if latest is None:
        return ClipStatusRow(c.name, "never rendered", "", None, None, None, None, None)
    current = entry.record if entry is not None else None
    rec = current or latest
    state: str = rec.state
    detail = ""
    if current is None and entry is not None and entry.action == "submit":
        detail = "changed since the last render (" + entry.reason + ")"
        state = f"{state} (outdated)"
    elif rec.state == "failed":
        detail = f"{rec.error_code}: {rec.error_message} ({rec.credits_refunded} refunded)"
    elif rec.state == "intent":
        detail = "submit sent, answer not recorded; the next render re-sends it safely"
    elif rec.state == "submitted":
        detail = "rendering; the next render (or status --refresh) polls it"
    elif (
        server == SANDBOX_SERVER
        and rec.state in ("done", "completed")
        and (sandbox_files_gone(rec))
    ):
        detail = (
            "the files of this sandbox render are gone; the next render --sandbox "
            "renders it again (free)"
        )
    elif rec.state == "done":
        detail = rec.video_path or ""
        if rec.video_path and not Path(rec.video_path).is_file():
            detail += " (file missing: the next render downloads it again)"
    return ClipStatusRow(
        c.name,
        state,
        detail,
        rec.task_id,
        rec.credits_used,
        rec.credits_refunded,
        rec.video_path if rec.state == "done" else None,
        rec.updated_at,
        take,
    )


def _takes(
    sb: CompiledStoryboard, server: str, db: StateDB, take0: dict[str, PlanEntry]
) -> Iterator[tuple[CompiledClip, int, RenderRecord | None, PlanEntry | None]]:
    """Every (clip, take) the state knows of, in file order then take order (take 0 of
    a clip never rendered too): its newest record and what a render would do with it."""
    sid = storyboard_id(sb)
    for c in sb.clips:
        history = db.history(server, sid, c.name)
        for take in sorted({r.take for r in history} | {0}):
            records = [r for r in history if r.take == take]
            if take == 0:
                entry = take0.get(c.name)
                if not records and history:
                    continue  # only other takes were rendered
            else:
                # as `render --clip NAME --take N` does: the clips it needs keep take 0
                plan = make_plan(sb, server=server, db=db, clips=[c.name], take=take)
                entry = next((e for e in plan.entries if e.clip == c.name), None)
            yield c, take, (records[-1] if records else None), entry


def _refresh(sb: CompiledStoryboard, server: str, api_key: str | None, base_url: str | None) -> int:
    """Poll every task in flight once and record what the server says."""

    async def go() -> int:
        from ..client import AsyncSeedanceClient, SeedanceError

        try:
            client = AsyncSeedanceClient(api_key, base_url=base_url)
        except SeedanceError as exc:
            raise RenderSetupError(exc.message, help=exc.help) from None
        db = StateDB.for_storyboard(sb.path)
        n = 0
        try:
            for rec in db.history(server, storyboard_id(sb)):
                if rec.state != "submitted" or not rec.task_id:
                    continue
                try:
                    task = await client.get_task(rec.task_id)
                except SeedanceError as exc:
                    raise RenderSetupError(
                        f"cannot refresh task {rec.task_id}: {exc.message}"
                    ) from None
                n += 1
                if task.status == "completed" and task.output and task.output.video_url:
                    db.update(
                        rec.id,
                        state="completed",
                        video_url=task.output.video_url,
                        last_frame_url=task.output.last_frame_url,
                        seed=task.output.seed,
                    )
                elif task.status == "failed":
                    db.update(
                        rec.id,
                        state="failed",
                        error_code=(task.error.code if task.error else None) or "task_failed",
                        error_message=task.error.message if task.error else None,
                        credits_refunded=task.credits_refunded,
                    )
        finally:
            db.close()
            await client.aclose()
        return n

    import asyncio  # (only here: `status` without --refresh runs no event loop)

    return asyncio.run(go())
