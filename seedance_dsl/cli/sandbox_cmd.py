"""``seedance sandbox serve``: a local Seedance-compatible server for people.

A thin shell over :func:`seedance_dsl.sandbox.server.serve_forever`; every flag maps
onto a field of :class:`~seedance_dsl.sandbox.settings.SandboxSettings`
(docs/sandbox.md lists them).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import UsageError
from ..limits import LimitSettingError
from .exit_codes import exit_help

if TYPE_CHECKING:
    from ..sandbox.server import Sandbox

DEFAULT_PORT = 8765


def _parse_key(value: str) -> tuple[str, int]:
    key, sep, credits = value.rpartition(":")
    if not sep or not key or not credits.strip().lstrip("-").isdigit():
        raise UsageError(
            f"--key {value!r} is not KEY:CREDITS",
            help="for example --key sk_test_alice:500 (a key and its starting balance)",
        )
    n = int(credits)
    if n < 0:
        raise UsageError(f"--key {key}: a starting balance cannot be negative")
    return key, n


def _shown(key: str) -> str:
    # Sandbox keys are not secrets, but a real key typed here by mistake must not be echoed.
    return key if key.startswith("sk_test_") else key[:6] + "…"


@click.group(
    short_help="A local Seedance-compatible server that renders animatics.",
    epilog=exit_help("sandbox"),
)
def sandbox() -> None:
    """A local Seedance-compatible server that renders animatics (no key, no credits)."""


@sandbox.command(epilog=exit_help("sandbox"))
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--key",
    "keys",
    multiple=True,
    metavar="KEY:CREDITS",
    help="An API key and its starting balance; repeatable. Default: sk_test_sandbox:1000000.",
)
@click.option(
    "--time-scale",
    type=click.FloatRange(min=0.0, min_open=True),
    default=1.0,
    show_default=True,
    help="Multiplies every duration (render time, rate window, Retry-After, latency).",
)
@click.option(
    "--render-time",
    type=click.FloatRange(min=0.0),
    default=20.0,
    show_default=True,
    help="Seconds from submit to a finished task.",
)
@click.option(
    "--render-jitter",
    type=click.FloatRange(0.0, 1.0),
    default=0.1,
    show_default=True,
    help="± fraction of random variation of the render time.",
)
@click.option(
    "--rate-limit",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Requests per window per account (every request counts).",
)
@click.option(
    "--rate-window",
    type=click.FloatRange(min=0.0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds of the rate-limit window.",
)
@click.option(
    "--max-concurrent",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Tasks one account may have rendering at once (more: 503 service_busy).",
)
@click.option(
    "--fail-fraction",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Fraction of tasks that fail (their credits are refunded).",
)
@click.option(
    "--post-503-fraction",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    help="Fraction of POSTs answered 503 service_busy (nothing created).",
)
@click.option(
    "--post-500-fraction",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    help="Fraction of POSTs answered 500 internal_error (nothing created).",
)
@click.option(
    "--drop-fraction",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    help="Fraction of POSTs that create and charge the task, then close the connection "
    "without answering.",
)
@click.option(
    "--latency",
    type=click.FloatRange(min=0.0),
    default=0.0,
    show_default=True,
    help="Seconds added to every API request.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of faults, jitter and output seeds.",
)
@click.option(
    "--inspection/--no-inspection",
    default=False,
    show_default=True,
    help="Serve GET /_sandbox/inspect (request counts, credits, tasks per key).",
)
@click.option(
    "--fps",
    type=click.IntRange(min=1),
    default=12,
    show_default=True,
    help="Frames per second of the animatics.",
)
@click.option(
    "--max-size",
    type=click.IntRange(min=16),
    default=720,
    show_default=True,
    help="Cap on the short side of animatics in pixels (the aspect ratio is kept).",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep animatics here (default: a temporary directory removed on exit).",
)
@click.option("--quiet", is_flag=True, help="No access log.")
def serve(
    host: str,
    port: int,
    keys: tuple[str, ...],
    time_scale: float,
    render_time: float,
    render_jitter: float,
    rate_limit: int,
    rate_window: float,
    max_concurrent: int,
    fail_fraction: float,
    post_503_fraction: float,
    post_500_fraction: float,
    drop_fraction: float,
    latency: float,
    seed: int,
    inspection: bool,
    fps: int,
    max_size: int,
    output_dir: Path | None,
    quiet: bool,
) -> None:
    """Serve the Seedance 2 API locally until Ctrl-C.

    Prints the base URL and the key to use; renders each task as an animatic MP4.
    """
    from ..sandbox.server import serve_forever
    from ..sandbox.settings import (
        DEFAULT_KEY,
        DEFAULT_KEY_CREDITS,
        AnimaticSettings,
        SandboxSettings,
    )

    parsed = dict(_parse_key(k) for k in keys) or {DEFAULT_KEY: DEFAULT_KEY_CREDITS}
    try:
        settings = SandboxSettings(
            keys=parsed,
            time_scale=time_scale,
            render_time_s=render_time,
            render_jitter=render_jitter,
            rate_limit_requests=rate_limit,
            rate_limit_window_s=rate_window,
            max_concurrent_tasks=max_concurrent,
            fail_fraction=fail_fraction,
            post_503_fraction=post_503_fraction,
            post_500_fraction=post_500_fraction,
            drop_after_commit_fraction=drop_fraction,
            added_latency_s=latency,
            seed=seed,
            inspection=inspection,
            animatic=AnimaticSettings(fps=fps, max_short_side=max_size),
            output_dir=output_dir,
        )
    except LimitSettingError as exc:
        raise UsageError(exc.message, help=exc.help) from exc
    except ValueError as exc:
        raise UsageError(str(exc)) from exc

    from ._common import verbosity

    # `seedance -q sandbox serve`: the URL line only (it is needed), no access log
    hushed = verbosity() < 0

    def banner(sb: Sandbox) -> None:
        from ..api.spec import CONTRACT

        click.echo(f"Seedance sandbox listening on {sb.base_url}")
        if hushed:
            return
        for key, credits in parsed.items():
            click.echo(f"  API key: {_shown(key)}  ({credits:,} credits)")
        if inspection:
            click.echo(f"  Inspection: {sb.base_url}/_sandbox/inspect")
        click.echo(
            "  Try:\n"
            f"    curl -X POST {sb.base_url}{CONTRACT.submit_path} \\\n"
            f'      -H "Authorization: Bearer {_shown(sb.api_key)}" \\\n'
            '      -H "Content-Type: application/json" -H "Idempotency-Key: demo-001" \\\n'
            '      -d \'{"prompt": "Shot 1 (0–5 s): a glass train crosses a snowy bridge"}\''
        )
        click.echo(
            '  Then GET the task (the "id" of that answer in place of TASK_ID):\n'
            f"    curl {sb.base_url}{CONTRACT.task_url_path('TASK_ID')} \\\n"
            f'      -H "Authorization: Bearer {_shown(sb.api_key)}"'
        )
        click.echo("Press Ctrl-C to stop.")

    log = not (quiet or hushed)
    serve_forever(settings, host=host, port=port, access_log=log, on_start=banner)
    if not hushed:
        click.echo("Sandbox stopped.")
