"""The rules of the request body, as plain Python over a plain ``dict``.

This is the ONE implementation of the API's request rules.  Two users share it:

* :class:`seedance_dsl.api.models.VideoRequest` (pydantic) calls these functions from
  its validators, so a request built in Python is checked exactly as a compiled one;
* the compiler (:mod:`seedance_dsl.compiler`) runs :func:`body_problems` on every
  payload it builds and turns each :class:`RuleProblem` into a diagnostic at the
  ``.shot`` span that produced the field (through the clip's source map).

No pydantic here (``check`` and ``compile`` must not pay ~200 ms to build models), and
every value comes from :data:`~seedance_dsl.api.spec.CONTRACT`.

Every problem names the field it is about (``"resolution"``, ``"media_urls[3]"``) and
the id of the rule it breaks (a key of :data:`RULES`); a cross-field rule also names the
other fields involved (``related``).

The rules judge the wire form: JSON types as sent.  The pydantic model applies them
after its own (lax) type coercion, so it also accepts e.g. ``"seed": "5"`` or an int
``duration``, which it normalises; on correctly typed bodies the two agree exactly
(``tests/api/test_request_body.py`` checks this with hypothesis).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Final

from .spec import CONTRACT
from .urls import url_problem

__all__ = [
    "BODY_FIELDS",
    "RULES",
    "RuleProblem",
    "body_problems",
    "cross_field_problems",
    "field_problems",
    "normalise_duration",
]

#: The fields of the POST body, in the documented order (the key order of a payload).
BODY_FIELDS: Final[tuple[str, ...]] = (
    "mode",
    "quality_tier",
    "channel",
    "prompt",
    "aspect_ratio",
    "duration",
    "resolution",
    "image_url",
    "end_image_url",
    "media_urls",
    "generate_audio",
    "fixed_lens",
    "seed",
)

#: rule id -> what the rule says.  One id per rule of ``../shared/spec/api.md``.
RULES: Final[Mapping[str, str]] = {
    "fields.unknown": "only the documented fields may be sent (teamSlug, provider, ... are rejected)",
    "prompt.required": "prompt is required and is a string",
    "prompt.too_short": f"prompt has at least {CONTRACT.prompt_min_chars} characters",
    "prompt.too_long": f"prompt has at most {CONTRACT.prompt_max_chars} characters",
    "mode.allowed": f"mode is one of {', '.join(CONTRACT.modes)}",
    "quality_tier.allowed": f"quality_tier is one of {', '.join(CONTRACT.quality_tiers)}",
    "channel.allowed": f"channel is one of {', '.join(CONTRACT.channels)}",
    "aspect_ratio.allowed": f"aspect_ratio is one of {', '.join(CONTRACT.aspect_ratios)}",
    "resolution.allowed": f"resolution is one of {', '.join(CONTRACT.resolutions)}",
    "duration.whole": 'duration is a whole number of seconds, sent as a string ("5")',
    "duration.range": f"duration is {CONTRACT.duration_min}–{CONTRACT.duration_max} seconds",
    "seed.range": f"seed is an integer {CONTRACT.seed_min}–{CONTRACT.seed_max}",
    "bool.type": "generate_audio and fixed_lens are booleans",
    "url.public": "image_url, end_image_url and media_urls are public https URLs",
    "media_urls.type": "media_urls is a list of URL strings",
    "media_urls.max": f"media_urls holds at most {CONTRACT.media_urls_max} URLs",
    "resolution.pro_only": (
        f"resolution {' and '.join(CONTRACT.pro_only_resolutions)} only with "
        f"quality_tier {CONTRACT.pro_tier}"
    ),
    "seed.channel": f"no seed on the {', '.join(CONTRACT.seed_unsupported_channels)} channel",
    "seed.tier": f"no seed on the {', '.join(CONTRACT.seed_unsupported_tiers)} tier",
    "mode.image_needs_image_url": "image-to-video needs image_url (the start frame)",
    "mode.media_needs_media_urls": (
        f"media-to-video needs media_urls (1–{CONTRACT.media_urls_max} reference URLs)"
    ),
}

_ALLOWED: Final[Mapping[str, tuple[str, ...]]] = {
    "mode": CONTRACT.modes,
    "quality_tier": CONTRACT.quality_tiers,
    "channel": CONTRACT.channels,
    "aspect_ratio": CONTRACT.aspect_ratios,
    "resolution": CONTRACT.resolutions,
}


@dataclass(frozen=True, slots=True)
class RuleProblem:
    """One broken rule: which rule (a key of :data:`RULES`), which field, and why."""

    rule: str
    field: str
    message: str
    related: tuple[str, ...] = ()


def normalise_duration(value: object) -> str | None:
    """The documented string form of a duration (``7`` -> ``"7"``), or ``None`` if the
    value is not a whole number of seconds (the range is checked separately)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return str(int(value))
    return None


