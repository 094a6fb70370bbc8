"""``seedance lsp``: the language server for editors (LSP over stdio).

A thin shell over :func:`seedance_dsl.lsp.server.main`.  stdout carries the protocol;
the server's log goes to the editor (``window/logMessage``) and stderr.  docs/editors.md.
"""

from __future__ import annotations

import click

from .exit_codes import exit_help


@click.command(
    "lsp",
    short_help="The language server for editors (LSP over stdio).",
    epilog=exit_help("lsp"),
)
@click.option(
    "--stdio",
    is_flag=True,
    help="Talk over stdin/stdout (the default and only transport; accepted for editors "
    "that pass it).",
)
def lsp(stdio: bool) -> None:
    """Serve diagnostics, hovers, completion, navigation, rename and formatting of .shot
    files to an editor over stdio (docs/editors.md)."""
    del stdio
    from ..lsp.server import main

    main()
