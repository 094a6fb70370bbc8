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

from .spec import CONTRACT
from .urls import url_problem

__all__ = [
    "ErrorBody",
    "ErrorEnvelope",
    "SubmitResponse",
    "Task",
    "TaskError",
    "TaskOutput",
    "VideoRequest",
]


def _one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def _allow_loopback(info: ValidationInfo) -> bool:
    ctx = info.context
    return bool(ctx and ctx.get("allow_loopback_http"))


class VideoRequest(BaseModel):
    """The JSON body of ``POST {CONTRACT.submit_path}``.

    ``None`` means "not sent" (the server default applies); :meth:`to_payload` leaves
    such fields out.  Field order is the documented order, so payloads serialise in the
    same key order as the provider's example.
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

    @field_validator("mode")
    @classmethod
    def _mode(cls, v: str | None) -> str | None:
        return None if v is None else _one_of(v, CONTRACT.modes, "mode")

    @field_validator("quality_tier")
    @classmethod
    def _tier(cls, v: str | None) -> str | None:
        return None if v is None else _one_of(v, CONTRACT.quality_tiers, "quality_tier")

    @field_validator("channel")
    @classmethod
    def _channel(cls, v: str | None) -> str | None:
        return None if v is None else _one_of(v, CONTRACT.channels, "channel")

    @field_validator("aspect_ratio")
    @classmethod
    def _aspect(cls, v: str | None) -> str | None:
        return None if v is None else _one_of(v, CONTRACT.aspect_ratios, "aspect_ratio")

    @field_validator("resolution")
    @classmethod
    def _resolution(cls, v: str | None) -> str | None:
        return None if v is None else _one_of(v, CONTRACT.resolutions, "resolution")

    @field_validator("prompt")
    @classmethod
    def _prompt(cls, v: str) -> str:
        n = len(v)
        if not CONTRACT.prompt_min_chars <= n <= CONTRACT.prompt_max_chars:
            raise ValueError(
                f"prompt must be {CONTRACT.prompt_min_chars}–{CONTRACT.prompt_max_chars} "
                f"characters; it has {n}"
            )
        return v

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, v: object) -> object:
        # The documented form is a string ("5"); an int is accepted and normalised.
        if v is None:
            return None
        if isinstance(v, bool):
            raise ValueError("duration must be a whole number of seconds, as a string")
        if isinstance(v, int):
            v = str(v)
        if not isinstance(v, str) or not v.isdigit():
            raise ValueError('duration must be a whole number of seconds, as a string like "5"')
        if not CONTRACT.duration_min <= int(v) <= CONTRACT.duration_max:
            raise ValueError(
                f"duration must be {CONTRACT.duration_min}–{CONTRACT.duration_max} seconds; got {v}"
            )
        return str(int(v))

    @field_validator("seed")
    @classmethod
    def _seed(cls, v: int | None) -> int | None:
        if v is not None and not CONTRACT.seed_min <= v <= CONTRACT.seed_max:
            raise ValueError(f"seed must be {CONTRACT.seed_min}–{CONTRACT.seed_max}; got {v}")
        return v

    @field_validator("image_url", "end_image_url")
    @classmethod
    def _url(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is not None:
            problem = url_problem(v, allow_loopback_http=_allow_loopback(info))
            if problem:
                raise ValueError(f"{info.field_name} {v!r} is not allowed: {problem}")
        return v

    @field_validator("media_urls")
    @classmethod
    def _media_urls(cls, v: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if v is None:
            return None
        if len(v) > CONTRACT.media_urls_max:
            raise ValueError(
                f"media_urls holds at most {CONTRACT.media_urls_max} URLs; got {len(v)}"
            )
        for i, url in enumerate(v):
            problem = url_problem(url, allow_loopback_http=_allow_loopback(info))
            if problem:
                raise ValueError(f"media_urls[{i}] {url!r} is not allowed: {problem}")
        return v

    @model_validator(mode="after")
    def _cross_field_rules(self) -> VideoRequest:
        c = CONTRACT
        tier = self.quality_tier or str(c.defaults["quality_tier"])
        channel = self.channel or str(c.defaults["channel"])
        mode = self.mode or str(c.defaults["mode"])
        if self.resolution in c.pro_only_resolutions and tier != c.pro_tier:
            raise ValueError(
                f"resolution {self.resolution} needs quality_tier {c.pro_tier}; got {tier}"
            )
        if self.seed is not None:
            if channel in c.seed_unsupported_channels:
                raise ValueError(f"seed is not supported on the {channel} channel")
            if tier in c.seed_unsupported_tiers:
                raise ValueError(f"seed is not supported on the {tier} tier")
        if mode == "image-to-video" and not self.image_url:
            raise ValueError("image-to-video needs image_url (the start frame)")
        if mode == "media-to-video" and not self.media_urls:
            raise ValueError(
                f"media-to-video needs media_urls (1–{c.media_urls_max} reference URLs)"
            )
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


class SubmitResponse(_Tolerant):
    """The ``202`` answer to a submit."""

    id: str
    status: str
    model: str | None = None
    quality_tier: str | None = None
    channel: str | None = None
    credits_used: int | None = None


class TaskOutput(_Tolerant):
    video_url: str | None = None
    last_frame_url: str | None = None
    seed: int | None = None


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
