"""The compiler: a checked storyboard becomes one Seedance request per clip.

Public API::

    compile_file(path, *, template=None) -> CompiledStoryboard
    compile_text(text, path="<string>", *, template=None) -> CompiledStoryboard
    compile_checked(checked, *, template=None) -> CompiledStoryboard
    rules_check(checked) -> list[Diagnostic]   # no jinja2, no pydantic: for `check`
    with_rules_check(result) -> CheckResult    # a CheckResult plus rules_check's diagnostics

See ``docs/compiler.md``.  Names are loaded lazily, and importing this package imports
neither jinja2 (loaded when a prompt is rendered) nor pydantic (loaded only by
``CompiledClip.resolve``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_dir, lazy_exports

if TYPE_CHECKING:
    from .build import rules_check, with_rules_check
    from .model import (
        ClipOutputs,
        CompiledClip,
        CompiledStoryboard,
        InputSlot,
        MissingClipOutput,
        Reference,
        canonical_json,
        idempotency_key,
        placeholder,
    )
    from .pipeline import compile_checked, compile_file, compile_result, compile_text

_EXPORTS = {
    "rules_check": "build",
    "with_rules_check": "build",
    "ClipOutputs": "model",
    "CompiledClip": "model",
    "CompiledStoryboard": "model",
    "InputSlot": "model",
    "MissingClipOutput": "model",
    "Reference": "model",
    "canonical_json": "model",
    "idempotency_key": "model",
    "placeholder": "model",
    "compile_checked": "pipeline",
    "compile_file": "pipeline",
    "compile_result": "pipeline",
    "compile_text": "pipeline",
}


__getattr__ = lazy_exports(__name__, _EXPORTS)


__all__ = [
    "ClipOutputs",
    "CompiledClip",
    "CompiledStoryboard",
    "InputSlot",
    "MissingClipOutput",
    "Reference",
    "canonical_json",
    "compile_checked",
    "compile_file",
    "compile_result",
    "compile_text",
    "idempotency_key",
    "placeholder",
    "rules_check",
    "with_rules_check",
]

__dir__ = lazy_dir(globals(), __all__)
