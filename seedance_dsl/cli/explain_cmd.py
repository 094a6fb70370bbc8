"""``seedance explain CODE``: the long explanation of a diagnostic code."""

from __future__ import annotations

import re
import sys

import click

from ..errors import UsageError
from ..syntax.codes import all_codes, lookup
from .exit_codes import exit_help

_CODE = re.compile(r"SHOT(\d+)")


def _normalise(code: str) -> str:
    """``shot-101``, `` SHOT 101 ``, ``101`` → ``SHOT101`` (other text unchanged)."""
    text = re.sub(r"[\s_\-`]", "", code).upper()
    if text.isdigit():
        text = f"SHOT{text}"
    return text


def _unknown(code: str, wanted: str) -> UsageError:
    codes = [c.code for c in all_codes()]
    families = sorted({c[:5] for c in codes})
    ranges = ", ".join(f"{f}xx" for f in families)
    m = _CODE.fullmatch(wanted)
    if m is not None and len(m.group(1)) == 3:
        # a well-formed code that does not exist: a near number means nothing
        return UsageError(
            f"diagnostic code {wanted} does not exist",
            help=f"the codes are in the families {ranges}; `seedance explain --list` lists "
            "every code",
        )
    import difflib

    close = difflib.get_close_matches(wanted, codes, n=1, cutoff=0.8) if m is None else []
    hint = f"did you mean {close[0]}? " if close else ""
    return UsageError(
        f"`{code}` is not a diagnostic code",
        help=f"{hint}a code is SHOT and three digits, e.g. SHOT101 ({ranges}); "
        "`seedance explain --list` lists every code",
    )


def wrap(text: str, width: int) -> str:
    """Re-flow ``text`` to ``width`` columns: runs of ordinary lines of a paragraph are
    joined and wrapped (a ``- `` item keeps a hanging indent); indented lines (code,
    examples) and blank lines are kept exactly."""
    import textwrap

    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if not run:
            return
        joined = " ".join(part.strip() for part in run)
        bullet = joined.startswith(("- ", "* "))
        out.extend(
            textwrap.wrap(
                joined,
                width=width,
                subsequent_indent="  " if bullet else "",
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [""]
        )
        run.clear()

    for line in text.split("\n"):
        if not line.strip():
            flush()
            out.append("")
        elif line[:1].isspace():
            if (
                run
                and run[0].startswith(("- ", "* "))
                and line.startswith("  ")
                and not line.startswith("    ")
            ):
                run.append(line)  # the continuation of a list item
                continue
            flush()
            out.append(line.rstrip())
        else:
            if line.startswith(("- ", "* ")):
                flush()
            run.append(line)
    flush()
    return "\n".join(out)


def _width() -> int:
    if sys.stdout.isatty():
        import shutil

        return max(40, min(shutil.get_terminal_size((80, 24)).columns, 100))
    return 80


def explain_text(code: str, width: int | None = None) -> str:
    """The text ``seedance explain`` prints for ``code``, wrapped to ``width`` columns
    (default: the terminal's, at most 100; 80 when not a terminal); UsageError when
    unknown."""
    wanted = _normalise(code)
    info = lookup(wanted)
    if info is None:
        raise _unknown(code, wanted)
    body = wrap(info.explanation, width or _width())
    return f"{info.code}: {info.title}\n\n{body}"


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
