"""The root of every error seedance-dsl raises on purpose.

Like click's exceptions, each error owns its exit code and a message written for the
user: what went wrong, where, and (``help``) how to fix it.  The CLI prints
``format()`` (or ``to_json()``) and exits with ``exit_code``; it never shows a
traceback for these.

Two readers, two kinds of help: ``help`` is written for whoever called the function
(a Python caller reads ``exc.help``), while ``cli_help``, when an error sets it, is what
``format()`` and ``to_json()`` show instead: a hint in terms of commands and flags
(``run `seedance check film.shot```) that would mislead a Python caller.

Subtrees: :class:`UsageError` here, ``seedance_dsl.render.commands.CompileFailed`` (a
storyboard with errors, carrying its diagnostics), ``seedance_dsl.compiler.model.
MissingClipOutput`` and the API client's ``SeedanceError`` tree.
"""

from __future__ import annotations

from typing import ClassVar


class SeedanceDSLError(Exception):
    """Root of all intended errors.  ``exit_code`` is what the CLI exits with."""

    exit_code: ClassVar[int] = 1
    kind: ClassVar[str] = "error"

    def __init__(
        self, message: str, *, help: str | None = None, cli_help: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        #: how to fix it, for the caller of the function that raised it
        self.help = help
        #: how to fix it on the command line, when that differs (``format``, ``to_json``)
        self.cli_help = cli_help

    def format(self) -> str:
        """The text the CLI prints: ``error: message`` and its (command-line) help."""
        text = f"error: {self.message}"
        hint = self.cli_help or self.help
        if hint:
            text += f"\n  help: {hint}"
        return text

    def to_json(self) -> dict[str, object]:
        """The object the CLI prints with ``--format json``."""
        return {"kind": self.kind, "message": self.message, "help": self.cli_help or self.help}


class UsageError(SeedanceDSLError):
    """The command line itself is wrong (a missing file, a bad option value)."""

    exit_code = 2
    kind = "usage"
