"""The JSON schema (draft 2020-12) of ``seedance compile --format json``.

The envelope is built from plain dicts (``seedance_dsl.compiler.output.to_json`` over
``seedance_dsl.syntax.report.to_json``), not from models, so the schema is written here;
``tests/agents/test_schema.py`` validates real compile output (of every example, with
errors, and a usage error) against it.  The MCP ``compile`` tool returns the same
envelope, each clip with ``prompt`` and ``references`` in addition.  The server serves
it as the resource ``seedance://schema/compile``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["COMPILE_SCHEMA"]

_SPAN: dict[str, Any] = {
    "type": ["object", "null"],
    "description": "A source range: 1-based line/column, 0-based character offsets.",
    "required": ["file", "line", "column", "end_line", "end_column", "start", "end"],
    "properties": {
        "file": {"type": "string"},
        "line": {"type": "integer", "minimum": 0},
        "column": {"type": "integer", "minimum": 0},
        "end_line": {"type": "integer", "minimum": 0},
        "end_column": {"type": "integer", "minimum": 0},
        "start": {"type": "integer", "minimum": 0},
        "end": {"type": "integer", "minimum": 0},
    },
}

_DIAGNOSTIC: dict[str, Any] = {
    "type": "object",
    "required": ["code", "severity", "title", "message", "file", "span", "labels", "help"],
    "properties": {
        "code": {"type": "string", "pattern": "^SHOT[0-9]{3}$"},
        "severity": {"enum": ["error", "warning", "note"]},
        "title": {"type": "string"},
        "message": {"type": "string"},
        "file": {"type": ["string", "null"]},
        "span": {"$ref": "#/$defs/span"},
        "labels": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["message", "span"],
                "properties": {"message": {"type": "string"}, "span": {"$ref": "#/$defs/span"}},
            },
        },
        "help": {"type": ["string", "null"]},
        "notes": {"type": "array", "items": {"type": "string"}},
        "line": {"type": ["integer", "null"], "description": "MCP tool output only."},
        "column": {"type": ["integer", "null"], "description": "MCP tool output only."},
    },
}

_CLIP: dict[str, Any] = {
    "type": "object",
    "required": [
        "name",
        "valid",
        "idempotency_key",
        "key_provisional",
        "depends_on",
        "inputs",
        "body",
        "verbatim",
        "cast",
        "origins",
        "source_map",
        "span",
    ],
    "properties": {
        "name": {"type": "string"},
        "valid": {"type": "boolean"},
        "idempotency_key": {
            "type": ["string", "null"],
            "description": "The Idempotency-Key it is sent with; null for a clip with errors.",
        },
        "key_provisional": {
            "type": "boolean",
            "description": "True while the body holds placeholders for earlier clips' outputs.",
        },
        "depends_on": {"type": "array", "items": {"type": "string"}},
        "inputs": {
            "type": "array",
            "description": "Where an earlier clip's output goes into this clip's body.",
            "items": {
                "type": "object",
                "required": ["field", "index", "clip", "output"],
                "properties": {
                    "field": {"enum": ["image_url", "end_image_url", "media_urls"]},
                    "index": {"type": ["integer", "null"]},
                    "clip": {"type": "string"},
                    "output": {"enum": ["video", "last_frame"]},
                },
            },
        },
        "body": {
            "type": "object",
            "description": "The exact request body of POST endpoint.path (placeholders "
            "where an earlier clip's output goes); docs/compiler.md.",
            "properties": {
                "prompt": {"type": "string"},
                "mode": {"type": "string"},
            },
        },
        "verbatim": {
            "type": "boolean",
            "description": "A text-only clip: its prompt is sent as written, with no "
            "constraint package (docs/language.md; SHOT217).",
        },
        "cast": {
            "type": "array",
            "description": "The cast members (character/product) whose references the clip "
            "supplies, in payload order.",
            "items": {"type": "string"},
        },
        "origins": {
            "type": "object",
            "description": "Where each body field's value came from.",
            "additionalProperties": {"type": "string"},
        },
        "source_map": {
            "type": "object",
            "description": "The .shot source of each body field.",
            "additionalProperties": {"$ref": "#/$defs/span"},
        },
        "span": {"$ref": "#/$defs/span"},
        "prompt": {"type": "string", "description": "MCP tool output only: the prompt text."},
        "references": {
            "type": "array",
            "description": "MCP tool output only: each asset with its role.",
            "items": {
                "type": "object",
                "required": ["name", "role", "kind", "field", "phrase", "url"],
                "properties": {
                    "name": {"type": "string"},
                    "role": {"type": "string"},
                    "kind": {"enum": ["image", "video"]},
                    "field": {"type": "string"},
                    "position": {"type": ["integer", "null"]},
                    "phrase": {"type": "string"},
                    "url": {"type": "string"},
                },
            },
        },
    },
}

COMPILE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "seedance://schema/compile",
    "title": "seedance compile --format json",
    "description": "The output of `seedance compile --format json` and of the MCP `compile` "
    "tool: seedance check's envelope plus the compiled clips.  `schema_version` is bumped "
    "on any incompatible change.",
    "type": "object",
    "required": [
        "format_version",
        "tool",
        "valid",
        "counts",
        "files",
        "diagnostics",
        "schema",
        "schema_version",
        "clips",
    ],
    "properties": {
        "format_version": {"const": 1},
        "tool": {"const": "seedance compile"},
        "valid": {"type": "boolean"},
        "counts": {
            "type": "object",
            "required": ["error", "warning", "note"],
            "properties": {
                "error": {"type": "integer", "minimum": 0},
                "warning": {"type": "integer", "minimum": 0},
                "note": {"type": "integer", "minimum": 0},
            },
        },
        "files": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "valid"],
                "properties": {"path": {"type": "string"}, "valid": {"type": "boolean"}},
            },
        },
        "diagnostics": {"type": "array", "items": {"$ref": "#/$defs/diagnostic"}},
        "schema": {"const": "seedance-dsl/compile"},
        "schema_version": {"const": 1},
        "storyboard": {"type": ["string", "null"], "description": "The storyboard's title."},
        "source_hash": {"type": "string"},
        "endpoint": {
            "type": "object",
            "required": ["method", "path"],
            "properties": {"method": {"const": "POST"}, "path": {"type": "string"}},
        },
        "clips": {"type": "array", "items": {"$ref": "#/$defs/clip"}},
        "graph": {
            "type": "object",
            "description": "clip -> the clips it needs.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "error": {
            "type": "object",
            "description": "Only when nothing could be compiled (a usage error).",
            "required": ["kind", "message"],
            "properties": {"kind": {"type": "string"}, "message": {"type": "string"}},
        },
    },
    "$defs": {"span": _SPAN, "diagnostic": _DIAGNOSTIC, "clip": _CLIP},
}
