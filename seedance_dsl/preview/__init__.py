"""``seedance preview``: the storyboard as a self-contained web page (docs/preview.md).

:func:`build_preview` writes ``index.html`` and a ``media/`` folder: per clip its
parameters, shots, exact prompt, references, estimated credits and, after a render, its
videos; the clip graph as SVG; ``check``'s diagnostics at their clips.  The page needs
no network and works from ``file://``.
"""

from __future__ import annotations

from .build import PreviewResult, build_preview, default_preview_dir

__all__ = ["PreviewResult", "build_preview", "default_preview_dir"]
