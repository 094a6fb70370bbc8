"""Rendering diagnostics: human (rustc/Elm style), concise (one line each) and JSON.

No terminal library: colour is plain ANSI, used only when asked for (the CLI asks only
when writing to a TTY and ``NO_COLOR`` is not set; see :func:`use_color`).

Human form::

    error[SHOT105]: unknown field `camra` — did you mean `camera`?
      --> film.shot:7:12
       |
     7 |   shot 3s { camra "slow dolly-in" }
       |             ^^^^^
       = help: a shot has the fields subject, action, ...

Concise form: ``film.shot:7:12: error[SHOT105]: unknown field `camra` ...``.

JSON form: a versioned envelope (:data:`JSON_FORMAT_VERSION`) with ``valid``,
``counts`` and ``diagnostics[]`` (each with its span); see :func:`to_json`.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from .diagnostics import Diagnostic, Label
from .nodes import Span

#: Bump when the JSON layout changes incompatibly.
JSON_FORMAT_VERSION = 1

_RESET = "\x1b[0m"
_STYLES = {
    "error": "\x1b[1;31m",
    "warning": "\x1b[1;33m",
    "note": "\x1b[1;36m",
    "help": "\x1b[1;32m",
    "gutter": "\x1b[1;34m",
    "bold": "\x1b[1m",
    "secondary": "\x1b[1;34m",
}


def use_color(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Paint:
    def __init__(self, on: bool) -> None:
        self.on = on

    def __call__(self, style: str, text: str) -> str:
        if not self.on or not text:
            return text
        return f"{_STYLES[style]}{text}{_RESET}"


def _width(ch: str) -> int:
    if ch == "\t":
        return 4
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _display(line: str) -> str:
    return line.replace("\t", "    ")


def _cols(line: str, start: int, end: int) -> tuple[int, int]:
    """Display offsets (0-based) of 1-based character columns [start, end)."""
    a = sum(_width(c) for c in line[: max(start - 1, 0)])
    b = a + sum(_width(c) for c in line[max(start - 1, 0) : max(end - 1, start - 1)])
    return a, max(b, a + 1)


#: The lines of the source rendered last: diagnostics come in runs over one file, and
#: splitting the whole file for each one would make rendering n diagnostics O(n x size).
_last_split: tuple[str, list[str]] | None = None
#: A source line longer than this is shown as a window around the span ("…" at the cut).
MAX_SHOWN = 240
_BEFORE = 80  # characters shown before the span in a window


def _source_lines(sources: Mapping[str, str], file: str) -> list[str] | None:
    global _last_split
    text = sources.get(file)
    if text is None:
        return None
    last = _last_split
    if last is not None and last[0] is text:
        return last[1]
    lines = text.split("\n")
    _last_split = (text, lines)
    return lines


def _window(line: str, column: int) -> tuple[str, int]:
    """``line`` cut to at most about MAX_SHOWN characters around 1-based ``column``, and
    how many columns the cut moved it left (a long line is never scanned whole)."""
    if len(line) <= MAX_SHOWN:
        return line, 0
    start = max(0, min(column - 1 - _BEFORE, len(line) - MAX_SHOWN))
    end = start + MAX_SHOWN
    shown = ("…" if start else "") + line[start:end] + ("…" if end < len(line) else "")
    return shown, start - (1 if start else 0)


def _clean(line: str) -> str:
    # never echo control characters (other than tab) into the terminal
    return "".join(c if c.isprintable() or c == "\t" else "\ufffd" for c in line.rstrip("\r"))


def render_one(
    d: Diagnostic, sources: Mapping[str, str] | None = None, *, color: bool = False
) -> str:
    """One diagnostic in the human form (no trailing newline)."""
    paint = _Paint(color)
    sources = sources or {}
    head = paint(d.severity, f"{d.severity}[{d.code}]") + paint("bold", f": {d.message}")
    out = [head]
    span = d.span
    gutter_w = 1
    body: list[str] = []
    if span is not None and span.line > 0:
        lines = _source_lines(sources, span.file)
        # every line we show: primary + labels in the same file
        marks: list[tuple[Span, str, bool]] = [(span, "", True)]
        other_files: list[Label] = []
        for lb in d.labels:
            if lb.span.file == span.file and lb.span.line > 0:
                marks.append((lb.span, lb.message, False))
            else:
                other_files.append(lb)
        gutter_w = max(len(str(m[0].line)) for m in marks)
        pad = " " * gutter_w
        out.append(f"{pad}{paint('gutter', '-->')} {span.file}:{span.line}:{span.column}")
        if lines is not None:
            body.append(f"{pad} {paint('gutter', '|')}")
            marks.sort(key=lambda m: (m[0].line, not m[2]))
            shown: dict[int, tuple[str, int]] = {}  # line -> (as shown, columns cut)
            prev_line = 0
            for s, msg, primary in marks:
                if s.line > len(lines):
                    continue
                if s.line in shown:
                    raw, cut = shown[s.line]
                else:
                    full = lines[s.line - 1]
                    raw, cut = _window(full, s.column)
                    raw = _clean(raw)
                    shown[s.line] = (raw, cut)
                    if prev_line and s.line > prev_line + 1:
                        body.append(paint("gutter", "..."))
                    num = str(s.line).rjust(gutter_w)
                    body.append(f"{paint('gutter', num)} {paint('gutter', '|')} {_display(raw)}")
                    prev_line = s.line
                end_col = s.end_column - cut if s.end_line == s.line else len(raw) + 1
                col = min(max(s.column - cut, 1), len(raw) + 1)
                end_col = min(max(end_col, col + 1), len(raw) + 1)
                a, b = _cols(raw, col, max(end_col, col + 1))
                mark = ("^" if primary else "-") * (b - a)
                style = d.severity if primary else "secondary"
                text = paint(style, mark + (f" {msg}" if msg else ""))
                body.append(f"{pad} {paint('gutter', '|')} {' ' * a}{text}")
        out.extend(body)
        for lb in other_files:
            out.append(
                f"{pad} {paint('gutter', '=')} {paint('bold', 'note')}: {lb.message} ({lb.span})"
            )
    pad = " " * gutter_w
    if d.help:
        prefix = f"{pad} {paint('gutter', '=')} " if span is not None else "  "
        out.append(f"{prefix}{paint('help', 'help')}: {d.help}")
    for note in d.notes:
        prefix = f"{pad} {paint('gutter', '=')} " if span is not None else "  "
        out.append(f"{prefix}{paint('bold', 'note')}: {note}")
    return "\n".join(out)


def render_human(
    diagnostics: Sequence[Diagnostic],
    sources: Mapping[str, str] | None = None,
    *,
    color: bool = False,
) -> str:
    """Every diagnostic in the human form, separated by blank lines."""
    return "\n\n".join(render_one(d, sources, color=color) for d in diagnostics)


def concise_line(d: Diagnostic) -> str:
    where = f"{d.span.file}:{d.span.line}:{d.span.column}: " if d.span is not None else ""
    return f"{where}{d.severity}[{d.code}]: {d.message}"


def render_concise(diagnostics: Iterable[Diagnostic]) -> str:
    """One line per diagnostic: ``file:line:col: error[SHOT101]: message``."""
    return "\n".join(concise_line(d) for d in diagnostics)


def counts(diagnostics: Iterable[Diagnostic]) -> dict[str, int]:
    c = {"error": 0, "warning": 0, "note": 0}
    for d in diagnostics:
        c[d.severity] = c.get(d.severity, 0) + 1
    return c


def summary(diagnostics: Sequence[Diagnostic], files: int) -> str:
    """``2 errors, 1 warning in 3 files`` (or ``no problems in 3 files``)."""
    c = counts(diagnostics)
    parts = [f"{c[k]} {k}{'' if c[k] == 1 else 's'}" for k in ("error", "warning") if c[k]]
    what = f"{files} file{'' if files == 1 else 's'}"
    return f"{', '.join(parts)} in {what}" if parts else f"no problems in {what}"


def span_json(s: Span | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "file": s.file,
        "line": s.line,
        "column": s.column,
        "end_line": s.end_line,
        "end_column": s.end_column,
        "start": s.start_pos,
        "end": s.end_pos,
    }


def _title(code: str) -> str:
    from .codes import title

    return title(code)


def diagnostic_json(d: Diagnostic, file: str | None = None) -> dict[str, Any]:
    """One diagnostic as JSON; ``file`` names the file of a diagnostic without a span."""
    return {
        "code": d.code,
        "severity": d.severity,
        "title": _title(d.code),
        "message": d.message,
        "file": d.span.file if d.span else file,
        "span": span_json(d.span),
        "labels": [{"message": lb.message, "span": span_json(lb.span)} for lb in d.labels],
        "help": d.help,
        "notes": list(d.notes),
    }


def to_json(
    diagnostics: Sequence[Diagnostic],
    files: Sequence[tuple[str, bool]] = (),
    *,
    tool: str = "check",
    extra: Mapping[str, Any] | None = None,
    origins: Sequence[str | None] | None = None,
) -> dict[str, Any]:
    """The JSON envelope.  ``files`` lists ``(path, valid)`` of every file looked at;
    ``origins[i]``, when given, is the file that ``diagnostics[i]`` is about."""
    c = counts(diagnostics)
    env: dict[str, Any] = {
        "format_version": JSON_FORMAT_VERSION,
        "tool": f"seedance {tool}",
        "valid": c["error"] == 0,
        "counts": c,
        "files": [{"path": p, "valid": ok} for p, ok in files],
        "diagnostics": [
            diagnostic_json(d, origins[i] if origins is not None else None)
            for i, d in enumerate(diagnostics)
        ],
    }
    if extra:
        env.update(extra)
    return env


def render_json(
    diagnostics: Sequence[Diagnostic],
    files: Sequence[tuple[str, bool]] = (),
    *,
    tool: str = "check",
    extra: Mapping[str, Any] | None = None,
    origins: Sequence[str | None] | None = None,
) -> str:
    import json

    env = to_json(diagnostics, files, tool=tool, extra=extra, origins=origins)
    return json.dumps(env, indent=2, ensure_ascii=False)
