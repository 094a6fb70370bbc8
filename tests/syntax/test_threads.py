"""Parsing is re-entrant and thread-safe: parses on several threads run at the same time
(no lock serialises them) and give exactly what the same parses give one after another.

(A language server parses on threads; a process-wide builder behind a lock would make
every parse wait for the others, and one without the lock would mix their diagnostics.)
"""

from __future__ import annotations

import gc
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from seedance_dsl.syntax import build, parser, recovery
from seedance_dsl.syntax.parser import TreeBuilder, no_gc, parse_file, parse_text

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "cases"
#: Different files: clean ones, and ones with syntax errors the parser recovers from.
FILES = [
    ROOT / "examples" / "glass_train.shot",
    ROOT / "examples" / "teaser.shot",
    CASES / "01_unknown_field.shot",
    CASES / "04_unclosed_block.shot",
    CASES / "07_bad_escape.shot",
    CASES / "16_recovery_many_mistakes.shot",
]


def _outcome(result: tuple[Any, list[Any]]) -> tuple[str, list[Any]]:
    tree, diags = result
    return repr(tree), diags  # repr: spans (file names, positions) included


def test_parses_on_threads_overlap_and_equal_serial_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    collector = gc.isenabled()
    texts = [(p.read_text(encoding="utf-8"), p.name) for p in FILES]
    serial = [_outcome(parse_text(t, f, partial=True)) for t, f in texts]
    serial_files = [_outcome(parse_file(p)) for p in FILES]
    assert all(d for _, d in serial[2:]), "the broken files report their errors"

    # Every parse waits at its last reduction (the whole tree built, the parse still in
    # progress) until all of them are there: this only completes when the parses really
    # run at the same time — a parse holding a lock here would leave the others outside.
    barrier = threading.Barrier(len(texts), timeout=20)
    start = TreeBuilder.start

    def meeting_start(self: TreeBuilder, children: list[Any]) -> Any:
        barrier.wait()
        return start(self, children)

    monkeypatch.setattr(TreeBuilder, "start", meeting_start)
    with ThreadPoolExecutor(len(texts)) as pool:
        threaded = list(pool.map(lambda tf: _outcome(parse_text(*tf, partial=True)), texts))
    assert threaded == serial

    # and many parses of the real entry point, in every interleaving the pool makes
    monkeypatch.setattr(TreeBuilder, "start", start)
    with ThreadPoolExecutor(4) as pool:
        again = list(pool.map(lambda p: _outcome(parse_file(p)), FILES * 8))
    assert again == serial_files * 8
    assert gc.isenabled() == collector  # paused by each parse, then as it was


def test_the_collector_stays_paused_until_the_last_overlapping_parse_ends() -> None:
    was = gc.isenabled()
    gc.enable()
    try:
        first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

        def first() -> None:
            with no_gc():
                first_in.set()
                assert second_in.wait(20)
            first_out.set()

        t = threading.Thread(target=first)
        t.start()
        assert first_in.wait(20)
        with no_gc():  # begins while the first is open, ends after it
            second_in.set()
            assert first_out.wait(20)
            t.join(20)
            assert not gc.isenabled()  # the first one's end did not switch it on under us
        assert gc.isenabled()  # the last one's end did
    finally:
        if not was:
            gc.disable()


def test_no_parse_state_lives_at_module_level() -> None:
    # one builder per parse: no module of the parser keeps one (or stacks) between parses
    for module in (parser, build, recovery):
        for name, value in vars(module).items():
            assert not isinstance(value, TreeBuilder | recovery.Recovering | recovery.PState), (
                f"{module.__name__}.{name}"
            )
