"""api/body.py: the pydantic-free request body and submit answer agree with the models.

RequestBody is what a compiled clip resolves to and what the renderer submits (issue 12:
no pydantic before the first POST).  It must accept exactly what VideoRequest accepts on
correctly typed bodies, send the same payload and hash to the same canonical JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from seedance_dsl.api import CONTRACT, RequestBody, RequestRejected, SubmitResponse, VideoRequest
from seedance_dsl.api.body import ResponseShapeError
from seedance_dsl.api.rules import BODY_FIELDS, body_problems

_urls = st.sampled_from(
    [
        "https://cdn.example.com/a.png",
        "https://8.8.8.8/v.mp4",
        "http://cdn.example.com/a.png",
        "http://127.0.0.1:8799/files/a.png",
        "https://localhost/a.png",
        "https://10.0.0.1/a.png",
        "asset://img_1",
    ]
)
_bodies = st.fixed_dictionaries(
    {"prompt": st.text(min_size=0, max_size=12)},
    optional={
        "mode": st.sampled_from([*CONTRACT.modes, "bogus"]),
        "quality_tier": st.sampled_from([*CONTRACT.quality_tiers, "ultra"]),
        "channel": st.sampled_from([*CONTRACT.channels, "fast"]),
        "aspect_ratio": st.sampled_from([*CONTRACT.aspect_ratios, "2:1"]),
        "duration": st.one_of(st.integers(0, 20), st.integers(0, 20).map(str)),
        "resolution": st.sampled_from([*CONTRACT.resolutions, "8k"]),
        "image_url": _urls,
        "end_image_url": _urls,
        "media_urls": st.lists(_urls, max_size=14),
        "generate_audio": st.booleans(),
        "fixed_lens": st.booleans(),
        "seed": st.integers(-3, CONTRACT.seed_max + 2),
        "teamSlug": st.just("x"),
    },
)


@settings(max_examples=400, deadline=None)
@given(_bodies, st.booleans())
def test_request_body_accepts_what_the_model_accepts(body: dict[str, Any], loopback: bool) -> None:
    try:
        model = VideoRequest.model_validate(body, context={"allow_loopback_http": loopback})
    except ValidationError:
        model = None
    assert bool(body_problems(body, allow_loopback_http=loopback)) == (model is None)
    try:
        ours = RequestBody.check(body, allow_loopback_http=loopback)
    except RequestRejected as exc:
        assert model is None, f"the model accepts what RequestBody refuses: {exc}"
        assert exc.problems and str(exc)
        return
    assert model is not None, f"RequestBody accepts what the model refuses: {body}"
    # the same bytes on the wire, in the same key order, and the same identity
    assert json.dumps(ours.to_payload()) == json.dumps(model.to_payload())
    assert ours.canonical_json() == model.canonical_json()
    for name in BODY_FIELDS:
        assert getattr(ours, name) == getattr(model, name)


def test_the_payload_is_a_copy_and_the_body_compares_by_value() -> None:
    body = {
        "prompt": "A glass train crosses a snowy bridge",
        "media_urls": ["https://c.example/a.png"],
    }
    a = RequestBody.check(body)
    b = RequestBody.check(dict(body))
    assert a == b
    a.to_payload()["media_urls"].append("https://c.example/b.png")
    assert a.media_urls == ["https://c.example/a.png"]
    assert a != RequestBody.check({**body, "seed": 3})


def test_a_rejection_names_every_rule_broken() -> None:
    with pytest.raises(RequestRejected) as info:
        RequestBody.check({"prompt": "hi", "resolution": "8k", "provider": "x"})
    rules = {p.rule for p in info.value.problems}
    assert {"fields.unknown", "prompt.too_short", "resolution.allowed"} <= rules
    assert isinstance(info.value, ValueError)


# ------------------------------------------------------------------- SubmitResponse


def test_submit_answer_keeps_extra_fields() -> None:
    r = SubmitResponse.from_json(
        {"id": "sd2_1", "status": "processing", "credits_used": 30.0, "eta_s": 190}
    )
    assert (r.id, r.status, r.credits_used, r.extra) == ("sd2_1", "processing", 30, {"eta_s": 190})
    assert r.to_json() == {"id": "sd2_1", "status": "processing", "credits_used": 30, "eta_s": 190}


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ([], "dictionary"),
        ({"status": "processing"}, "id: Field required"),
        ({"id": 7, "status": "processing"}, "id: Input should be a valid string"),
        ({"id": "sd2_1"}, "status: Field required"),
        ({"id": "sd2_1", "status": "processing", "credits_used": "30"}, "credits_used"),
        ({"id": "sd2_1", "status": "processing", "credits_used": True}, "credits_used"),
        ({"id": "sd2_1", "status": "processing", "model": 3}, "model"),
    ],
)
def test_submit_answer_outside_the_contract_says_which_field(data: object, says: str) -> None:
    with pytest.raises(ResponseShapeError, match=says):
        SubmitResponse.from_json(data)


def test_a_task_id_over_its_limit_names_the_limit() -> None:
    with pytest.raises(ResponseShapeError) as info:
        SubmitResponse.from_json({"id": "sd2_" + "x" * 5000, "status": "processing"})
    assert info.value.limit == "task_id_chars"


def test_the_submit_path_modules_import_no_pydantic() -> None:
    """What a render needs up to its first POST: the compiled clip's request, the
    client, the renderer.  (tests/render/test_first_post_imports.py checks a real run.)"""
    code = (
        "import sys\n"
        "import seedance_dsl.api.body, seedance_dsl.client.client, seedance_dsl.render.runner\n"
        "import seedance_dsl.render.commands\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core'))\n"
        "bad += [m for m in ('seedance_dsl.api.models',) if m in sys.modules]\n"
        "print(' '.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""


def test_the_fields_are_the_documented_ones_in_order() -> None:
    import dataclasses

    assert [f.name for f in dataclasses.fields(RequestBody)] == list(BODY_FIELDS)
    assert list(VideoRequest.model_fields) == list(BODY_FIELDS)
    for f in dataclasses.fields(RequestBody):  # the same types too
        theirs = VideoRequest.model_fields[f.name].annotation
        assert f.type == getattr(theirs, "__name__", str(theirs)), f.name
