"""Lazy re-exports for package facades.

A facade (``seedance_dsl.compiler``, ``seedance_dsl.api``, ...) names its public API in a
mapping ``name -> submodule`` and calls :func:`lazy_exports`; a name's submodule is
imported on first access, so importing the facade costs nothing.  :func:`lazy_dir` gives
the facade a ``__dir__`` that lists those names too (``dir()``, tab completion), without
importing anything.  This keeps
``seedance check`` free of pydantic, jinja2 and the network stack.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``package.<exports[name]>`` on first use.

    A submodule given with a leading ``seedance_dsl.`` is taken as absolute.
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        target = module if module.startswith("seedance_dsl.") else f"{package}.{module}"
        return getattr(importlib.import_module(target), name)

    return __getattr__


def lazy_dir(namespace: Mapping[str, Any], exports: Iterable[str]) -> Callable[[], list[str]]:
    """A module ``__dir__``: the module's globals plus every lazily exported name.

    Pass the facade's ``globals()`` and its ``__all__`` (or export mapping); the names are
    listed whether or not their submodule has been imported yet.
    """
    names = tuple(exports)

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __dir__
