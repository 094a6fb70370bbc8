"""``seedance check --format sarif``: diagnostics as SARIF 2.1.0 (docs/ci.md).

SARIF (OASIS, Static Analysis Results Interchange Format) is what GitHub code scanning
and other review tools read: each diagnostic becomes a ``result`` on its file and line,
each code a ``rule`` with its title and long explanation (``seedance explain``).  File
URIs are relative to the working directory (``uriBaseId`` ``%SRCROOT%``) when the file is
under it, as code scanning wants them; columns count Unicode code points, like every
other view of a diagnostic (``columnKind`` ``unicodeCodePoints``).

Pure functions, no imports beyond the language's own: the same start-up cost as the
other formats of ``check``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from ..syntax.diagnostics import Diagnostic
from ..syntax.nodes import Span

__all__ = ["SARIF_SCHEMA_URI", "SARIF_VERSION", "render_sarif", "to_sarif"]

SARIF_VERSION = "2.1.0"
#: the OASIS schema of SARIF 2.1.0 (errata 01), the ``$schema`` of the log
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
#: a diagnostic's severity -> a SARIF level (the three have the same names)
_LEVEL = {"error": "error", "warning": "warning", "note": "note"}


def _uri(path: str, base: Path) -> tuple[str, bool]:
    """``(uri, relative)``: a path relative to ``base`` when under it, else a file URI."""
    p = Path(path)
    full = p if p.is_absolute() else base / p
    try:
        rel = Path(os.path.normpath(full)).relative_to(os.path.normpath(base))
        return quote(PurePosixPath(*rel.parts).as_posix()), True
    except ValueError:
        return Path(os.path.normpath(full)).as_uri(), False


def _artifact(path: str, base: Path) -> dict[str, Any]:
    uri, relative = _uri(path, base)
    loc: dict[str, Any] = {"uri": uri}
    if relative:
        loc["uriBaseId"] = "%SRCROOT%"
    return loc


def _region(span: Span) -> dict[str, Any] | None:
    if span.line <= 0:
        return None
    region: dict[str, Any] = {"startLine": span.line, "startColumn": max(span.column, 1)}
    if span.end_line >= span.line:
        region["endLine"] = span.end_line
        end_col = span.end_column
        if span.end_line == span.line:
            end_col = max(end_col, region["startColumn"] + 1)
        region["endColumn"] = max(end_col, 1)
    return region


def _location(span: Span | None, file: str | None, base: Path) -> dict[str, Any] | None:
    name = span.file if span is not None else file
    if not name:
        return None
    physical: dict[str, Any] = {"artifactLocation": _artifact(name, base)}
    region = _region(span) if span is not None else None
    if region is not None:
        physical["region"] = region
    return {"physicalLocation": physical}


def _message(d: Diagnostic) -> str:
    parts = [d.message]
    if d.help:
        parts.append(f"help: {d.help}")
    parts.extend(f"note: {n}" for n in d.notes)
    return "\n".join(parts)


def _rule(code: str, level: str) -> dict[str, Any]:
    from ..syntax.codes import lookup

    info = lookup(code)
    title = info.title if info is not None else code
    rule: dict[str, Any] = {
        "id": code,
        "name": "".join(w[:1].upper() + w[1:] for w in title.replace("`", "").split()) or code,
        "shortDescription": {"text": title},
        "defaultConfiguration": {"level": level},
        "help": {"text": f"Run `seedance explain {code}` for the long explanation."},
    }
    if info is not None and info.explanation:
        rule["fullDescription"] = {"text": info.explanation.split("\n\n", 1)[0]}
        rule["help"] = {"text": info.explanation}
    return rule


def to_sarif(
    diagnostics: Sequence[Diagnostic],
    origins: Sequence[str | None] | None = None,
    *,
    base: str | Path | None = None,
    tool_version: str | None = None,
) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one run.  ``origins[i]`` names the file of ``diagnostics[i]``
    when it has no span (a file that cannot be read); ``base`` is the directory the
    relative URIs start from (default: the working directory)."""
    from .._version import __version__

    root = Path(base) if base is not None else Path.cwd()
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for i, d in enumerate(diagnostics):
        level = _LEVEL.get(d.severity, "warning")
        if d.code not in index:
            index[d.code] = len(rules)
            rules.append(_rule(d.code, level))
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": level,
            "message": {"text": _message(d)},
        }
        origin = origins[i] if origins is not None and i < len(origins) else None
        loc = _location(d.span, origin, root)
        if loc is not None:
            result["locations"] = [loc]
        related = []
        for n, lb in enumerate(d.labels):
            rel = _location(lb.span, None, root)
            if rel is not None:
                rel["id"] = n
                rel["message"] = {"text": lb.message or "related"}
                related.append(rel)
        if related:
            result["relatedLocations"] = related
        results.append(result)
    version = tool_version or __version__
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "seedance",
                        "fullName": "seedance check (seedance-dsl)",
                        "version": version,
                        "semanticVersion": version,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "invocations": [{"executionSuccessful": True}],
                "results": results,
            }
        ],
    }


def render_sarif(
    diagnostics: Sequence[Diagnostic],
    origins: Sequence[str | None] | None = None,
    *,
    base: str | Path | None = None,
) -> str:
    """:func:`to_sarif` as indented JSON text."""
    return json.dumps(to_sarif(diagnostics, origins, base=base), indent=2, ensure_ascii=False)
