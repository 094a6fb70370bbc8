"""What the commands share: the one shape of "this file cannot be read".

A file named on the command line that is missing, a directory, a FIFO or device, or
over the size cap is one :class:`~seedance_dsl.syntax.diagnostics.Diagnostic`
(SHOT001/005/009/010, from :func:`seedance_dsl.syntax.source.file_problem`).  In
``--format json`` every command prints it in the same envelope
(:func:`file_error_json`): the ``seedance check`` envelope (``format_version``,
``tool``, ``valid: false``, ``counts``, ``files: [{path, valid: false}]``,
``diagnostics: [the diagnostic, with its "file"]``) plus ``error: {kind: "file", code,
message, help, file}``; a command may add keys of its own (``compile``: ``schema``,
``clips: []``).  Without json it is :func:`file_usage_error`'s message and help.
Imports nothing heavy (the language commands' start-up path).

The verbosity of ``seedance -q/-v COMMAND`` (:func:`verbosity`) lives here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from ..errors import UsageError
from ..syntax.diagnostics import Diagnostic

__all__ = [
    "QUIET",
    "VERBOSE",
    "add_verbosity_options",
    "file_error_json",
    "file_usage_error",
    "set_verbosity",
    "verbosity",
]

#: ``seedance -q``: only errors and the output asked for
QUIET = -1
#: ``seedance -v`` (``-vv`` counts 2; nothing says more at 2 yet)
VERBOSE = 1
_KEY = "seedance.verbosity"


def set_verbosity(ctx: click.Context, level: int) -> None:
    """Store the level on the context (``ctx.meta`` is shared with every sub-command)."""
    ctx.meta[_KEY] = level


def _combine(ctx: click.Context, level: int) -> None:
    old = int(ctx.meta.get(_KEY, 0))
    if old < 0 < level or level < 0 < old:
        raise click.UsageError("--quiet and --verbose cannot be used together", ctx=ctx)
    ctx.meta[_KEY] = min(old, level) if level < 0 else max(old, level)


def _on_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        _combine(ctx, QUIET)


def _on_verbose(ctx: click.Context, _param: click.Parameter, value: int) -> None:
    if value:
        _combine(ctx, value)


def add_verbosity_options(cmd: click.Command) -> None:
    """Let ``seedance COMMAND -q ...`` mean ``seedance -q COMMAND ...`` (once per command;
    a group's sub-commands, such as ``sandbox serve`` with its own ``--quiet``, are left
    alone)."""
    if isinstance(cmd, click.Group) or getattr(cmd, "_seedance_verbosity", False):
        return
    cmd.params += [
        click.Option(
            ["-q", "--quiet"],
            is_flag=True,
            expose_value=False,
            callback=_on_quiet,
            help="Only errors and the output asked for (as `seedance -q`).",
        ),
        click.Option(
            ["-v", "--verbose"],
            count=True,
            expose_value=False,
            callback=_on_verbose,
            help="More detail (as `seedance -v`).",
        ),
    ]
    cmd._seedance_verbosity = True  # type: ignore[attr-defined]


def verbosity() -> int:
    """The level of the command running now: -1 quiet, 0 normal, 1+ verbose (0 when a
    command is invoked without the ``seedance`` group, as tests may)."""
    ctx = click.get_current_context(silent=True)
    return int(ctx.meta.get(_KEY, 0)) if ctx is not None else 0


def file_error_json(
    tool: str, file: str, diagnostic: Diagnostic, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON envelope of a command stopped by a file it cannot read (see above)."""
    from ..syntax.report import to_json

    error = {
        "kind": "file",
        "code": diagnostic.code,
        "message": diagnostic.message,
        "help": diagnostic.help,
        "file": file,
    }
    return to_json(
        [diagnostic],
        [(file, False)],
        tool=tool,
        origins=[file],
        extra={"error": error, **(extra or {})},
    )


def file_usage_error(diagnostic: Diagnostic) -> UsageError:
    """The same problem as a usage error (exit 2) for the human formats."""
    return UsageError(f"{diagnostic.message} [{diagnostic.code}]", help=diagnostic.help)
