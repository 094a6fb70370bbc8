"""Where the grammar is, and where its compiled tables are cached.

The grammar ships inside the wheel as ``seedance_dsl/grammar/shot.lark`` (pyproject
force-includes the top-level ``grammar/shot.lark``); in an editable install it is read
from the repository's ``grammar/`` directory.  The LALR tables Lark computes from it
(:mod:`.lalr`) are cached in the user's cache directory (``$SEEDANCE_CACHE_DIR``, else
``$XDG_CACHE_HOME/seedance-dsl``, else ``~/.cache/seedance-dsl``), keyed by the grammar's
hash, so a changed grammar is never read from a stale cache.  ``SEEDANCE_CACHE_DIR=off``
disables the cache (the tables are then rebuilt by Lark on every run).
"""

from __future__ import annotations

import os

from .._files import safe_to_load

_HERE = os.path.dirname(os.path.realpath(__file__))
_PACKAGE_GRAMMAR = os.path.join(os.path.dirname(_HERE), "grammar", "shot.lark")
_REPO_GRAMMAR = os.path.join(os.path.dirname(os.path.dirname(_HERE)), "grammar", "shot.lark")


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


def cache_dir() -> str | None:
    """The directory for Lark's cached analysis, or None when caching is off/impossible."""
    env = os.environ.get("SEEDANCE_CACHE_DIR")
    if env is not None:
        if env.lower() in ("", "0", "off", "no", "false"):
            return None
        base = env
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        root = xdg or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(root, "seedance-dsl")
    try:
        os.makedirs(base, mode=0o700, exist_ok=True)
        private = safe_to_load(os.stat(base))
    except OSError:
        return None
    # the cache holds code (pickled tables, compiled templates): never use a directory
    # another user could write to (e.g. SEEDANCE_CACHE_DIR=/tmp) — slower, never unsafe
    if not private or not os.access(base, os.W_OK | os.X_OK):
        return None
    return base
