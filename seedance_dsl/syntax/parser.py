"""Parse ``.shot`` text into the typed syntax tree of :mod:`seedance_dsl.syntax.nodes`.

The grammar (``grammar/shot.lark``) is LALR(1).  Lark compiles it into tables once (cached
on disk); :mod:`seedance_dsl.syntax.lalr` drives them.  The parse is in stages, one
module each:

- :mod:`.values`: the values of the language (durations, value kinds, string escapes);
- :mod:`.build`: the tree builder, one method per grammar rule, called *during* the parse
  (no intermediate tree exists);
- :mod:`.recovery`: drives the parser token by token, with statement-level error
  recovery, so every error of a file is reported in one run;
- :mod:`.messages`: what a syntax error says, as a table.

Errors never raise: :func:`parse_text` returns ``(storyboard, diagnostics)``.  When the
grammar itself failed anywhere, the tree is incomplete and ``None`` is returned with the
diagnostics.  Parsing is re-entrant and thread-safe: each parse has its own builder and
stacks; only the read-only tables are shared.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from . import nodes as n
from .build import TreeBuilder as TreeBuilder
from .diagnostics import Diagnostic
from .grammar import cache_dir, grammar_text
from .lalr import Parser, load_tables
from .recovery import MAX_SYNTAX_ERRORS as MAX_SYNTAX_ERRORS
from .recovery import Recovering
from .source import read_source

# (the values' helpers and the builder stay importable from here, as before the split)
from .values import ASSET_KINDS as ASSET_KINDS
from .values import CLIP_KEYWORDS as CLIP_KEYWORDS
from .values import CLIP_OUTPUTS as CLIP_OUTPUTS
from .values import PACKAGE_KEYWORDS as PACKAGE_KEYWORDS
from .values import REF_ROLES as REF_ROLES
from .values import RESERVED_WORDS as RESERVED_WORDS
from .values import ROLE_KEYWORDS as ROLE_KEYWORDS
from .values import SHOT_FIELD_SET as SHOT_FIELD_SET
from .values import SWITCH_WORDS as SWITCH_WORDS
from .values import TOP_KEYWORDS as TOP_KEYWORDS
from .values import classify_value as classify_value
from .values import did_you_mean as did_you_mean
from .values import duration_millis as duration_millis
from .values import suggest

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["parse_file", "parse_text", "suggest"]

# ---------------------------------------------------------------------------- the collector

_GC_LOCK = threading.Lock()
_gc_paused = 0  # how many no_gc() blocks are open, on any thread
_gc_was_enabled = False


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building a tree (parse, format, check).
    A parse allocates hundreds of thousands of nodes and makes no reference cycles, and
    every full collection during it would walk all the nodes made so far: with the
    collector on, the time per MB grows with the file's size; paused, it stays flat.
    Nested and concurrent blocks (parses on several threads) count: the collector is
    switched back on when the last one ends, if it was on when the first began."""
    global _gc_paused, _gc_was_enabled
    with _GC_LOCK:
        if _gc_paused == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_paused += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_paused -= 1
            if _gc_paused == 0 and _gc_was_enabled:
                gc.enable()


# ---------------------------------------------------------------------------- the tables

_TABLES_LOCK = threading.Lock()
_PARSER: Parser | None = None


def _get_parser() -> Parser:
    """The process-wide parser: the tables (from the cache, see :mod:`.lalr`), read-only
    once loaded, shared by every parse.  The lock only guards the first load."""
    global _PARSER
    parser = _PARSER
    if parser is None:
        with _TABLES_LOCK:
            if _PARSER is None:
                _PARSER = Parser(load_tables(grammar_text(), cache_dir()))
            parser = _PARSER
    return parser


# ---------------------------------------------------------------------------- API


def parse_text(
    text: str, file: str = "<text>", *, partial: bool = False
) -> tuple[n.Storyboard | None, list[Diagnostic]]:
    """Parse one ``.shot`` text.  Never raises for bad input: problems are diagnostics.

    Returns the tree and every diagnostic found, in source order.  When the grammar
    failed somewhere the tree is incomplete: it is None, unless ``partial`` is set — then
    it holds every statement that parsed (broken statements dropped, blocks left open
    closed), so a checker can go on with the rest of the file; it is None with
    ``partial`` only when the parser gave up (SHOT113).
    """
    if text.startswith("\ufeff"):
        text = " " + text[1:]  # keep offsets; a BOM is whitespace
    parser = _get_parser()
    with no_gc():
        builder = TreeBuilder(file, text)
        rec = Recovering(parser, builder, text)
        try:
            result = rec.run()
        except RecursionError:  # pragma: no cover - LALR does not recurse
            result = None
    diags = builder.diagnostics
    diags.sort(key=lambda d: d.span.start_pos if d.span else 1 << 62)
    if not isinstance(result, n.Storyboard) or (rec.errors and not partial):
        return None, diags
    return result, diags


def parse_file(path: str | Path) -> tuple[n.Storyboard | None, list[Diagnostic]]:
    """Read and parse a file: not found / not UTF-8 are diagnostics (SHOT001/SHOT002)."""
    text, diags = read_source(path)
    if text is None:
        return None, diags
    tree, more = parse_text(text, str(path))
    return tree, diags + more
