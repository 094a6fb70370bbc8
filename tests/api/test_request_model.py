"""The request model enforces every rule of the contract table (api.md)."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from seedance_dsl.api import CONTRACT, VideoRequest, url_problem

GLASS_TRAIN = {
    "mode": "text-to-video",
    "quality_tier": "standard",
    "prompt": "A cinematic shot of a glass train crossing a snowy mountain bridge",
    "aspect_ratio": "16:9",
    "duration": "5",
    "resolution": "720p",
}


def test_documented_example_round_trips_byte_for_byte() -> None:
    req = VideoRequest.model_validate(GLASS_TRAIN)
    assert json.dumps(req.to_payload()) == json.dumps(GLASS_TRAIN)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"mode": "video-to-video"}, "mode must be one of"),
        ({"quality_tier": "ultra"}, "quality_tier must be one of"),
        ({"channel": "fast"}, "channel must be one of"),
        ({"aspect_ratio": "2:1"}, "aspect_ratio must be one of"),
        ({"resolution": "8k"}, "resolution must be one of"),
        ({"duration": "3"}, "duration must be 4–15"),
        ({"duration": "16"}, "duration must be 4–15"),
        ({"duration": "5.5"}, "whole number"),
        ({"prompt": "ab"}, "prompt must be 3–10000"),
        ({"prompt": "x" * 10_001}, "prompt must be 3–10000"),
        ({"resolution": "4k"}, "needs quality_tier pro"),
        ({"resolution": "1080p-plus", "quality_tier": "standard"}, "needs quality_tier pro"),
        ({"seed": 1, "channel": "real"}, "not supported on the real channel"),
        ({"seed": 1, "quality_tier": "mini"}, "not supported on the mini tier"),
        ({"seed": -2}, "seed must be"),
        ({"seed": 4_294_967_296}, "seed must be"),
        ({"mode": "image-to-video"}, "needs image_url"),
        ({"mode": "media-to-video"}, "needs media_urls"),
        ({"mode": "media-to-video", "media_urls": []}, "needs media_urls"),
        ({"media_urls": ["https://cdn.example.com/a.png"] * 13}, "at most 12"),
        ({"image_url": "http://cdn.example.com/a.png"}, "plain http"),
        ({"image_url": "https://localhost/a.png"}, "localhost"),
        ({"image_url": "https://127.0.0.1/a.png"}, "loopback"),
        ({"image_url": "https://10.1.2.3/a.png"}, "private"),
        ({"image_url": "https://169.254.1.1/a.png"}, "link-local"),
        ({"end_image_url": "asset://img_123"}, "asset://"),
        ({"media_urls": ["https://[fe80::1]/v.mp4"]}, "link-local"),
        ({"teamSlug": "acme"}, "Extra inputs are not permitted"),
        ({"provider": "x"}, "Extra inputs are not permitted"),
    ],
)
def test_each_rule_rejects(change: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        VideoRequest.model_validate({**GLASS_TRAIN, **change})
    assert fragment in str(info.value)


def test_accepts_the_edges_of_every_range() -> None:
    VideoRequest.model_validate({**GLASS_TRAIN, "duration": "4", "seed": -1})
    VideoRequest.model_validate({**GLASS_TRAIN, "duration": "15", "seed": CONTRACT.seed_max})
    VideoRequest.model_validate({**GLASS_TRAIN, "quality_tier": "pro", "resolution": "4k"})
    VideoRequest.model_validate(
        {**GLASS_TRAIN, "mode": "media-to-video", "media_urls": ["https://a.example/x.png"] * 12}
    )


def test_duration_int_is_normalised_to_the_documented_string() -> None:
    assert VideoRequest.model_validate({**GLASS_TRAIN, "duration": 7}).duration == "7"


def test_loopback_http_only_with_explicit_context() -> None:
    body = {**GLASS_TRAIN, "mode": "image-to-video", "image_url": "http://127.0.0.1:8123/f.png"}
    with pytest.raises(ValidationError):
        VideoRequest.model_validate(body)
    ok = VideoRequest.model_validate(body, context={"allow_loopback_http": True})
    assert ok.image_url == "http://127.0.0.1:8123/f.png"
    # the opt-in never admits other hosts over plain http
    with pytest.raises(ValidationError):
        VideoRequest.model_validate(
            {**body, "image_url": "http://cdn.example.com/f.png"},
            context={"allow_loopback_http": True},
        )


def test_url_problem_accepts_public_https() -> None:
    assert url_problem("https://cdn.example.com/a.png") is None
    assert url_problem("https://8.8.8.8/a.png") is None
