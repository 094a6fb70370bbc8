"""``seedance mcp``: serve the storyboard tools to an AI agent over stdio (MCP).

A thin shell over :func:`seedance_dsl.agents.server.run_stdio`.  stdout carries the
protocol; messages go to stderr.  Exit codes: 0 the client closed the connection, 2
usage (a bad option or root).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import SeedanceDSLError, UsageError
from .exit_codes import exit_help


@click.command(
    "mcp",
    short_help="Serve check/compile/plan/render/... to AI agents (MCP over stdio).",
    epilog=exit_help("mcp"),
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The only directory the tools read and write (default: the working directory).",
)
@click.option(
    "--allow-spend",
    is_flag=True,
    help="Let `render` use the real service (needs a key). Default: sandbox only.",
)
@click.option(
    "--max-credits",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Let `render` use the real service for at most N credits in this session.",
)
def mcp(root: Path, allow_spend: bool, max_credits: int | None) -> None:
    """Serve the storyboard tools (check, format, write, compile, plan, render, status,
    explain) and the language docs to an AI agent: a Model Context Protocol server on
    stdin/stdout. Renders use the free local sandbox unless the server is started with
    a key and --allow-spend or --max-credits N (see docs/agents.md)."""
    if not root.is_dir():
        raise UsageError(f"--root {root}: no such directory", help="give an existing directory")
    try:
        from ..agents.server import run_stdio
        from ..agents.tools import SpendPolicy
    except ModuleNotFoundError as exc:  # pragma: no cover - mcp is a dependency
        raise UsageError(
            f"seedance mcp needs the `mcp` package ({exc.name} is missing)",
            help="pip install 'seedance-dsl' again, or pip install 'mcp>=2.3,<3'",
        ) from None
    has_key = False
    if allow_spend or max_credits is not None:
        from ..client.config import resolve_config

        try:
            has_key = resolve_config().api_key is not None
        except SeedanceDSLError as exc:
            click.echo(f"seedance mcp: {exc.format()}", err=True)
        if not has_key:
            click.echo(
                "seedance mcp: warning: spending is allowed but no API key is configured; "
                "real renders will be refused (set SEEDANCE_API_KEY)",
                err=True,
            )
    spend = SpendPolicy(allow_spend=allow_spend, max_credits=max_credits, has_key=has_key)
    from ._common import verbosity

    if verbosity() >= 0:  # -q: no banner (a warning about spending is still said above)
        click.echo(f"seedance mcp: serving {root.resolve()} on stdio; {spend.describe()}", err=True)
    run_stdio(root, spend)
    sys.exit(0)
