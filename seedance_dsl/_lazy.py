"""Lazy re-exports for package facades.

A facade (``seedance_dsl.compiler``, ``seedance_dsl.api``, ...) names its public API in a
mapping ``name -> submodule`` and calls :func:`lazy_exports`; a name's submodule is
imported on first access, so importing the facade costs nothing.  This keeps
``seedance check`` free of pydantic, jinja2 and the network stack.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
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
