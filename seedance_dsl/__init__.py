"""seedance-dsl: a storyboard language for AI video.

Parse, check, compile and render ``.shot`` files for the Seedance 2 API.  The public
Python API is re-exported here lazily, so ``import seedance_dsl`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import SeedanceDSLError, UsageError

__version__ = "0.1.0"

# name -> module that defines it (imported on first access)
_EXPORTS: dict[str, str] = {
    "compile_file": "seedance_dsl.compiler",
    "compile_text": "seedance_dsl.compiler",
}

if TYPE_CHECKING:
    from .compiler import compile_file as compile_file
    from .compiler import compile_text as compile_text


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'seedance_dsl' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = ["SeedanceDSLError", "UsageError", "__version__", *sorted(_EXPORTS)]
