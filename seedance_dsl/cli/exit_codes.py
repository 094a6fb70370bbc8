"""Every exit code of every ``seedance`` command, in one table.

A storyboard with errors exits ``1`` in every command that reads one; ``2`` is always a
usage, configuration or environment problem (a missing file, a bad option, no API key,
an unusable state directory).  This is the single source of truth: each command's ``--help`` prints its row through
:func:`exit_help`, README's exit-code table is compared with it by
``tests/test_docs_match.py``, and the same test runs each command into each of its
codes.  Change a command's behaviour and this table together.  Imports nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

#: command -> exit code -> what it means.  A meaning is one phrase (no ``;``).
EXIT_CODES: Mapping[str, Mapping[int, str]] = {
    "check": {
        0: "no errors (warnings allowed)",
        1: "a file has errors (or cannot be read)",
        2: "usage (no file given, or a bad option)",
    },
    "fmt": {
        0: "every file formatted or already canonical",
        1: "a file has errors (left untouched) or cannot be read or written",
        2: "usage (no file given, or a bad option)",
        3: "with --check or --diff, a file would change",
    },
    "explain": {
        0: "explained (or listed)",
        2: "usage (no code, or an unknown code)",
    },
    "compile": {
        0: "compiled (warnings allowed)",
        1: "the storyboard (or a clip chosen with --clip) has errors",
        2: "usage (a missing file or template, an unknown clip)",
    },
    "preview": {
        0: "the page was written (with --watch: stopped with Ctrl-C)",
        1: "the page was written, and the storyboard has errors (shown on it)",
        2: "usage (a missing file, an unreadable manifest, a folder that cannot be written)",
    },
    "plan": {
        0: "planned",
        1: "the storyboard has errors, or a clip's request breaks an API rule",
        2: "usage, configuration or state errors",
        3: "interrupted",
    },
    "render": {
        0: "every clip rendered (or reused)",
        1: "the storyboard has errors (nothing was submitted), or some clips failed or are stuck",
        2: "usage, configuration or state errors (nothing was submitted)",
        3: "interrupted, the server stopped answering, or a write failed (state saved: run the same command again to resume)",
        4: "the --max-credits budget or the account's credits ran out",
    },
    "status": {
        0: "reported",
        1: "the storyboard has errors",
        2: "usage, configuration or state errors",
        3: "interrupted",
    },
    "sandbox": {
        0: "stopped with Ctrl-C",
        2: "usage (a bad option, or the port is taken)",
    },
    "mcp": {
        0: "the client closed the connection",
        2: "usage (a bad option, or --root is not a directory)",
    },
    "lsp": {
        0: "the editor asked the server to exit (or closed its input)",
        2: "usage (a bad option)",
    },
    "init": {
        0: "the project was created",
        2: "usage (a file it would create exists, so nothing was written, or DIR is a file)",
    },
    "cut": {
        0: "the cut (and timeline) was written",
        1: "the storyboard has errors, a clip is not rendered yet, or a video cannot be read or written",
        2: "usage (a missing file, a bad option, a manifest.json that is not one or too large, an --out that is a clip's video or a file that is not a cut)",
    },
    "trace": {
        0: "traced",
        1: "the file carries no seedance provenance (not a cut, and no manifest beside it lists it)",
        2: "usage (the file does not exist, or a bad option)",
    },
    "config": {
        0: "shown",
        2: "the configuration is broken (a bad config file, an unknown profile, a bad base URL)",
    },
}


#: Ctrl-C in a command that keeps no state (128 + SIGINT, the shell's convention); `plan`,
#: `render` and `status` exit 3 instead (their row says so), `sandbox serve` stops with 0
EXIT_INTERRUPTED = 130


def exit_help(command: str) -> str:
    """The exit-code paragraph of ``command``'s ``--help``:
    ``Exit codes: 0 meaning; 1 meaning.``"""
    codes = EXIT_CODES[command]
    return "Exit codes: " + "; ".join(f"{n} {codes[n]}" for n in sorted(codes)) + "."


def markdown_table() -> str:
    """README's exit-code table (``python -m seedance_dsl.cli.exit_codes`` prints it)."""
    lines = ["| command | code | meaning |", "|---|---|---|"]
    for command, codes in EXIT_CODES.items():
        for n in sorted(codes):
            lines.append(f"| `{command}` | `{n}` | {codes[n]} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
