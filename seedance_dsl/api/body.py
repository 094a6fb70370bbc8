"""The request body and the submit answer as plain Python: no pydantic.

A render's path to its first submit must not pay for pydantic (~70 ms to import it and
build the models: docs/benchmarks.md, issue 12).  Everything it needs is here:

* :class:`RequestBody`, a request body the API's rules accept, checked by the one
  implementation of those rules (:func:`seedance_dsl.api.rules.body_problems`, which
  :class:`~seedance_dsl.api.models.VideoRequest` calls too).  It is what
  :meth:`seedance_dsl.compiler.model.CompiledClip.resolve` returns and what the renderer
  submits.  It judges the wire form (JSON types as sent; an int ``duration`` is
  normalised to its string, as the model does); the model's lax coercions (``"seed":
  "5"``) are for hand-written mappings, which the client still validates through the
  model.  ``tests/api/test_request_body.py`` checks that the two agree on every
  correctly typed body.
* :class:`SubmitResponse`, the ``202`` answer to a submit, parsed by
  :meth:`SubmitResponse.from_json` (tolerant of fields the server adds, like the
  pydantic response models).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..limits import LIMITS
from .rules import BODY_FIELDS, RuleProblem, body_problems, normalise_duration

__all__ = [
    "LIMIT_EXCEEDED",
    "RequestBody",
    "RequestRejected",
    "ResponseShapeError",
    "SubmitResponse",
]

#: error type of a response field longer than its limit; ``limit`` names the row of
#: :data:`seedance_dsl.limits.LIMITS` (the client turns it into a help line)
LIMIT_EXCEEDED = "limit_exceeded"


class RequestRejected(ValueError):
    """A request body breaks a rule of the API: ``problems`` lists every broken rule
    (each names its field and the rule's id, a key of
    :data:`seedance_dsl.api.rules.RULES`)."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestBody:
    """The JSON body of a submit, every rule of the API checked (build it with
    :meth:`check`).  ``None`` means "not sent"; the fields are those of
    :class:`~seedance_dsl.api.models.VideoRequest`, in the documented order."""

    mode: str | None = None
    quality_tier: str | None = None
    channel: str | None = None
    prompt: str
    aspect_ratio: str | None = None
    duration: str | None = None
    resolution: str | None = None
    image_url: str | None = None
    end_image_url: str | None = None
    media_urls: list[str] | None = None
    generate_audio: bool | None = None
    fixed_lens: bool | None = None
    seed: int | None = None

    @classmethod
    def check(cls, body: Mapping[str, Any], *, allow_loopback_http: bool = False) -> RequestBody:
        """``body`` as a :class:`RequestBody`, or :class:`RequestRejected` naming every
        rule it breaks (``allow_loopback_http``: accept a local sandbox's own
        ``http://127.0.0.1/...`` URLs)."""
        problems = body_problems(body, allow_loopback_http=allow_loopback_http)
        if problems:
            raise RequestRejected(problems)
        values = {k: body[k] for k in BODY_FIELDS if body.get(k) is not None}
        if "duration" in values:
            values["duration"] = normalise_duration(values["duration"])
        if "media_urls" in values:
            values["media_urls"] = list(values["media_urls"])
        return cls(**values)

    def to_payload(self) -> dict[str, Any]:
        """The JSON-ready body, in the documented field order: fields left ``None`` are
        not sent (as :meth:`VideoRequest.to_payload`)."""
        out: dict[str, Any] = {}
        for name in BODY_FIELDS:
            value = getattr(self, name)
            if value is not None:
                out[name] = list(value) if name == "media_urls" else value
        return out

    def canonical_json(self) -> str:
        """A stable serialisation (sorted keys, no spaces) for hashing; equal to
        :meth:`VideoRequest.canonical_json` of the same body."""
        return json.dumps(
            self.to_payload(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )


class ResponseShapeError(ValueError):
    """An answer of the server is not what the contract says (``limit``: the row of
    :data:`seedance_dsl.limits.LIMITS` a field exceeded, if that was the problem)."""

    def __init__(self, message: str, *, limit: str | None = None) -> None:
        super().__init__(message)
        self.limit = limit


def _text(data: Mapping[str, Any], name: str, *, required: bool) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            raise ResponseShapeError(f"{name}: Field required")
        return None
    if not isinstance(value, str):
        raise ResponseShapeError(f"{name}: Input should be a valid string")
    return value


@dataclass(frozen=True, slots=True)
class SubmitResponse:
    """The ``202`` answer to a submit.  Fields the contract does not name are kept in
    ``extra`` (a server may grow)."""

    id: str
    status: str
    model: str | None = None
    quality_tier: str | None = None
    channel: str | None = None
    credits_used: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: object) -> SubmitResponse:
        """The answer from its decoded JSON, or :class:`ResponseShapeError` saying
        which field is wrong (a task id longer than ``task_id_chars`` names that limit)."""
        if not isinstance(data, Mapping):
            raise ResponseShapeError("Input should be a valid dictionary or object")
        task_id = _text(data, "id", required=True)
        assert task_id is not None
        row = LIMITS["task_id_chars"]
        if len(task_id) > row.value():
            raise ResponseShapeError(
                f"a task id of {len(task_id)} characters is longer than the limit of "
                f"{int(row.value())} ({row.env})",
                limit=row.name,
            )
        status = _text(data, "status", required=True)
        assert status is not None
        credits = data.get("credits_used")
        if credits is not None:
            if isinstance(credits, float) and credits.is_integer():
                credits = int(credits)
            if isinstance(credits, bool) or not isinstance(credits, int):
                raise ResponseShapeError("credits_used: Input should be a valid integer")
        known = ("id", "status", "model", "quality_tier", "channel", "credits_used")
        return cls(
            id=task_id,
            status=status,
            model=_text(data, "model", required=False),
            quality_tier=_text(data, "quality_tier", required=False),
            channel=_text(data, "channel", required=False),
            credits_used=credits,
            extra={k: v for k, v in data.items() if k not in known},
        )

    def to_json(self) -> dict[str, Any]:
        """The answer as it came (its fields that were sent, then the extra ones)."""
        out: dict[str, Any] = {"id": self.id, "status": self.status}
        for name in ("model", "quality_tier", "channel", "credits_used"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        out.update(self.extra)
        return out
