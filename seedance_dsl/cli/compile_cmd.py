"""``seedance compile``: prompt and request previews of every clip, with no network.

A thin shell over :func:`seedance_dsl.compiler.compile_file` and the views of
:mod:`seedance_dsl.compiler.output`.  Exit codes: 0 compiled (warnings allowed), 1 the
storyboard (or, with ``--clip``, one of the chosen clips) has errors, 2 usage (missing
file, unknown clip).  ``--format json`` prints
valid JSON on stdout in every case.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Sequence

import click

from ..errors import UsageError
from ..syntax.diagnostics import Diagnostic
from .exit_codes import exit_help


def _render_diagnostics(diags: Sequence[Diagnostic], sources: dict[str, str]) -> str:
    from ..syntax import report

    return report.render_human(list(diags), sources, color=report.use_color(sys.stderr))


def _usage(message: str, fmt: str, file: str | None, help: str | None = None) -> None:
    if fmt == "json":
        from ..compiler.output import error_json

        click.echo(json.dumps(error_json(message, file=file), indent=2, ensure_ascii=False))
        sys.exit(2)
    raise UsageError(message, help=help)


def _file_error(problem: Diagnostic, fmt: str, file: str) -> None:
    """A file named on the command line cannot be read: exit 2, in the shared shape."""
    from ._common import file_error_json, file_usage_error

    if fmt == "json":
        from ..compiler.output import JSON_SCHEMA, JSON_VERSION

        extra = {"schema": JSON_SCHEMA, "schema_version": JSON_VERSION, "clips": []}
        out = file_error_json("compile", file, problem, extra)
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        sys.exit(2)
    raise file_usage_error(problem)


class _Stdout:
    """Pieces of the output gathered into writes of ~64 KiB to stdout (through
    ``click.echo``, as before): a big storyboard's output is never held whole, and the
    pieces (one per clip) do not each cost a write and a flush."""

    LIMIT = 1 << 16

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._size = 0

    def write(self, text: str) -> None:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= self.LIMIT:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            click.echo("".join(self._parts), nl=False)
            self._parts.clear()
            self._size = 0


@click.command(
    "compile",
    short_help="Show each clip's prompt and exact API request (no network).",
    epilog=exit_help("compile"),
)
@click.argument("file", type=click.Path(path_type=str))  # checked by file_problem
@click.option(
    "--clip",
    "clip_names",
    multiple=True,
    metavar="NAME",
    help="Only this clip (repeatable). Default: every clip.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "curl"]),
    default="text",
    show_default=True,
    help="text: prompts and parameters; json: exact request bodies and keys; "
    "curl: ready-to-run commands.",
)
@click.option(
    "--template",
    type=click.Path(path_type=str),
    default=None,
    help="A jinja2 prompt template (overrides the storyboard's `template`).",
)
def compile_(file: str, clip_names: tuple[str, ...], fmt: str, template: str | None) -> None:
    """Compile FILE: each clip's prompt text and API request, checked against every
    rule of the API. Needs no key and no network."""
    from ..syntax.source import file_problem

    problem = file_problem(file)
    if problem is not None:
        _file_error(problem, fmt, file)
    if template is not None:
        problem = file_problem(template, limit_name="template_file_bytes", what="a template")
        if problem is not None:
            _file_error(problem, fmt, template)

    from ..compiler import compile_file
    from ..compiler.output import iter_curl, iter_text, write_json

    # A short-lived process that builds many small objects and frees little: the cyclic
    # GC would only re-scan them (~25% of a 2,000-clip compile; docs/benchmarks.md).
    gc.disable()
    compiled = compile_file(file, template=template)
    clips = list(compiled.clips)
    if clip_names:
        known = {c.name for c in compiled.clips}
        missing = [n for n in clip_names if n not in known]
        if missing and compiled.clips:
            _usage(
                f"no clip named {', '.join(missing)} in {file}",
                fmt,
                file,
                help=f"clips: {', '.join(c.name for c in compiled.clips)}",
            )
        clips = [c for c in compiled.clips if c.name in clip_names]
    # with --clip, the problems of other clips are not shown and do not fail the command
    diags = compiled.diagnostics_for(clip_names) if clip_names else compiled.diagnostics
    ok = not any(d.is_error for d in diags)

    out = _Stdout()
    if fmt == "json":  # clip by clip: the document is never held whole (issue 12)
        write_json(out, compiled, clips, diagnostics=diags)
        out.write("\n")
        out.flush()
    else:
        from ._common import verbosity

        if verbosity() < 0:  # -q: the errors, not the warnings (the output is what was asked)
            diags = tuple(d for d in diags if d.is_error)
        if diags:
            click.echo(_render_diagnostics(diags, dict(compiled.sources)), err=True)
        if clips:
            view = iter_text if fmt == "text" else iter_curl
            for piece in view(compiled, clips):
                out.write(piece)
            out.write("\n")
            out.flush()
    sys.exit(0 if ok else 1)
