"""Every command's exit codes, in one table: ``--help`` prints them from here, the README
lists them, and a test compares the two.

A storyboard with errors exits ``1`` in every command that reads one (``check``,
``compile``, ``fmt``, ``plan``, ``render``, ``status``); ``2`` is always a usage,
configuration or environment problem (a missing file, a bad option, no API key, an
unusable state directory).
"""

from __future__ import annotations

__all__ = ["EXIT_CODES", "exit_help"]

#: command -> exit code -> what it means
EXIT_CODES: dict[str, dict[int, str]] = {
    "check": {0: "no errors (warnings allowed)", 1: "errors in a storyboard", 2: "usage"},
    "compile": {0: "compiled (warnings allowed)", 1: "errors in the storyboard", 2: "usage"},
    "fmt": {
        0: "formatted (or already canonical)",
        1: "a file has errors (left untouched)",
        2: "usage",
        3: "--check: a file would change",
    },
    "plan": {
        0: "planned",
        1: "errors in the storyboard (or a clip whose request breaks an API rule)",
        2: "usage, configuration or state errors",
    },
    "render": {
        0: "every clip rendered (or reused)",
        1: "errors in the storyboard (nothing submitted), or some clips failed or are stuck",
        2: "usage, configuration or state errors (nothing submitted)",
        3: "interrupted (state saved: run it again to resume)",
        4: "--max-credits reached or the server reported insufficient credits",
    },
    "status": {
        0: "reported",
        1: "errors in the storyboard",
        2: "usage, configuration or state errors",
    },
}


def exit_help(command: str) -> str:
    """The ``Exit codes: ...`` line of ``seedance COMMAND --help``."""
    codes = EXIT_CODES[command]
    return "Exit codes: " + "; ".join(f"{n} {what}" for n, what in sorted(codes.items())) + "."
