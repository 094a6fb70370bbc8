"""The three views of a compiled storyboard: text, JSON and curl.

Pure functions from :class:`~.model.CompiledStoryboard` to strings / JSON-ready data,
used by ``seedance compile`` and usable from Python.  No terminal library: the text
view is plain, stable text meant for terminals *and* diffs.

Each view also comes in pieces, one clip at a time (:func:`write_json`,
:func:`iter_text`, :func:`iter_curl`): ``seedance compile`` writes those, so a big
storyboard's output is never held whole in memory (issue 12; docs/compiler.md).  The
pieces join to exactly the text of :func:`to_json` / :func:`format_text` /
:func:`format_curl`.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from ..api.spec import CONTRACT
from ..syntax.diagnostics import Diagnostic
from ..syntax.nodes import Span
from .model import CompiledClip, CompiledStoryboard

__all__ = [
    "JSON_SCHEMA",
    "JSON_VERSION",
    "diagnostic_json",
    "format_curl",
    "format_text",
    "iter_curl",
    "iter_text",
    "span_json",
    "to_json",
    "write_json",
]

#: The ``schema`` and ``version`` of ``seedance compile --format json``.  The version is
#: bumped on any incompatible change to the envelope (docs/compiler.md).
JSON_SCHEMA = "seedance-dsl/compile"
JSON_VERSION = 1

#: Environment variables of the curl view (read at run time by the shell, never inlined).
API_KEY_ENV = "SEEDANCE_API_KEY"
BASE_URL_ENV = "SEEDANCE_BASE_URL"


def span_json(span: Span | None) -> dict[str, Any] | None:
    """A span as JSON (the same shape as ``seedance check --format json``)."""
    from ..syntax.report import span_json as _span_json

    return _span_json(span)


def diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    """One diagnostic as JSON (the same shape as ``seedance check --format json``)."""
    from ..syntax.report import diagnostic_json as _diagnostic_json

    return _diagnostic_json(d)


def _where(span: Span) -> str:
    return f"{span.file}:{span.line}:{span.column}" if span.line else span.file


def _clip_json(clip: CompiledClip) -> dict[str, Any]:
    out = _clip_json_core(clip)
    if clip.local_references:  # only then: the JSON of URL-only storyboards is unchanged
        out["local_inputs"] = [
            {"field": r.field, "asset": r.name, "path": r.local_path, "sha256": r.local_sha256}
            for r in clip.local_references
        ]
    return out


def _clip_json_core(clip: CompiledClip) -> dict[str, Any]:
    return {
        "name": clip.name,
        "valid": clip.valid,
        "idempotency_key": clip.preview_key() if clip.valid else None,
        "key_provisional": clip.has_placeholders,
        "depends_on": list(clip.depends_on),
        "inputs": [
            {
                "field": s.field,
                "index": s.index,
                "clip": s.clip,
                "output": s.output,
            }
            for s in clip.slots
        ],
        "body": dict(clip.payload),
        "verbatim": _verbatim(clip),
        "cast": _cast_of(clip),
        "origins": dict(clip.origins),
        "source_map": {k: span_json(v) for k, v in clip.source_map.items()},
        "span": span_json(clip.span),
    }


def _verbatim(clip: CompiledClip) -> bool:
    """The clip is text only: its prompt is sent as written, with no constraint package."""
    info = clip.context.get("clip") if clip.context else None
    return bool(info.get("raw")) if isinstance(info, Mapping) else False


def _cast_of(clip: CompiledClip) -> list[str]:
    """The cast members whose references the clip supplies, in payload order."""
    out: list[str] = []
    for r in clip.references:
        if r.member is not None and r.member not in out:
            out.append(r.member)
    return out


VERBATIM_NOTE = "sent verbatim: no constraint package (add `use standard`)"


def to_json(
    compiled: CompiledStoryboard,
    clips: Sequence[CompiledClip] | None = None,
    *,
    diagnostics: Sequence[Diagnostic] | None = None,
) -> dict[str, Any]:
    """The versioned envelope of ``--format json``: ``seedance check``'s envelope
    (``format_version``, ``tool``, ``valid``, ``counts``, ``files``, ``diagnostics``)
    plus the compiled clips.

    ``clips[i].body`` is the exact request body (placeholders where an earlier clip's
    output goes, see ``inputs``); ``idempotency_key`` is the key it would be sent with
    (``null`` for a clip with errors; provisional when ``key_provisional``).
    ``diagnostics`` defaults to all of the storyboard's (``--clip`` passes the selected
    clips' with :meth:`CompiledStoryboard.diagnostics_for`).
    """
    chosen = compiled.clips if clips is None else clips
    return _envelope(compiled, chosen, diagnostics, [_clip_json(c) for c in chosen])


class _Lazy(list[Any]):
    """The ``clips`` of the envelope for :func:`write_json`: a list whose items are made
    when the encoder reaches them (and dropped once encoded), never all at once.  Only
    for the pure-Python encoder of ``JSONEncoder(indent=...).iterencode``, which reads a
    list through ``len`` and ``iter`` (the C encoder would read the empty list beneath)."""

    def __init__(self, clips: Sequence[CompiledClip]) -> None:
        super().__init__()
        self._clips = clips

    def __len__(self) -> int:
        return len(self._clips)

    def __iter__(self) -> Iterator[Any]:
        return (_clip_json(c) for c in self._clips)


def _envelope(
    compiled: CompiledStoryboard,
    chosen: Sequence[CompiledClip],
    diagnostics: Sequence[Diagnostic] | None,
    clip_values: list[dict[str, Any]],
) -> dict[str, Any]:
    from ..syntax.report import to_json as envelope

    diags = compiled.diagnostics if diagnostics is None else tuple(diagnostics)
    return envelope(
        diags,
        [(compiled.path, not any(d.is_error for d in diags))],
        tool="compile",
        extra={
            "schema": JSON_SCHEMA,
            "schema_version": JSON_VERSION,
            "storyboard": compiled.title,
            "source_hash": compiled.source_hash,
            "endpoint": {"method": "POST", "path": CONTRACT.submit_path},
            "clips": clip_values,
            "graph": {c.name: list(c.depends_on) for c in chosen},
        },
    )


class Writer(Protocol):
    """Where :func:`write_json` writes: a text file, ``sys.stdout``, a buffer."""

    def write(self, text: str, /) -> object: ...


def write_json(
    out: Writer,
    compiled: CompiledStoryboard,
    clips: Sequence[CompiledClip] | None = None,
    *,
    diagnostics: Sequence[Diagnostic] | None = None,
) -> None:
    """Write the envelope of :func:`to_json` to ``out`` as it is encoded: exactly the
    text of ``json.dumps(to_json(...), indent=2, ensure_ascii=False)`` (no final
    newline), but each clip's JSON is made when the encoder reaches it and dropped once
    written, so the document is never held whole, as a dict or as a string.

    One encoder for the whole document, as ``json.dumps`` uses: an encoder per clip
    would leave a reference cycle per clip (its nested encoding functions), which a
    process with the cyclic GC off (``seedance compile``) never frees."""
    chosen = compiled.clips if clips is None else clips
    document = _envelope(compiled, chosen, diagnostics, _Lazy(chosen))
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False)
    pending: list[str] = []
    for piece in encoder.iterencode(document):
        pending.append(piece)
        if len(pending) >= _PIECES_PER_WRITE:
            out.write("".join(pending))
            pending.clear()
    out.write("".join(pending))


#: How many of the encoder's pieces (a key, a value, a bracket) make one write.
_PIECES_PER_WRITE = 1024


def error_json(message: str, *, kind: str = "usage", file: str | None = None) -> dict[str, Any]:
    """The envelope when nothing could be compiled (a usage error): still valid JSON."""
    from ..syntax.report import to_json as envelope

    return envelope(
        [],
        [(file, False)] if file else [],
        tool="compile",
        extra={
            "valid": False,
            "schema": JSON_SCHEMA,
            "schema_version": JSON_VERSION,
            "error": {"kind": kind, "message": message},
            "clips": [],
        },
    )


def _value_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


_ORIGIN_TEXT = {
    "default": "API default, sent explicitly",
    "inferred": "inferred from the assets",
    "shots": "sum of the shots",
    "defaults": "from defaults",
}


def format_text(compiled: CompiledStoryboard, clips: Sequence[CompiledClip] | None = None) -> str:
    """Each clip's parameters, inputs and prompt: readable in a terminal and in a diff
    (no colours, no timestamps, stable order)."""
    return "".join(iter_text(compiled, clips))


def iter_text(
    compiled: CompiledStoryboard, clips: Sequence[CompiledClip] | None = None
) -> Iterator[str]:
    """:func:`format_text` one clip at a time (the pieces join to its text)."""
    chosen = compiled.clips if clips is None else clips
    for i, clip in enumerate(chosen):
        yield ("\n" if i else "") + "\n".join(_clip_text(clip))


def _clip_text(clip: CompiledClip) -> list[str]:
    """The lines of one clip in the text view (the last one empty)."""
    out: list[str] = []
    head = f"clip {clip.name}"
    out.append(f"{head}  ({_where(clip.span)})")
    out.append("=" * len(head))
    key = clip.preview_key() if clip.valid else "(none: the clip has errors)"
    if clip.valid and clip.has_placeholders:
        key += "  (provisional: fixed once the inputs are rendered)"
    out.append(f"POST {CONTRACT.submit_path}")
    out.append(f"Idempotency-Key: {key}")
    if clip.depends_on:
        out.append(f"depends on: {', '.join(clip.depends_on)}")
    out.append("")
    rows = _text_rows(clip)
    width = max((len(r[0]) for r in rows), default=0)
    vwidth = min(max((len(r[1]) for r in rows), default=0), 48)
    for name, value, note in rows:
        line = f"  {name:<{width}}  {value:<{vwidth}}"
        if note:
            line += f"  # {note}"
        out.append(line.rstrip())
    out.append("")
    verbatim = f", {VERBATIM_NOTE}" if _verbatim(clip) else ""
    out.append(f"prompt ({len(clip.prompt)} characters{verbatim}):")
    for line in clip.prompt.splitlines() or [""]:
        out.append(f"  | {line}".rstrip())
    out.append("")
    return out


def _text_rows(clip: CompiledClip) -> list[tuple[str, str, str]]:
    """(field, value, note) of every parameter but the prompt, in payload order."""
    refs = {r.field: r for r in clip.references}
    rows: list[tuple[str, str, str]] = []
    for name, value in clip.payload.items():
        if name == "prompt":
            continue
        if name == "media_urls" and isinstance(value, list):
            for i, url in enumerate(value):
                fld = f"media_urls[{i}]"
                rows.append((fld, str(url), _note(clip, fld, refs)))
            continue
        rows.append((name, _value_text(value), _note(clip, name, refs)))
    return rows


def _note(clip: CompiledClip, field: str, refs: Mapping[str, Any]) -> str:
    parts: list[str] = []
    ref = refs.get(field)
    if ref is not None:
        parts.append(f"{ref.role} {ref.name} = {ref.phrase}")
    origin = clip.origins.get(field)
    if origin == "inferred" and not clip.references:
        return "inferred: the clip supplies no assets"
    if origin in _ORIGIN_TEXT:
        parts.append(_ORIGIN_TEXT[origin])
    span = clip.source_map.get(field)
    if span is not None and origin not in ("default",) and span.line:
        parts.append(f"line {span.line}")
    return "; ".join(parts)


def format_curl(compiled: CompiledStoryboard, clips: Sequence[CompiledClip] | None = None) -> str:
    """Ready-to-run ``curl`` commands, one per clip.  The key is read from
    ``$SEEDANCE_API_KEY`` by the shell (never inlined); the base URL from
    ``$SEEDANCE_BASE_URL``, defaulting to the contract's."""
    return "".join(iter_curl(compiled, clips))