def field_problems(
    name: str, value: object, *, allow_loopback_http: bool = False
) -> list[RuleProblem]:
    """The problems of one field taken alone.  ``None`` means "not sent" and is fine for
    every field but ``prompt``."""
    c = CONTRACT
    if value is None:
        if name == "prompt":
            return [RuleProblem("prompt.required", name, "prompt is required")]
        return []
    if name in _ALLOWED:
        allowed = _ALLOWED[name]
        if not isinstance(value, str) or value not in allowed:
            return [
                RuleProblem(
                    f"{name}.allowed",
                    name,
                    f"{name} must be one of {', '.join(allowed)}; got {value!r}",
                )
            ]
        return []
    if name == "prompt":
        if not isinstance(value, str):
            return [RuleProblem("prompt.required", name, "prompt must be a string")]
        n = len(value)
        if n < c.prompt_min_chars or n > c.prompt_max_chars:
            rule = "prompt.too_short" if n < c.prompt_min_chars else "prompt.too_long"
            return [
                RuleProblem(
                    rule,
                    name,
                    f"prompt must be {c.prompt_min_chars}–{c.prompt_max_chars} characters; "
                    f"it has {n}",
                )
            ]
        return []
    if name == "duration":
        text = normalise_duration(value)
        if text is None:
            return [
                RuleProblem(
                    "duration.whole",
                    name,
                    'duration must be a whole number of seconds, as a string like "5"',
                )
            ]
        if not c.duration_min <= int(text) <= c.duration_max:
            return [
                RuleProblem(
                    "duration.range",
                    name,
                    f"duration must be {c.duration_min}–{c.duration_max} seconds; got {text}",
                )
            ]
        return []
    if name == "seed":
        if isinstance(value, bool) or not isinstance(value, int):
            return [RuleProblem("seed.range", name, f"seed must be an integer; got {value!r}")]
        if not c.seed_min <= value <= c.seed_max:
            return [
                RuleProblem(
                    "seed.range", name, f"seed must be {c.seed_min}–{c.seed_max}; got {value}"
                )
            ]
        return []
    if name in ("generate_audio", "fixed_lens"):
        if not isinstance(value, bool):
            return [RuleProblem("bool.type", name, f"{name} must be true or false")]
        return []
    if name in ("image_url", "end_image_url"):
        return _url_problems(name, value, allow_loopback_http)
    if name == "media_urls":
        if not isinstance(value, list | tuple):
            return [RuleProblem("media_urls.type", name, "media_urls must be a list of URLs")]
        if len(value) > c.media_urls_max:
            return [
                RuleProblem(
                    "media_urls.max",
                    f"{name}[{c.media_urls_max}]",
                    f"media_urls holds at most {c.media_urls_max} URLs; got {len(value)}",
                )
            ]
        out: list[RuleProblem] = []
        for i, url in enumerate(value):
            out += _url_problems(f"media_urls[{i}]", url, allow_loopback_http)
        return out
    return [RuleProblem("fields.unknown", name, f"{name}: Extra inputs are not permitted")]


def _url_problems(field: str, value: object, allow_loopback_http: bool) -> list[RuleProblem]:
    if not isinstance(value, str):
        return [RuleProblem("url.public", field, f"{field} must be a URL string")]
    problem = url_problem(value, allow_loopback_http=allow_loopback_http)
    if problem:
        return [RuleProblem("url.public", field, f"{field} {value!r} is not allowed: {problem}")]
    return []


def cross_field_problems(body: Mapping[str, object]) -> list[RuleProblem]:
    """The rules that tie fields together; absent fields take the server's defaults."""
    c = CONTRACT
    tier = body.get("quality_tier") or c.defaults["quality_tier"]
    channel = body.get("channel") or c.defaults["channel"]
    mode = body.get("mode") or c.defaults["mode"]
    out: list[RuleProblem] = []
    resolution = body.get("resolution")
    if resolution in c.pro_only_resolutions and tier != c.pro_tier:
        out.append(
            RuleProblem(
                "resolution.pro_only",
                "resolution",
                f"resolution {resolution} needs quality_tier {c.pro_tier}; got {tier}",
                related=("quality_tier",),
            )
        )
    if body.get("seed") is not None:
        if channel in c.seed_unsupported_channels:
            out.append(
                RuleProblem(
                    "seed.channel",
                    "seed",
                    f"seed is not supported on the {channel} channel",
                    related=("channel",),
                )
            )
        if tier in c.seed_unsupported_tiers:
            out.append(
                RuleProblem(
                    "seed.tier",
                    "seed",
                    f"seed is not supported on the {tier} tier",
                    related=("quality_tier",),
                )
            )
    if mode == "image-to-video" and not body.get("image_url"):
        out.append(
            RuleProblem(
                "mode.image_needs_image_url",
                "mode",
                "image-to-video needs image_url (the start frame)",
                related=("image_url",),
            )
        )
    if mode == "media-to-video" and not body.get("media_urls"):
        out.append(
            RuleProblem(
                "mode.media_needs_media_urls",
                "mode",
                f"media-to-video needs media_urls (1–{c.media_urls_max} reference URLs)",
                related=("media_urls",),
            )
        )
    return out


def body_problems(
    body: Mapping[str, object],
    *,
    allow_loopback_http: bool = False,
    unchecked: Collection[str] = (),
) -> list[RuleProblem]:
    """Every problem of a whole request body, field by field in the documented order,
    then the cross-field rules.  An empty list means the API would accept the body (as
    far as its documented rules go).

    ``unchecked`` names URL fields (``"image_url"``, ``"media_urls[2]"``) that hold a
    placeholder for an output of another clip: their URL rule is checked when the real
    URL is filled in (:meth:`seedance_dsl.compiler.model.CompiledClip.resolve`).
    """
    out: list[RuleProblem] = []
    for name in body:
        if name not in BODY_FIELDS:
            out.append(
                RuleProblem("fields.unknown", name, f"{name}: Extra inputs are not permitted")
            )
    if "prompt" not in body:
        out.append(RuleProblem("prompt.required", "prompt", "prompt is required"))
    for name in BODY_FIELDS:
        if name not in body:
            continue
        for p in field_problems(name, body[name], allow_loopback_http=allow_loopback_http):
            if p.rule == "url.public" and p.field in unchecked:
                continue
            out.append(p)
    out += cross_field_problems(body)
    return out
