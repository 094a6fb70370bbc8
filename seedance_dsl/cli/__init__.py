"""The ``seedance`` command line: a thin shell over typed Python functions.

Commands are loaded lazily (each lives in its own module), so ``seedance check`` and
``seedance fmt`` import neither the network stack nor a terminal library: start-up time
is a feature (docs/benchmarks.md).
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from typing import Any, NoReturn

from .. import _timing  # noqa: F401  (SEEDANCE_TIMING: the process's first mark)

# httpx's own command line (httpx._main) imports rich and pygments with httpx itself,
# ~70 ms of every render's time to its first submit; this process never runs it
# (``httpx.main`` is then httpx's "not installed" stub)
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

import click  # noqa: E402

from .._version import __version__  # noqa: E402
from ..errors import SeedanceDSLError  # noqa: E402

#: command name -> "module:attribute" (modules relative to this package)
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check_cmd", "check"),
    "fmt": ("fmt_cmd", "fmt"),
    "explain": ("explain_cmd", "explain"),
    "compile": ("compile_cmd", "compile_"),
    "preview": ("preview_cmd", "preview"),
    "plan": ("render_cmd", "plan"),
    "render": ("render_cmd", "render"),
    "status": ("render_cmd", "status"),
    "sandbox": ("sandbox_cmd", "sandbox"),
    "mcp": ("mcp_cmd", "mcp"),
    "lsp": ("lsp_cmd", "lsp"),
    "init": ("init_cmd", "init"),
    "config": ("config_cmd", "config"),
    "cut": ("cut_cmd", "cut"),
    "trace": ("trace_cmd", "trace"),
}


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
        except ModuleNotFoundError as exc:  # a command not built yet
            if exc.name == f"{__name__}.{module_name}":
                return None
            raise
        cmd = getattr(module, attr)
        assert isinstance(cmd, click.Command)
        from ._common import add_verbosity_options

        add_verbosity_options(cmd)  # `seedance check -q ...` as well as `seedance -q check`
        return cmd

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """click's, plus "did you mean" for a misspelt command (`seedance rendr`)."""
        name = args[0] if args else ""
        if args and name not in COMMANDS and not name.startswith("-"):
            import difflib

            close = difflib.get_close_matches(name, list(COMMANDS), n=1, cutoff=0.6)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint} Commands: {', '.join(sorted(COMMANDS))}.")
        return super().resolve_command(ctx, args)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Run `seedance COMMAND --help` for a command's options and exit codes.",
)
@click.version_option(__version__, prog_name="seedance")
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Only errors (and the output asked for: JSON, compile's, fmt --diff's, plan's table).",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="More detail: check a line per file, fmt the files left alone, render every "
    "request, retry and poll.",
)
@click.pass_context
def cli(ctx: click.Context, quiet: bool, verbose: int) -> None:
    """Write AI-video storyboards as .shot files; check, compile and render them.

    Only render talks to a server: $SEEDANCE_BASE_URL with $SEEDANCE_API_KEY, or a
    local sandbox with --sandbox (and status --refresh polls it; mcp renders on the
    sandbox unless started with --allow-spend or --max-credits). Every other command
    needs no network and no key.
    """
    from ._common import set_verbosity

    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose cannot be used together")
    set_verbosity(ctx, -1 if quiet else verbose)


def main(argv: list[str] | None = None) -> Any:
    """Console entry point: intended errors become a message and an exit code."""
    try:
        return cli.main(args=argv, prog_name="seedance", standalone_mode=False)
    except click.exceptions.Abort:  # Ctrl-C (click turns KeyboardInterrupt into Abort)
        from .exit_codes import EXIT_INTERRUPTED

        click.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)  # never 3: `fmt --check` says "would change" with 3
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except SeedanceDSLError as exc:
        click.echo(exc.format(), err=True)
        sys.exit(exc.exit_code)


def run() -> NoReturn:
    """The ``seedance`` console script: :func:`main`, then a fast exit.

    The interpreter's teardown (every module's objects freed one by one) takes ~0.1 s
    after a render; a command line has nothing left to free.  So once the command has
    returned and only this thread is left: the ``atexit`` handlers run, stdout and
    stderr are flushed, and the process exits with the command's code without that
    teardown.  Any other thread still running: the ordinary exit (which joins it)."""
    code: Any = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    if threading.active_count() > 1:
        sys.exit(code)
    import atexit

    atexit._run_exitfuncs()
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): printed, exit 1, as the interpreter does
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        if stream is None or stream.closed:  # closed by the command (`seedance lsp`)
            continue
        try:
            stream.flush()
        except OSError:  # a closed pipe (`seedance ... | head`): as the interpreter does
            status = status or 120
    os._exit(status)
