"""Where the grammar is, and where its compiled tables are cached.

The grammar ships inside the wheel as ``seedance_dsl/grammar/shot.lark`` (pyproject
force-includes the top-level ``grammar/shot.lark``); in an editable install it is read
from the repository's ``grammar/`` directory.  The LALR tables Lark computes from it
ship with the package (:mod:`._tables`, ``make tables``), keyed by the hash of the text
:func:`grammar_text` reads; for any other grammar text (one edited without ``make
tables``) they are built by Lark and cached in the user's cache directory
(``$SEEDANCE_CACHE_DIR``, else ``$XDG_CACHE_HOME/seedance-dsl``, else
``~/.cache/seedance-dsl``), keyed by the grammar's hash, so a changed grammar is never
read from stale tables.  ``SEEDANCE_CACHE_DIR=off`` disables that cache (such tables are
then rebuilt by Lark on every run).
"""

from __future__ import annotations

import os

# the cache helpers live in seedance_dsl._cache; re-exported here for old callers
from .._cache import cache_dir, safe_to_load

_HERE = os.path.dirname(os.path.realpath(__file__))
_PACKAGE_GRAMMAR = os.path.join(os.path.dirname(_HERE), "grammar", "shot.lark")
_REPO_GRAMMAR = os.path.join(os.path.dirname(os.path.dirname(_HERE)), "grammar", "shot.lark")

__all__ = ["cache_dir", "grammar_path", "grammar_text", "safe_to_load"]


def grammar_path() -> str:
    """Where the grammar is read from: inside the package when installed from a wheel,
    else the repository's ``grammar/`` (an editable install)."""
    if os.path.isfile(_PACKAGE_GRAMMAR):  # the common case, without importlib.resources' cost
        return _PACKAGE_GRAMMAR
    if os.path.isfile(_REPO_GRAMMAR):
        return _REPO_GRAMMAR
    from importlib import resources  # e.g. a zipped install

    res = resources.files("seedance_dsl").joinpath("grammar/shot.lark")
    return str(res)


def grammar_text() -> str:
    with open(grammar_path(), encoding="utf-8") as f:
        return f.read()
