"""``seedance check FILE...``: parse and resolve storyboards, print diagnostics.

Exit codes: 0 clean (warnings allowed), 1 errors in any file, 2 usage.
Imports only click, lark and the language modules (start-up time: docs/benchmarks.md).
"""

from __future__ import annotations

import gc
import sys

import click

from ..check import CheckResult, check_file
from ..syntax import report
from .exit_codes import exit_help


def run_check(files: tuple[str, ...] | list[str]) -> list[CheckResult]:
    """The check pipeline of the CLI, one result per file (a function, for reuse)."""
    # check_file runs everything `compile` would report: the resolver, the API and prose
    # rules (SHOT3xx/4xx) and, when a storyboard names a template, the template (SHOT5xx;
    # only then is jinja2 loaded).
    return [check_file(f) for f in files]


def emit(
    results: list[CheckResult],
    files: tuple[str, ...] | list[str],
    fmt: str,
    level: int = 0,
) -> bool:
    """Print the results in ``fmt``; True when no file has errors.

    ``level`` (``seedance -q/-v``): -1 shows only the errors and no summary line, 1 adds
    a line per file; json and sarif are the same at every level.
    """
    diags = [d for r in results for d in r.diagnostics]
    sources: dict[str, str] = {}
    for r in results:
        sources.update(r.sources)
    ok = not any(d.is_error for d in diags)
    if fmt == "json":
        listing = [
            (f, not any(d.is_error for d in r.diagnostics))
            for f, r in zip(files, results, strict=True)
        ]
        origins = [f for f, r in zip(files, results, strict=True) for _ in r.diagnostics]
        extra = None
        unreadable = next(
            (
                (f, r.diagnostics[0])
                for f, r in zip(files, results, strict=True)
                if not r.sources and r.diagnostics
            ),
            None,
        )
        if unreadable is not None and unreadable[1].is_error:  # the shape every command gives it
            from ._common import file_error_json

            extra = {"error": file_error_json("check", *unreadable)["error"]}
        click.echo(report.render_json(diags, listing, origins=origins, extra=extra))
    elif fmt == "sarif":
        from ..check.sarif import render_sarif

        origins = [f for f, r in zip(files, results, strict=True) for _ in r.diagnostics]
        click.echo(render_sarif(diags, origins))
    elif fmt == "concise":
        shown = [d for d in diags if d.is_error] if level < 0 else diags
        if shown:
            click.echo(report.render_concise(shown))
    elif level < 0:
        errors = [d for d in diags if d.is_error]
        if errors:
            click.echo(report.render_human(errors, sources, color=report.use_color(sys.stdout)))
    else:
        color = report.use_color(sys.stdout)
        if level > 0:
            for f, r in zip(files, results, strict=True):
                click.echo(f"{f}: {_file_line(r)}")
            click.echo()
        if diags:
            click.echo(report.render_human(diags, sources, color=color))
            click.echo()
        word = "error" if not ok else "ok"
        style = "error" if not ok else "help"
        label = report._Paint(color)(style, word)
        click.echo(f"{label}: {report.summary(diags, len(files))}")
    return ok


def _file_line(r: CheckResult) -> str:
    """``ok, 3 clips`` / ``1 error, 2 warnings, 3 clips``: one file at ``-v``."""
    c = report.counts(r.diagnostics)
    parts = [f"{c[k]} {k}{'' if c[k] == 1 else 's'}" for k in ("error", "warning", "note") if c[k]]
    if r.storyboard is not None:
        n = len(r.storyboard.clips)
        parts.append(f"{n} clip{'' if n == 1 else 's'}")
    elif not parts:
        parts.append("not read")
    if not r.diagnostics:
        parts.insert(0, "ok")
    return ", ".join(parts)


@click.command(
    "check",
    short_help="Check .shot files: syntax, names, values and every API rule.",
    epilog=exit_help("check"),
)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["human", "concise", "json", "sarif"]),
    default="human",
    show_default=True,
    help="human: source snippets with carets; concise: one line each; json: machine-readable; "
    "sarif: SARIF 2.1.0 for code scanning (docs/ci.md).",
)
@click.option(
    "--online",
    is_flag=True,
    help="Also probe every remote asset URL (reachable, type, size, Range for videos); "
    "each problem at the asset's line (docs/assets.md).",
)
def check(files: tuple[str, ...], fmt: str, online: bool) -> None:
    """Check .shot FILEs: syntax, names, imports, setting values and every API rule."""
    from ._common import verbosity

    # The policy of `compile`: a short-lived process that builds many acyclic objects;
    # the cyclic GC would only re-walk them after each stage (~20 % of a 5,000-clip
    # check; docs/benchmarks.md).
    gc.disable()
    results = run_check(files)
    if online:
        from .online_check import with_online

        results = [with_online(r) for r in results]
    ok = emit(results, files, fmt, verbosity())
    sys.exit(0 if ok else 1)
