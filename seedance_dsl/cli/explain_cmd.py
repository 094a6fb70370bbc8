"""``seedance explain CODE``: the long explanation of a diagnostic code."""

from __future__ import annotations

import click

from ..errors import UsageError
from ..syntax.codes import all_codes, lookup
from .exit_codes import exit_help


def explain_text(code: str) -> str:
    """The text ``seedance explain`` prints for ``code``; UsageError when unknown."""
    info = lookup(code)
    if info is None:
        import difflib

        known = [c.code for c in all_codes()]
        close = difflib.get_close_matches(code.strip().upper(), known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}? " if close else ""
        raise UsageError(
            f"unknown diagnostic code `{code}`",
            help=f"{hint}`seedance explain --list` lists every code",
        )
    return f"{info.code}: {info.title}\n\n{info.explanation}"


@click.command(
    "explain",
    short_help="Explain a diagnostic code (for example SHOT101) in detail.",
    epilog=exit_help("explain"),
)
@click.argument("code", required=False)
@click.option("--list", "list_", is_flag=True, help="List every code with its title.")
def explain(code: str | None, list_: bool) -> None:
    """Explain a diagnostic CODE (e.g. SHOT101) in detail."""
    if list_ or code is None:
        if code is None and not list_:
            raise UsageError("name a code, e.g. `seedance explain SHOT101`", help="or use --list")
        for info in all_codes():
            click.echo(f"{info.code}  {info.title}")
        return
    click.echo(explain_text(code))
