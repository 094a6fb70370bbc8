"""``seedance fmt FILE... [--check] [--diff]``: rewrite files in the canonical layout.

Exit codes: 0 all files formatted (or already canonical), 1 a file has errors (it is
left untouched) or cannot be read/written, 2 usage, 3 with ``--check``/``--diff``: a
file would change.  Files are replaced atomically (temp file + ``os.replace``).
"""

from __future__ import annotations

import contextlib
import difflib
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import click

from ..syntax import report
from ..syntax.diagnostics import Diagnostic
from ..syntax.format import format_text
from ..syntax.source import decode, read_bytes
from .exit_codes import exit_help


@dataclass
class FmtResult:
    path: str
    original: str | None = None
    formatted: str | None = None  # None when the file has errors
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.formatted is not None and self.formatted != self.original


def format_file(path: str) -> FmtResult:
    """Read and format one file (nothing is written)."""
    data, diags = read_bytes(path)
    if data is None:
        return FmtResult(path, diagnostics=diags)
    text, diags = decode(data, path)
    if text is None:
        return FmtResult(path, diagnostics=diags)
    formatted, diags = format_text(text, path)
    return FmtResult(path, text, formatted, diags)


def write_atomic(path: str, text: str) -> None:
    """Replace ``path`` with ``text`` atomically: the file is either the old or the new
    content, never half-written.  Keeps the file's permission bits."""
    target = Path(path)
    mode = target.stat().st_mode & 0o7777 if target.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _emit_json(
    listing: list[tuple[str, bool]],
    diags: list[Diagnostic],
    origins: list[str | None],
    changed: list[str],
    diffs: dict[str, str],
    file_error: Diagnostic | None,
    dry: bool,
) -> None:
    import json

    extra: dict[str, object] = {
        "would_change" if dry else "formatted": changed,
        "diffs": diffs,
    }
    if file_error is not None:  # the shape every command gives an unreadable file
        from ._common import file_error_json

        file = next((o for d, o in zip(diags, origins, strict=True) if d is file_error), "")
        extra["error"] = file_error_json("fmt", file or "", file_error)["error"]
    env = report.to_json(diags, listing, tool="fmt", extra=extra, origins=origins)
    click.echo(json.dumps(env, indent=2, ensure_ascii=False))


@click.command(
    "fmt",
    short_help="Format .shot files in the one canonical layout (comments kept).",
    epilog=exit_help("fmt"),
)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "--check", "check_only", is_flag=True, help="Write nothing; exit 3 if a file would change."
)
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print what would change.")
@click.option(
    "--format",
    "out_format",
    type=click.Choice(["human", "json"]),
    default="human",
    show_default=True,
    help="json: one envelope on stdout (files, diagnostics, what changed, diffs).",
)
def fmt(files: tuple[str, ...], check_only: bool, show_diff: bool, out_format: str) -> None:
    """Format .shot FILEs in the one canonical layout (comments are kept)."""
    from ._common import verbosity

    level = verbosity()  # -q: no "formatted" lines, no count; -v: also the unchanged files
    color = report.use_color(sys.stderr)
    as_json = out_format == "json"
    failed = False
    would_change: list[str] = []
    listing: list[tuple[str, bool]] = []
    all_diags: list[Diagnostic] = []
    origins: list[str | None] = []
    diffs: dict[str, str] = {}
    file_error: Diagnostic | None = None
    for path in files:
        res = format_file(path)
        listing.append((path, res.formatted is not None))
        if res.formatted is None:
            failed = True
            errors = [d for d in res.diagnostics if d.is_error] or res.diagnostics
            all_diags += errors
            origins += [path] * len(errors)
            if res.original is None and file_error is None and errors:
                file_error = errors[0]
            if as_json:
                continue
            sources = {path: res.original} if res.original is not None else {}
            click.echo(report.render_human(errors, sources, color=color), err=True)
            click.echo(f"error: {path} has errors and was not formatted", err=True)
            continue
        if not res.changed:
            if level > 0 and not as_json:
                click.echo(f"unchanged {path}", err=True)
            continue
        would_change.append(path)
        if show_diff:
            assert res.original is not None
            diff = difflib.unified_diff(
                res.original.splitlines(keepends=True),
                res.formatted.splitlines(keepends=True),
                fromfile=f"{path} (original)",
                tofile=f"{path} (formatted)",
            )
            if as_json:
                diffs[path] = "".join(diff)
            else:
                click.echo("".join(diff), nl=False)
        elif check_only:
            click.echo(f"would reformat {path}", err=True)
        else:
            try:
                write_atomic(path, res.formatted)
            except OSError as exc:
                failed = True
                click.echo(f"error: cannot write {path}: {exc.strerror or exc}", err=True)
                continue
            if not as_json and level >= 0:
                click.echo(f"formatted {path}", err=True)
    if as_json:
        _emit_json(
            listing, all_diags, origins, would_change, diffs, file_error, check_only or show_diff
        )
    if failed:
        sys.exit(1)
    if (check_only or show_diff) and would_change:
        n = len(would_change)
        if level >= 0:
            click.echo(f"{n} file{'s' if n != 1 else ''} would be reformatted", err=True)
        sys.exit(3)
    sys.exit(0)
