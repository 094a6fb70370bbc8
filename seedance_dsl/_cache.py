"""The user's cache directory, and whether an entry in it may be loaded.

Two caches live there: the grammar's LALR tables (pickles, :mod:`.syntax.lalr`; only for
a grammar the shipped :mod:`.syntax._tables` was not generated from) and
jinja2's compiled templates (marshalled code, :mod:`.compiler`).  Both are code: loading
an entry that someone else could have written would run their code.  So the directory is
``$SEEDANCE_CACHE_DIR``, else ``$XDG_CACHE_HOME/seedance-dsl``, else
``~/.cache/seedance-dsl``; it is created private (0700) and not used at all when another
user could write to it; ``SEEDANCE_CACHE_DIR=off`` switches caching off.  Every entry is
checked with :func:`safe_to_load` on the open file before it is read.
"""

from __future__ import annotations

import os

#: the environment variable that moves (or, with ``off``, disables) the cache
CACHE_ENV = "SEEDANCE_CACHE_DIR"
_OFF = ("", "0", "off", "no", "false")


def cache_root() -> str | None:
    """Where the cache directory is, from the environment (not created, not checked);
    None when caching is switched off."""
    env = os.environ.get(CACHE_ENV)
    if env is not None:
        return None if env.lower() in _OFF else env
    xdg = os.environ.get("XDG_CACHE_HOME")
    root = xdg or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(root, "seedance-dsl")


def safe_to_load(st: os.stat_result) -> bool:
    """Whether a cache entry (or its directory) with this ``stat`` may be loaded.

    Cache entries are code (pickled tables, compiled templates): loading one that
    someone else could have written would run their code.  So it must belong to this
    user and be writable by nobody else.  (Always true where there are no uids.)"""
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return True
    return st.st_uid == getuid() and not st.st_mode & 0o022


def cache_dir() -> str | None:
    """The cache directory (created private), or None when caching is off/impossible."""
    base = cache_root()
    if base is None:
        return None
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


def cache_subdir(name: str) -> str | None:
    """``<cache dir>/<name>``, created private and checked like the cache directory;
    None when caching is off or the directory may not be trusted."""
    base = cache_dir()
    if base is None:
        return None
    directory = os.path.join(base, name)
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        if not safe_to_load(os.stat(directory)):
            return None
    except OSError:
        return None
    return directory
