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

_EXPORTS = {
    "rules_check": "build",
    "with_rules_check": "build",
    "ClipOutputs": "model",
    "CompiledClip": "model",
    "CompiledStoryboard": "model",
    "InputSlot": "model",
    "MissingClipOutput": "model",
    "MissingLocalAsset": "model",
    "Reference": "model",
    "canonical_json": "model",
    "idempotency_key": "model",
    "local_placeholder": "model",
    "placeholder": "model",
    "compile_checked": "pipeline",
    "compile_file": "pipeline",
    "compile_result": "pipeline",
    "compile_text": "pipeline",
}

# BEGIN generated from _EXPORTS by `make facades` (tools/facades.py): do not edit
if TYPE_CHECKING:
    from .build import rules_check as rules_check
    from .build import with_rules_check as with_rules_check
    from .model import ClipOutputs as ClipOutputs
    from .model import CompiledClip as CompiledClip
    from .model import CompiledStoryboard as CompiledStoryboard
    from .model import InputSlot as InputSlot
    from .model import MissingClipOutput as MissingClipOutput
    from .model import MissingLocalAsset as MissingLocalAsset
    from .model import Reference as Reference
    from .model import canonical_json as canonical_json
    from .model import idempotency_key as idempotency_key
    from .model import local_placeholder as local_placeholder
    from .model import placeholder as placeholder
    from .pipeline import compile_checked as compile_checked
    from .pipeline import compile_file as compile_file
    from .pipeline import compile_result as compile_result
    from .pipeline import compile_text as compile_text

__all__ = [
    "ClipOutputs",
    "CompiledClip",
    "CompiledStoryboard",
    "InputSlot",
    "MissingClipOutput",
    "MissingLocalAsset",
    "Reference",
    "canonical_json",
    "compile_checked",
    "compile_file",
    "compile_result",
    "compile_text",
    "idempotency_key",
    "local_placeholder",
    "placeholder",
    "rules_check",
    "with_rules_check",
]
# END generated


__getattr__ = lazy_exports(__name__, _EXPORTS)


__dir__ = lazy_dir(globals(), _EXPORTS)
