"""``seedance init [DIR]``: a starter storyboard project (:mod:`seedance_dsl.scaffold`).

Exit codes: 0 created, 2 usage (a file exists already: nothing written; DIR is a file).
"""

from __future__ import annotations

import click

from .exit_codes import exit_help


@click.command(
    "init",
    short_help="Start a project: a storyboard, a library, .gitignore and a README.",
    epilog=exit_help("init"),
)
@click.argument("directory", default=".", metavar="[DIR]")
def init(directory: str) -> None:
    """Create a starter project in DIR (default: here): film.shot, lib/look.shot, a
    README.md and .gitignore entries for .seedance/ and renders/. It checks clean and
    renders on the sandbox as it is. Never replaces a file."""
    from ..scaffold import init_project
    from ._common import verbosity

    result = init_project(directory)
    if verbosity() < 0:  # -q: the files are there; errors still raise
        return
    for name in result.created:
        click.echo(f"created {result.directory / name}")
    if result.gitignore != "unchanged":
        click.echo(f"{result.gitignore} {result.directory / '.gitignore'}")
    film = result.directory / "film.shot"
    click.echo("")
    click.echo(f"next: seedance check {film} && seedance render {film} --sandbox")
