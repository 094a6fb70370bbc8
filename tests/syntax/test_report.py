"""The three renderers: human (carets under the span), concise, JSON."""

from __future__ import annotations

import io
import json

import pytest

from seedance_dsl.syntax.diagnostics import Diagnostic, Label
from seedance_dsl.syntax.nodes import Span
from seedance_dsl.syntax.report import (
    JSON_FORMAT_VERSION,
    render_concise,
    render_human,
    render_json,
    use_color,
)

SRC = 'clip a {\n\tshot { camra "x" }\n  start 駅駅 station\n}\n'


def span(line: int, col: int, end_col: int) -> Span:
    return Span("f.shot", line, col, line, end_col)


def test_human_has_code_location_source_line_carets_and_help() -> None:
    d = Diagnostic("SHOT105", "error", "unknown field `camra`", span(2, 9, 14), help="try camera")
    out = render_human([d], {"f.shot": SRC})
    lines = out.splitlines()
    assert lines[0] == "error[SHOT105]: unknown field `camra`"
    assert lines[1] == " --> f.shot:2:9"
    assert lines[3] == '2 |     shot { camra "x" }'  # the tab shown as 4 spaces
    assert lines[4] == "  |            ^^^^^"
    assert lines[5] == "  = help: try camera"
    assert "\x1b[" not in out


def test_carets_account_for_wide_characters_and_labels() -> None:
    d = Diagnostic(
        "SHOT201",
        "error",
        "unknown asset",
        span(3, 12, 19),
        labels=(Label(span(1, 6, 7), "in this clip"),),
    )
    out = render_human([d], {"f.shot": SRC}).splitlines()
    assert out[3] == "1 | clip a {"
    assert out[4] == "  |      - in this clip"
    assert out[5] == "..."
    assert out[6] == "3 |   start 駅駅 station"
    # "  start " is 8 columns, each 駅 is 2 wide, then a space: the carets start at 13
    assert out[7] == "  | " + " " * 13 + "^" * 7


def test_colour_is_ansi_and_only_when_asked() -> None:
    d = Diagnostic("SHOT105", "warning", "m", span(2, 9, 14))
    assert "\x1b[1;33m" in render_human([d], {"f.shot": SRC}, color=True)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_use_color_needs_a_tty_and_respects_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_color(_Tty())
    assert not use_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(_Tty())


def test_spanless_and_control_characters() -> None:
    d = Diagnostic("SHOT001", "error", "file not found: x.shot", None, help="check the path")
    assert render_human([d]) == "error[SHOT001]: file not found: x.shot\n  help: check the path"
    evil = Diagnostic("SHOT102", "error", "m", span(1, 1, 2))
    out = render_human([evil], {"f.shot": "\x1b[31mred\n"})
    assert "\x1b" not in out


def test_concise() -> None:
    d = Diagnostic("SHOT105", "error", "unknown field", span(2, 9, 14))
    assert render_concise([d]) == "f.shot:2:9: error[SHOT105]: unknown field"


def test_json_envelope() -> None:
    d = Diagnostic("SHOT105", "error", "m", span(2, 9, 14), labels=(Label(span(1, 1, 2), "l"),))
    w = Diagnostic("SHOT206", "warning", "w", None)
    env = json.loads(render_json([d, w], [("f.shot", False)], origins=["f.shot", "f.shot"]))
    assert env["format_version"] == JSON_FORMAT_VERSION
    assert env["valid"] is False
    assert env["counts"] == {"error": 1, "warning": 1, "note": 0}
    first = env["diagnostics"][0]
    assert first["code"] == "SHOT105" and first["title"] == "unknown shot field"
    assert first["span"] == {
        "file": "f.shot",
        "line": 2,
        "column": 9,
        "end_line": 2,
        "end_column": 14,
        "start": 0,
        "end": 0,
    }
    assert first["labels"][0]["message"] == "l"
    assert env["diagnostics"][1]["file"] == "f.shot" and env["diagnostics"][1]["span"] is None


def test_rendering_many_diagnostics_costs_nothing_per_byte_of_the_file() -> None:
    # splitting the whole source for every diagnostic made n diagnostics O(n x size);
    # a long line is shown as a window around its span, never scanned whole
    import time

    def per_diagnostic(lines: int, width: int) -> tuple[float, str]:
        text = "\n".join("x" * width for _ in range(lines))
        diags = [
            Diagnostic("SHOT101", "error", "m", Span("f.shot", 1 + i % lines, 5, 1 + i % lines, 9))
            for i in range(200)
        ]
        best = float("inf")
        out = ""
        for _ in range(5):
            t = time.process_time()
            out = render_human(diags, {"f.shot": text})
            best = min(best, time.process_time() - t)
        return max(best, 1e-6) / len(diags), out

    small, _ = per_diagnostic(2_000, 40)
    many_lines, _ = per_diagnostic(40_000, 40)
    long_line, out = per_diagnostic(1, 2_000_000)
    # a scan per diagnostic of the 2 MB line costs ~1,000x (ms, not us); the one-off line
    # index of a 2 MB text, spread over 200 diagnostics, is a few us (seen 3.2x loaded)
    assert many_lines / small < 8 and long_line / small < 8, (small, many_lines, long_line)
    assert max(len(line) for line in out.split("\n")) < 300


def test_a_long_line_is_shown_as_a_window_around_the_span() -> None:
    line = "a" * 1000 + "BAD" + "b" * 1000
    col = 1001
    d = Diagnostic("SHOT101", "error", "m", Span("f.shot", 1, col, 1, col + 3))
    out = render_human([d], {"f.shot": line}).split("\n")
    src = next(x for x in out if x.startswith("1 | "))[4:]
    carets = next(x for x in out if "^" in x)
    assert src.startswith("…") and src.endswith("…") and "BAD" in src
    i = carets.index("^")
    assert carets.count("^") == 3 and src[i - 4 : i - 1] == "BAD"
