"""Pydantic models of the contract: the request body, the task, the error envelope.

The request model is strict (``extra="forbid"``, every rule of :mod:`.spec` checked),
because it guards credits.  The response models are tolerant of fields the server
adds, because a server may grow.  All rules read their values from
:data:`~seedance_dsl.api.spec.CONTRACT`.

Validation context (``model_validate(data, context={...})``):

``allow_loopback_http``
    accept ``http://127.0.0.1/...``-style URLs (a local sandbox's own outputs).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..limits import LIMITS
from .body import LIMIT_EXCEEDED, SubmitResponse
from .rules import RuleProblem, cross_field_problems, field_problems, normalise_duration
from .spec import CONTRACT

__all__ = [
    "ErrorBody",
    "ErrorEnvelope",
    "SubmitResponse",
    "Task",
    "TaskError",
    "TaskOutput",
    "VideoRequest",
]


def _raise_first(problems: list[RuleProblem]) -> None:
    if problems:
        raise ValueError("; ".join(p.message for p in problems))


def _allow_loopback(info: ValidationInfo) -> bool:
    ctx = info.context
    return bool(ctx and ctx.get("allow_loopback_http"))


class VideoRequest(BaseModel):
    """The JSON body of ``POST {CONTRACT.submit_path}``.

    ``None`` means "not sent" (the server default applies); :meth:`to_payload` leaves
    such fields out.  Field order is the documented order, so payloads serialise in the
    same key order as the provider's example.  Every rule is the one of
    :mod:`seedance_dsl.api.rules` (shared with the compiler); this model adds pydantic's
    type coercion and ``extra="forbid"``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

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

    @field_validator(
        "mode",
        "quality_tier",
        "channel",
        "aspect_ratio",
        "resolution",
        "prompt",
        "seed",
        "image_url",
        "end_image_url",
        "media_urls",
    )
    @classmethod
    def _field_rules(cls, v: Any, info: ValidationInfo) -> Any:
        assert info.field_name is not None
        _raise_first(field_problems(info.field_name, v, allow_loopback_http=_allow_loopback(info)))
        return v

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, v: object) -> object:
        # The documented form is a string ("5"); an int is accepted and normalised.
        if v is None:
            return None
        _raise_first(field_problems("duration", v))
        return normalise_duration(v)

    @model_validator(mode="after")
    def _cross_field_rules(self) -> VideoRequest:
        _raise_first(cross_field_problems(self.model_dump()))
        return self

    def to_payload(self) -> dict[str, Any]:
        """The JSON-ready body: fields left ``None`` are not sent."""
        return self.model_dump(exclude_none=True)

    def canonical_json(self) -> str:
        """A stable serialisation (sorted keys, no spaces) for hashing."""
        return json.dumps(
            self.to_payload(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


def _bounded(value: object, name: str, what: str) -> object:
    row = LIMITS[name]
    if isinstance(value, str) and len(value) > row.value():
        raise PydanticCustomError(
            LIMIT_EXCEEDED,
            "{what} of {length} characters is longer than the limit of {max} ({env})",
            {
                "what": what,
                "length": len(value),
                "max": int(row.value()),
                "env": row.env,
                "limit": name,
            },
        )
    return value


class TaskOutput(_Tolerant):
    video_url: str | None = None
    last_frame_url: str | None = None
    seed: int | None = None

    @field_validator("video_url", "last_frame_url", mode="before")
    @classmethod
    def _url_length(cls, v: object, info: ValidationInfo) -> object:
        return _bounded(v, "url_chars", f"the {info.field_name}")


class TaskError(_Tolerant):
    code: str | None = None
    message: str | None = None


class Task(_Tolerant):
    """The answer of ``GET {CONTRACT.task_path}``."""

    id: str
    status: str
    model: str | None = None
    quality_tier: str | None = None
    channel: str | None = None
    credits_used: int | None = None
    credits_refunded: int | None = None
    output: TaskOutput | None = None
    error: TaskError | None = None
    created_at: str | None = None
    updated_at: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_length(cls, v: object) -> object:
        return _bounded(v, "task_id_chars", "a task id")

    @field_validator("error", mode="before")
    @classmethod
    def _error_shape(cls, v: object) -> object:
        # The contract does not fix the shape of a failed task's error: accept a bare
        # string as well as an object.
        if isinstance(v, str):
            return {"message": v}
        return v

    @property
    def is_terminal(self) -> bool:
        return self.status in CONTRACT.terminal_statuses


class ErrorBody(_Tolerant):
    code: str
    message: str = ""


class ErrorEnvelope(_Tolerant):
    """``{"error": {"code": ..., "message": ...}}``: the shape of every error."""

    error: ErrorBody