def iter_curl(
    compiled: CompiledStoryboard, clips: Sequence[CompiledClip] | None = None
) -> Iterator[str]:
    """:func:`format_curl` one clip at a time (the pieces join to its text)."""
    chosen = compiled.clips if clips is None else clips
    url = f"${{{BASE_URL_ENV}:-{CONTRACT.default_base_url}}}{CONTRACT.submit_path}"
    yield "\n".join(
        [
            "#!/bin/sh",
            f"# {compiled.title}: {len(chosen)} clip(s), compiled from {Path(compiled.path).name}",
            f"# needs {API_KEY_ENV}; the base URL is ${BASE_URL_ENV} or {CONTRACT.default_base_url}",
            "",
        ]
    )
    for clip in chosen:
        yield "\n" + "\n".join(_clip_curl(clip, url))


def _clip_curl(clip: CompiledClip, url: str) -> list[str]:
    """The lines of one clip in the curl view (the last one empty)."""
    out = [f"# clip {clip.name} ({_where(clip.span)})"]
    if not clip.valid:
        out.append(f"# not compiled: clip {clip.name} has errors (see the diagnostics)")
        out.append("")
        return out
    if clip.local_references:
        files = ", ".join(sorted({r.local_path or "" for r in clip.local_references}))
        out.append(
            f"# uses local files: {files}; upload them and replace the <local file ...> "
            "placeholders with their URLs (`seedance render` does it)"
        )
    if clip.slots:
        needs = ", ".join(sorted({s.clip for s in clip.slots}))
        out.append(
            f"# needs the outputs of: {needs}; replace the <...> placeholders with their "
            "URLs first (the Idempotency-Key below is provisional)"
        )
    body = json.dumps(dict(clip.payload), indent=2, ensure_ascii=False)
    out.append(f'curl -sS -X POST "{url}" \\')
    out.append(f'  -H "Authorization: Bearer ${API_KEY_ENV}" \\')
    out.append("  -H 'Content-Type: application/json' \\")
    out.append(f"  -H {shlex.quote('Idempotency-Key: ' + clip.preview_key())} \\")
    out.append("  --data-binary @- <<'SEEDANCE_JSON'")
    out.append(body)
    out.append("SEEDANCE_JSON")
    out.append("")
    return out
