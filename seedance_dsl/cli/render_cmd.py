"""``seedance plan``, ``seedance render`` and ``seedance status`` (docs/rendering.md).

A thin shell over :mod:`seedance_dsl.render.commands`; ``render --sandbox`` goes through
:mod:`seedance_dsl.workflow`, which starts the sandbox the renderer renders against (the
renderer never imports the sandbox).  Each command's exit codes are in
:data:`seedance_dsl.cli.exit_codes.EXIT_CODES` (its ``--help`` prints them from there).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..errors import SeedanceDSLError
from .exit_codes import exit_help

F = TypeVar("F", bound=Callable[..., Any])


def _emit_error(fmt: str, exc: SeedanceDSLError) -> None:
    if fmt == "json":
        from ..render.commands import StoryboardFileError

        payload: dict[str, Any] = {"event": "error", "exit_code": exc.exit_code}
        if isinstance(exc, StoryboardFileError):  # the shape of check, compile and fmt
            from ._common import file_error_json

            tool = click.get_current_context().info_name or "render"
            payload.update(file_error_json(tool, exc.file, exc.diagnostic))
        else:
            payload.update(exc.to_json())
        click.echo(json.dumps(payload, ensure_ascii=False, default=str))
    else:
        click.echo(exc.format(), err=True)


def _guard(fmt: str, fn: Callable[[], int]) -> None:
    """Run ``fn``; intended errors become a message (or a JSON object) and an exit code."""
    try:
        code = fn()
    except SeedanceDSLError as exc:
        _emit_error(fmt, exc)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        if fmt == "json":
            click.echo(json.dumps({"event": "error", "kind": "interrupted", "exit_code": 3}))
        else:
            click.echo("interrupted; run the same command again to resume", err=True)
        sys.exit(3)
    sys.exit(code)


def _echo_warnings(diagnostics: Any, sources: Any) -> None:
    """The storyboard's warnings, as `seedance check` draws them, on stderr."""
    if not diagnostics:
        return
    from ..syntax import report

    color = report.use_color(sys.stderr)
    click.echo(report.render_human(list(diagnostics), sources, color=color), err=True)
    click.echo("", err=True)


def _prices(path: str | None) -> Any:
    from ..render.pricing import PriceTable

    return PriceTable.from_env_or(path)


_format_opt = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for programs.",
)
_sandbox_opt = click.option(
    "--sandbox",
    is_flag=True,
    help="Use the built-in local sandbox (free animatics) instead of SEEDANCE_BASE_URL.",
)
_clip_opt = click.option(
    "--clip",
    "clips",
    multiple=True,
    metavar="NAME",
    help="Only this clip (and the clips it needs); repeatable.",
)
_take_opt = click.option(
    "--take",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="A fresh render of the same request (new Idempotency-Key); 0 is the first.",
)
_prices_opt = click.option(
    "--prices",
    type=click.Path(dir_okay=False),
    default=None,
    help="JSON price table for credit estimates (default: $SEEDANCE_PRICES or built-in).",
)


def _echo_uploads(p: Any) -> None:
    """The local files render would upload first (not yet in the store)."""
    if not p.uploads and not p.upload_note and not p.upload_store:
        return  # no local files
    click.echo("")
    total = sum(u.size for u in p.uploads)
    where = f" to {p.upload_store}" if p.upload_store else ""
    if p.uploads:
        click.echo(f"  uploads{where}: {len(p.uploads)} local file(s), {total:,} bytes")
        for u in p.uploads:
            click.echo(f"    {u.path}  {u.size:,} bytes  sha256 {u.sha256[:12]}")
    else:
        click.echo(f"  uploads{where}: none (every local file is in the store)")
    if p.upload_note:
        click.echo(f"  note: {p.upload_note}")


