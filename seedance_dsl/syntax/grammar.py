"""Loading the grammar and building the Lark parser (once per process, cached on disk).

The grammar ships inside the wheel as ``seedance_dsl/grammar/shot.lark`` (pyproject
force-includes the top-level ``grammar/shot.lark``); in an editable install it is read
from the repository's ``grammar/`` directory.  Lark's grammar analysis is cached in the
user's cache directory (``$SEEDANCE_CACHE_DIR``, else ``$XDG_CACHE_HOME/seedance-dsl``,
else ``~/.cache/seedance-dsl``); the cache is keyed by the grammar's hash, so a changed
grammar is never read from a stale cache.  Set ``SEEDANCE_CACHE_DIR=off`` to disable it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lark import Lark, Token

_REPO_GRAMMAR = Path(__file__).resolve().parent.parent.parent / "grammar" / "shot.lark"


_PACKAGE_GRAMMAR = Path(__file__).resolve().parent.parent / "grammar" / "shot.lark"


def grammar_path() -> Path:
    """Where the grammar is read from: inside the package when installed from a wheel,
    else the repository's ``grammar/`` (an editable install)."""
    if _PACKAGE_GRAMMAR.is_file():  # the common case, without importlib.resources' cost
        return _PACKAGE_GRAMMAR
    if _REPO_GRAMMAR.is_file():
        return _REPO_GRAMMAR
    from importlib import resources  # e.g. a zipped install

    res = resources.files("seedance_dsl").joinpath("grammar/shot.lark")
    return Path(str(res))


def grammar_text() -> str:
    return grammar_path().read_text(encoding="utf-8")


def cache_dir() -> Path | None:
    """The directory for Lark's cached analysis, or None when caching is off/impossible."""
    env = os.environ.get("SEEDANCE_CACHE_DIR")
    if env is not None:
        if env.lower() in ("", "0", "off", "no", "false"):
            return None
        base = Path(env)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (Path(xdg) if xdg else Path.home() / ".cache") / "seedance-dsl"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(base, os.W_OK | os.X_OK):
        return None
    return base


def build_parser(
    transformer: Any = None,
    lexer_callbacks: dict[str, Callable[[Token], Token]] | None = None,
    *,
    cache: bool = True,
) -> Lark:
    """A new LALR parser for the grammar.  With ``transformer`` (inline), rules are
    reduced straight into its return values; without, Lark builds its own tree."""
    import lark

    text = grammar_text()
    cache_opt: str | bool = False
    if cache:
        d = cache_dir()
        if d is not None:
            kind = "tf" if transformer is not None else "tree"
            cache_opt = str(d / f"shot-lark{lark.__version__}-{kind}.cache")
    kwargs: dict[str, Any] = {
        "parser": "lalr",
        "lexer": "contextual",
        "keep_all_tokens": True,
        "maybe_placeholders": False,
        "propagate_positions": False,
        "cache": cache_opt,
    }
    if transformer is not None:
        kwargs["transformer"] = transformer
    if lexer_callbacks:
        kwargs["lexer_callbacks"] = lexer_callbacks
    try:
        return Lark(text, **kwargs)
    except OSError:  # pragma: no cover - unreadable/unwritable cache file
        kwargs["cache"] = False
        return Lark(text, **kwargs)
