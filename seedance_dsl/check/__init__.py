"""check: resolve names and check values of a parsed storyboard.

``check_file(path)`` / ``check_text(text, path)`` → :class:`CheckResult` whose
``storyboard`` is a :class:`CheckedStoryboard` (see :mod:`.model`): everything
``seedance check`` reports.  ``resolve_file`` / ``resolve_text`` stop after names and
values (the compiler starts from them and runs the rules itself).
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
from .resolver import (
    STANDARD_PACKAGE,
    check_file,
    check_text,
    resolve_file,
    resolve_text,
    setting_vocabulary,
)

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
    "resolve_file",
    "resolve_text",
    "setting_vocabulary",
]
