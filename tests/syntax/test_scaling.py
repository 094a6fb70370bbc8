"""Parsing and formatting stay linear in the size of the input.

A cheap guard, not a benchmark (that is bench/bench_scaling.py): the CPU time per byte
of an input 8x larger may not be 3x that of the smaller one.  A linear pass gives about
1x; the quadratic spots this guards against gave 4x to 8x at these sizes (a list — of
clips, of `keep` phrases — copied on every item; each comment placed by a scan of its
block; the line of each bad escape counted from the start of its string; each `keep`
phrase of a clip looked up in the list of those before it, in the compiler).  CPU time of this process (not wall time), best of a few runs, so a loaded
machine does not fail it.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import pytest

from seedance_dsl.compiler.pipeline import compile_text
from seedance_dsl.syntax.format import format_text
from seedance_dsl.syntax.parser import parse_text

FACTOR = 3.0


def keep_list(words: int) -> str:
    phrases = ", ".join(f"steady word{i}" for i in range(words))
    return f"package long {{\n  keep {phrases}\n}}\n"


def keep_list_used(words: int) -> str:
    return keep_list(words) + 'clip a {\n  use long\n  shot { action "x" }\n}\n'


def clips(count: int) -> str:
    return "".join(
        f"clip c{i} {{  // clip {i}\n"
        f"  duration 5s  // five seconds\n"
        f'  shot 2s {{ action "a train pulls in, take {i}" }}  // the shot\n'
        "}\n"
        for i in range(count)
    )


def bad_escapes(count: int) -> str:
    # every escape is an error at its own span (SHOT114): the spans were found by
    # counting lines from the start of the string for each one
    return 'storyboard "' + "\\u0000 " * count + '"\n'


def junk(count: int) -> str:
    # one error, then a long run of tokens the parser skips while it recovers
    return "clip a { } " + "} as 5s @ " * count


def per_byte(fn: Callable[[str], object], text: str, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        t = time.process_time()
        fn(text)
        best = min(best, time.process_time() - t)
    return max(best, 1e-6) / len(text)


def parse_ok(text: str) -> object:
    tree, diags = parse_text(text, "t.shot")
    assert tree is not None and not diags
    return tree


def parse_any(text: str) -> object:
    return parse_text(text, "t.shot")


def compile_any(text: str) -> object:
    return compile_text(text, "t.shot")  # (the prompt is too long for the API: SHOT401)


def format_ok(text: str) -> object:
    out, diags = format_text(text, "t.shot")
    assert out is not None and not diags
    return out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("make", "small", "fn"),
    [
        (keep_list, 4_000, parse_ok),
        (clips, 250, parse_ok),
        (clips, 500, format_ok),
        (bad_escapes, 4_000, parse_any),
        (junk, 2_000, parse_any),
        (keep_list_used, 2_000, compile_any),
    ],
    ids=[
        "parse-keep-list",
        "parse-clips",
        "format-commented-clips",
        "bad-escapes",
        "junk",
        "compile-keep-list",
    ],
)
def test_time_per_byte_does_not_grow_with_the_input(
    make: Callable[[int], str], small: int, fn: Callable[[str], object]
) -> None:
    fn(make(10))  # warm: tables loaded, lexers compiled
    a = per_byte(fn, make(small), runs=5)
    b = per_byte(fn, make(small * 8), runs=2)
    assert b / a < FACTOR, f"time per byte grew {b / a:.1f}x for an input 8x larger"