@click.command(
    short_help="Show what `render` would submit, reuse or wait for, and its cost.",
    epilog=exit_help("plan"),
)
@click.argument("file", type=click.Path(path_type=str))  # checked by file_problem
@_format_opt
@_sandbox_opt
@_clip_opt
@_take_opt
@_prices_opt
def plan(
    file: str, fmt: str, sandbox: bool, clips: tuple[str, ...], take: int, prices: str | None
) -> None:
    """Show what `render` would submit, reuse or wait for, and estimated credits.

    Reads the state database next to FILE; sends nothing over the network.
    """

    def run() -> int:
        from ..render.commands import plan_file

        p = plan_file(file, sandbox=sandbox, clips=clips or None, take=take, prices=_prices(prices))
        code = 1 if any(e.action == "invalid" for e in p.entries) else 0
        if fmt == "json":
            click.echo(json.dumps(p.to_json(), indent=2, ensure_ascii=False))
            return code
        from ._common import verbosity

        quiet = verbosity() < 0  # -q: the table (the output asked for), no warnings, no notes
        if not quiet:
            _echo_warnings(p.diagnostics, p.sources)
        click.echo(
            f"plan for {file} ({p.title}) on {p.server}" + (f", take {take}" if take else "")
        )
        click.echo(f"outputs go to {p.out_dir}/")
        click.echo("")
        if not p.entries:
            click.echo("  no clips: there is nothing to render")
            return code
        click.echo(f"  {'clip':<18} {'action':<8} {'credits*':>8}  why")
        for e in p.entries:
            credits = str(e.credits_estimate) if e.action in ("submit", "wait") else "-"
            click.echo(f"  {e.clip:<18} {e.action:<8} {credits:>8}  {e.reason}")
        counts = ", ".join(f"{n} {a}" for a, n in p.counts().items())
        click.echo("")
        click.echo(f"  {counts}")
        click.echo(f"  total: ~{p.total_estimate} credits (*estimate)")
        _echo_uploads(p)
        if quiet:
            return code
        click.echo("")
        click.echo(
            "* credit figures are estimates from "
            + p.prices.source
            + " (the only documented price: 30 credits for standard, 5 s, 720p);"
            " the server's credits_used is the real charge. See docs/rendering.md."
        )
        return code

    _guard(fmt, run)


@click.command(
    short_help="Render every clip: submit, poll, download; resumable at any moment.",
    epilog=exit_help("render"),
)
@click.argument("file", type=click.Path(path_type=str))  # checked by file_problem
@_clip_opt
@_sandbox_opt
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Where videos and manifest.json go (default: renders/<storyboard>/, and "
    "renders/<storyboard>/sandbox/ with --sandbox).",
)
@click.option(
    "--max-credits",
    type=click.IntRange(min=0),
    default=None,
    help="Refuse any submit that would take this run's credits above N (estimate).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=None,
    help="Most tasks in flight at once (default 32; a busy server lowers it).",
)
@_take_opt
@_format_opt
@_prices_opt
@click.option(
    "--rate-limit",
    default=None,
    metavar="N/SECONDS",
    help="The account's request budget (default: $SEEDANCE_RATE_LIMIT or 30/60).",
)
@click.option(
    "--no-preflight",
    is_flag=True,
    help="Skip the probe of every remote asset URL before the first submit.",
)
def render(
    file: str,
    clips: tuple[str, ...],
    sandbox: bool,
    out_dir: str | None,
    max_credits: int | None,
    concurrency: int | None,
    take: int,
    fmt: str,
    prices: str | None,
    rate_limit: str | None,
    no_preflight: bool,
) -> None:
    """Render FILE's clips: submit, poll, download; resumable at any moment.

    Without --sandbox it talks to $SEEDANCE_BASE_URL (default: the hosted service) with
    $SEEDANCE_API_KEY.
    """
    from .._timing import mark
    from ..client import tls
    from ..render.progress import make_progress
    from ._common import verbosity

    mark("cli_parsed")
    tls.prepare()  # the CA bundle is read while the storyboard compiles

    progress = make_progress(fmt, verbosity=verbosity())

    def run() -> int:
        from ..workflow import render_file

        progress.start()
        try:
            summary = render_file(
                file,
                sandbox=sandbox,
                clips=clips or None,
                out_dir=out_dir,
                max_credits=max_credits,
                concurrency=concurrency,
                take=take,
                prices=_prices(prices),
                rate_limit=rate_limit,
                on_event=progress,
                handle_signals=True,
                on_client_event=progress.client_event,
                url_preflight=False if no_preflight else None,
            )
        except SeedanceDSLError:
            progress.close()
            raise
        progress.finish(summary)
        return summary.exit_code

    try:
        _guard(fmt, run)
    finally:
        progress.close()


@click.command(
    short_help="Show what the state database knows about each clip.",
    epilog=exit_help("status"),
)
@click.argument("file", type=click.Path(path_type=str))  # checked by file_problem
@click.option("--refresh", is_flag=True, help="Poll the tasks in flight once (uses the network).")
@_sandbox_opt
@_format_opt
def status(file: str, refresh: bool, sandbox: bool, fmt: str) -> None:
    """What the state database knows about FILE's clips (no network unless --refresh)."""

    def run() -> int:
        from ..render.commands import status_file

        report = status_file(file, sandbox=sandbox, refresh=refresh)
        if fmt == "json":
            click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
            return 0
        click.echo(f"status of {file} on {report.server}")
        if refresh:
            click.echo(f"(polled {report.refreshed} task(s) in flight)")
        click.echo("")
        click.echo(f"  {'clip':<18} {'take':>4} {'state':<20} {'task':<26} detail")
        for r in report.rows:
            click.echo(
                f"  {r.clip:<18} {r.take:>4} {r.state:<20} {r.task_id or '-':<26} {r.detail}"
            )
        return 0

    _guard(fmt, run)
