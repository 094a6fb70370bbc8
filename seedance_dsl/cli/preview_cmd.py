"""``seedance preview``: the storyboard as a self-contained web page (docs/preview.md).

A thin shell over :func:`seedance_dsl.preview.build_preview`.  Exit codes: 0 the page
was written, 1 the page was written but the storyboard has errors (they are on it),
2 usage (a missing file, an unreadable manifest, an output folder that cannot be
written).
"""

from __future__ import annotations

import sys

import click

from .exit_codes import exit_help


@click.command(
    "preview",
    short_help="Write the storyboard as a web page (prompts, shots, costs, videos).",
    epilog=exit_help("preview"),
)
@click.argument("file", type=click.Path(path_type=str))  # checked by file_problem
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=str, file_okay=False),
    default=None,
    help="Folder of index.html and media/. Default: renders/<storyboard>/preview/ "
    "(renders/<storyboard>/sandbox/preview/ with --sandbox).",
)
@click.option(
    "--sandbox",
    is_flag=True,
    help="Show the videos of `render --sandbox` (renders/<storyboard>/sandbox/).",
)
@click.option(
    "--renders",
    "render_dir",
    type=click.Path(path_type=str, file_okay=False),
    default=None,
    help="The folder of a render made with `render --out DIR` (its manifest.json).",
)
@click.option(
    "--prices",
    type=click.Path(path_type=str, dir_okay=False),
    default=None,
    help="A JSON price table for the estimates (default: $SEEDANCE_PRICES or built-in).",
)
@click.option(
    "--open",
    "open_",
    is_flag=True,
    help="Open the page in the default web browser once written.",
)
@click.option(
    "--watch",
    is_flag=True,
    help="Serve the page on 127.0.0.1, write it again when the storyboard, its imports "
    "or the manifest change, and reload it in the browser. Stop with Ctrl-C.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="With --watch: the loopback port (0: any free port).",
)
def preview(
    file: str,
    out_dir: str | None,
    sandbox: bool,
    render_dir: str | None,
    prices: str | None,
    open_: bool,
    watch: bool,
    port: int,
) -> None:
    """Write FILE as a web page: per clip its parameters, shot timeline, exact prompt,
    references and estimated credits, and after a render its videos, task ids and
    charges; the clip graph; check's diagnostics. Opens offline, from file://."""
    from ..syntax.source import file_problem
    from ._common import file_usage_error, verbosity

    problem = file_problem(file)
    if problem is not None:
        raise file_usage_error(problem)
    from ..preview import build_preview

    if watch:
        _watch(file, port, open_, out_dir=out_dir, sandbox=sandbox, render_dir=render_dir,
               prices=prices)  # fmt: skip
        sys.exit(0)
    result = build_preview(
        file, out_dir=out_dir, sandbox=sandbox, render_dir=render_dir, prices=prices
    )
    if verbosity() >= 0:
        rendered = f", {result.rendered} with video" if result.rendered else ", none rendered yet"
        errors = f"; {result.errors} error(s) in the storyboard" if result.errors else ""
        click.echo(f"{result.clips} clip(s){rendered}{errors}", err=True)
    click.echo(str(result.page))
    if open_:
        import webbrowser

        if not webbrowser.open(result.page.resolve().as_uri()):
            click.echo(f"no web browser to open; open {result.page} yourself", err=True)
    sys.exit(1 if result.errors else 0)


def _watch(file: str, port: int, open_: bool, **build: object) -> None:
    from ..errors import SeedanceDSLError
    from ..preview.build import PreviewResult
    from ..preview.watch import watch

    def ready(url: str, result: PreviewResult) -> None:
        click.echo(f"serving {result.page} on {url} (Ctrl-C to stop)", err=True)
        click.echo(url)
        if open_:
            import webbrowser

            webbrowser.open(url)

    def rebuilt(outcome: PreviewResult | SeedanceDSLError) -> None:
        if isinstance(outcome, SeedanceDSLError):
            click.echo(f"error: {outcome.message} (the last page is kept)", err=True)
        else:
            click.echo(f"rewritten: {outcome.clips} clip(s), {outcome.errors} error(s)", err=True)

    watch(file, port=port, on_ready=ready, on_rebuild=rebuilt, **build)  # type: ignore[arg-type]
