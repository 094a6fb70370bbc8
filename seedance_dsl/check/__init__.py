"""check: resolve names and check values of a parsed storyboard.

``check_file(path)`` / ``check_text(text, path)`` → :class:`CheckResult` whose
``storyboard`` is a :class:`CheckedStoryboard` (see :mod:`.model`).
"""

from __future__ import annotations

from .model import (
    Asset,
    CheckedStoryboard,
    CheckResult,
    ClipOutputRef,
    Package,
    ResolvedClip,
    ResolvedRole,
    ResolvedUse,
)
from .resolver import STANDARD_PACKAGE, check_file, check_text, setting_vocabulary

__all__ = [
    "STANDARD_PACKAGE",
    "Asset",
    "CheckResult",
    "CheckedStoryboard",
    "ClipOutputRef",
    "Package",
    "ResolvedClip",
    "ResolvedRole",
    "ResolvedUse",
    "check_file",
    "check_text",
    "setting_vocabulary",
]
