"""api/rules.py: one pure-Python implementation of the request rules, shared by the
pydantic model and the compiler.  Each rule id has a body that breaks it; removing a
rule from rules.py makes its case here fail."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from seedance_dsl.api.rules import RULES, body_problems, normalise_duration

OK: dict[str, Any] = {
    "mode": "text-to-video",
    "quality_tier": "standard",
    "prompt": "A cinematic shot of a glass train crossing a snowy mountain bridge",
    "aspect_ratio": "16:9",
    "duration": "5",
    "resolution": "720p",
}

#: rule id -> (change to OK, field the problem names)
BREAKS: dict[str, tuple[dict[str, Any], str]] = {
    "fields.unknown": ({"teamSlug": "acme"}, "teamSlug"),
    "prompt.required": ({"prompt": None}, "prompt"),
    "prompt.too_short": ({"prompt": "ab"}, "prompt"),
    "prompt.too_long": ({"prompt": "x" * 10_001}, "prompt"),
    "mode.allowed": ({"mode": "video-to-video"}, "mode"),
    "quality_tier.allowed": ({"quality_tier": "ultra"}, "quality_tier"),
    "channel.allowed": ({"channel": "fast"}, "channel"),
    "aspect_ratio.allowed": ({"aspect_ratio": "2:1"}, "aspect_ratio"),
    "resolution.allowed": ({"resolution": "8k"}, "resolution"),
    "duration.whole": ({"duration": "5.5"}, "duration"),
    "duration.range": ({"duration": "16"}, "duration"),
    "seed.range": ({"seed": 4_294_967_296}, "seed"),
    "bool.type": ({"generate_audio": "yes"}, "generate_audio"),
    "url.public": ({"image_url": "http://cdn.example.com/a.png"}, "image_url"),
    "media_urls.type": ({"media_urls": "https://cdn.example.com/a.png"}, "media_urls"),
    "media_urls.max": ({"media_urls": ["https://cdn.example.com/a.png"] * 13}, "media_urls[12]"),
    "resolution.pro_only": ({"resolution": "4k"}, "resolution"),
    "seed.channel": ({"seed": 1, "channel": "real"}, "seed"),
    "seed.tier": ({"seed": 1, "quality_tier": "mini"}, "seed"),
    "mode.image_needs_image_url": ({"mode": "image-to-video"}, "mode"),
    "mode.media_needs_media_urls": ({"mode": "media-to-video"}, "mode"),
}


def test_every_rule_has_a_breaking_case() -> None:
    assert set(BREAKS) == set(RULES)


def test_the_documented_example_has_no_problem() -> None:
    assert body_problems(OK) == []


@pytest.mark.parametrize("rule", sorted(BREAKS))
def test_each_rule_is_reported_with_its_field(rule: str) -> None:
    change, field = BREAKS[rule]
    body = {k: v for k, v in {**OK, **change}.items() if v is not None}
    problems = body_problems(body)
    assert [(p.rule, p.field) for p in problems] == [(rule, field)]


def test_cross_field_rules_name_the_related_fields() -> None:
    (p,) = body_problems({**OK, "resolution": "4k"})
    assert p.related == ("quality_tier",)
    (p,) = body_problems({**OK, "seed": 3, "channel": "real"})
    assert p.related == ("channel",)


def test_media_url_problems_name_the_index() -> None:
    body = {**OK, "media_urls": ["https://a.example/x.png", "https://localhost/y.png"]}
    assert [p.field for p in body_problems(body)] == ["media_urls[1]"]


def test_placeholders_can_be_left_unchecked() -> None:
    body = {**OK, "mode": "image-to-video", "image_url": "<last frame of clip a>"}
    assert [p.rule for p in body_problems(body)] == ["url.public"]
    assert body_problems(body, unchecked={"image_url"}) == []


def test_duration_normalisation() -> None:
    assert normalise_duration(7) == "7"
    assert normalise_duration("07") == "7"
    assert normalise_duration(True) is None
    assert normalise_duration("5.0") is None


def test_rules_module_does_not_import_pydantic() -> None:
    tree = ast.parse(Path(__import__("seedance_dsl.api.rules").api.rules.__file__).read_text())
    names = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    mods = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not any("pydantic" in (m or "") for m in [*names, *mods])


# ---------------------------------------------------------------- one implementation
# That body_problems (and RequestBody.check, built on it) accept exactly what the pydantic
# VideoRequest accepts, on hypothesis' bodies, and that the fields are the documented ones
# in order: tests/api/test_request_body.py.
