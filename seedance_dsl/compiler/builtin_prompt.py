"""The built-in prompt template (``templates/default.j2``) as Python: what jinja2 renders
from it, without importing jinja2 (~45 ms of every ``compile``, ``plan`` and ``render``
before its first submit).  Used only while ``default.j2`` is the file it was written
from (:data:`DEFAULT_J2_SHA256`); a changed template is rendered by jinja2 again, and
tests/compiler/test_builtin_prompt.py fails until this module follows it (it compares
the two renderings on every golden case and example)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .prompt import sentence

__all__ = ["DEFAULT_J2_SHA256", "render_builtin"]

#: sha256 of the ``templates/default.j2`` this module renders
DEFAULT_J2_SHA256 = "b3180e62950aa4306e3fa4d7e6eada1c748621eabf44be1c0e0f8248bced074d"


def render_builtin(ctx: Mapping[str, Any]) -> str:
    """``default.j2`` rendered with ``ctx`` (before :func:`~.prompt.tidy`)."""
    out: list[str] = [f"{r['sentence']}\n" for r in ctx["references"] if r["sentence"]]
    if ctx["clip"]["raw"]:
        out += [f"{t}\n" for t in ctx["texts"]]
        out += [f"{t}\n" for s in ctx["shots"] for t in s["texts"]]
        return "".join(out)
    out += [f"{sentence(t)}\n" for t in ctx["texts"]]
    out.append("\n\n")
    shots = ctx["shots"]
    for s in shots:
        out.append(_shot_line(s, many=len(shots) > 1) + "\n\n")
    out.append("\n\n")
    if ctx["style"]:
        out.append(f"Style: {', '.join(ctx['style'])}.\n")
    if ctx["constraints"]:
        out.append(f"Constraints: {', '.join(ctx['constraints'])}.\n")
    return "".join(out)


def _labelled(label: str, value: Any) -> str:
    return f"{label}{sentence(value, capital=False)}" if value else ""


def _shot_line(s: Mapping[str, Any], *, many: bool) -> str:
    subject, action = s["subject"], s["action"]
    lead = f"{subject} {action}" if subject and action else (subject or action or "")
    head = ""
    if many:
        head = f"Shot {s['number']}" + (f" ({s['timecode']})" if s["timecode"] else "") + ": "
    parts = [
        sentence(lead),
        _labelled("Scene: ", s["scene"]),
        _labelled("Light and colour: ", s["light"]),
        _labelled("Camera: ", s["camera"]),
        _labelled("Style: ", s["style"]),
    ]
    line = head + " ".join(p for p in parts if p)
    line += "".join(f" {sentence(t)}" for t in s["texts"])
    line += "".join(
        f' {sentence(d["speaker"], end=False)} says: "{d["line"]}"' for d in s["dialogue"]
    )
    return line
