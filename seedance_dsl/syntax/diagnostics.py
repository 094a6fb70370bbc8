"""The one diagnostic type of every stage (parse, check, compile, render).

A :class:`Diagnostic` has a stable code (``SHOT101``), a severity, a message, a primary
span, optional secondary labels and a help line.  Renderers (human, concise, JSON) live
in :mod:`seedance_dsl.syntax.report`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from .nodes import Span

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True, slots=True)
class Label:
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str  # e.g. "SHOT101"; every code has a long explanation (`seedance explain`)
    severity: Severity
    message: str
    span: Span | None  # None only for errors with no source (e.g. file not found)
    labels: tuple[Label, ...] = ()
    help: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def has_errors(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> bool:
    return any(d.is_error for d in diagnostics)


def diagnostic(
    code: str,
    message: str,
    span: Span | None,
    *,
    help: str | None = None,
    labels: Iterable[Label] = (),
    severity: Severity = "error",
    notes: tuple[str, ...] = (),
) -> Diagnostic:
    """A :class:`Diagnostic` with keyword arguments (the checker's and compiler's stages)."""
    return Diagnostic(code, severity, message, span, tuple(labels), help, notes)
