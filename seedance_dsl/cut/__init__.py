"""``seedance cut``: one video of a storyboard's rendered clips, and its timeline.

:mod:`.assemble` decides, with no I/O, what to join (which file of which clip, in
storyboard order) and whether the clips can be joined by stream copy; :mod:`.media` is
the small PyAV driver that probes, remuxes or re-encodes; :mod:`.timeline` writes an
OpenTimelineIO timeline.  PyAV and OpenTimelineIO are imported only when a cut runs.
"""

from __future__ import annotations

from .assemble import ClipNotRendered, CutError, CutInput, StreamInfo, copy_blocker, plan_inputs

__all__ = ["ClipNotRendered", "CutError", "CutInput", "StreamInfo", "copy_blocker", "plan_inputs"]
