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
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import UsageError
from ..syntax.diagnostics import Diagnostic

__all__ = ["file_error_json", "file_usage_error"]


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
