"""The root of every error seedance-dsl raises on purpose.

Like click's exceptions, each error owns its exit code and a message written for the
user: what went wrong, where, and (``help``) how to fix it.  The CLI prints
``format()`` and exits with ``exit_code``; it never shows a traceback for these.
Subtrees: :class:`UsageError` here, ``DiagnosticsError`` (source problems, with
diagnostics), and the API client's ``SeedanceError`` tree.
"""

from __future__ import annotations

from typing import ClassVar


class SeedanceDSLError(Exception):
    """Root of all intended errors.  ``exit_code`` is what the CLI exits with."""

    exit_code: ClassVar[int] = 1
    kind: ClassVar[str] = "error"

    def __init__(self, message: str, *, help: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.help = help

    def format(self) -> str:
        text = f"error: {self.message}"
        if self.help:
            text += f"\n  help: {self.help}"
        return text

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "message": self.message, "help": self.help}


class UsageError(SeedanceDSLError):
    """The command line itself is wrong (a missing file, a bad option value)."""

    exit_code = 2
    kind = "usage"
