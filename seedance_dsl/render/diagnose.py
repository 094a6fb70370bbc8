"""A server's 400, drawn at the ``.shot`` source that produced the field it names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..client.errors import SeedanceError
    from ..compiler.model import CompiledClip, CompiledStoryboard

__all__ = ["locate_field", "server_diagnostic"]


def locate_field(clip: CompiledClip, message: str) -> str | None:
    """The payload field a server error message names, if any (longest name first)."""
    candidates = sorted(clip.source_map, key=len, reverse=True)
    for path in candidates:
        if path in message:
            return path
    for path in candidates:
        base = path.split("[", 1)[0]
        if base and base in message:
            return path
    return None


def server_diagnostic(
    sb: CompiledStoryboard,
    clip: CompiledClip,
    exc: SeedanceError,
    field_path: str | None,
    span: Any,
) -> str:
    """The server's refusal of ``clip`` as ``seedance check`` draws a diagnostic."""
    from ..syntax.diagnostics import Diagnostic
    from ..syntax.report import render_one

    what = f"field `{field_path}` of clip {clip.name}" if field_path else f"clip {clip.name}"
    help_text = (
        "fix the .shot source here and run `seedance render` again "
        "(nothing was charged for a refused request)"
    )
    for slot in clip.slots:
        if field_path and field_path.split("[", 1)[0] == slot.field:
            help_text = (
                f"this URL is the {slot.output.replace('_', ' ')} of clip {slot.clip} as the "
                f"server returned it; if it has expired, render {slot.clip} again: "
                f"`seedance render {sb.path} --clip {slot.clip} --take N`"
            )
    diag = Diagnostic(
        code=exc.code or "invalid_request",
        severity="error",
        message=f"the server refused {what}: {exc.message}",
        span=span,
        help=help_text,
    )
    return render_one(diag, sb.sources)
