"""The response models accept the provider's documented examples byte for byte (read
from api.md itself: tests/fixtures/spec/api.md, a checked copy of ../shared/spec/api.md) and tolerate extra fields."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from seedance_dsl.api import CONTRACT, ErrorEnvelope, SubmitResponse, Task

SPEC = Path(__file__).resolve().parents[1] / "fixtures" / "spec"  # as in tests/conftest.py


def _json_blocks() -> list[str]:
    text = (SPEC / "api.md").read_text(encoding="utf-8")
    return re.findall(r"```json\n(.*?)```", text, flags=re.S)


def _block(key_fragment: str) -> str:
    for block in _json_blocks():
        if key_fragment in block:
            return block
    raise AssertionError(f"no JSON example containing {key_fragment!r} in api.md")


def test_the_spec_has_the_examples() -> None:
    assert len(_json_blocks()) >= 4


def test_documented_submit_response() -> None:
    raw = _block('"status": "processing"')
    r = SubmitResponse.from_json(json.loads(raw))
    assert r.id == "sd2_xxxxx" and r.id.startswith(CONTRACT.task_id_prefix)
    assert r.status == "processing" and r.model == CONTRACT.model
    assert r.quality_tier == "standard" and r.channel == "standard"
    assert r.credits_used == 30
    # nothing lost: dumping gives back exactly the documented object
    assert r.to_json() == json.loads(raw)


def test_documented_completed_task() -> None:
    raw = _block('"status": "completed"')
    t = Task.model_validate_json(raw)
    assert t.status == "completed" and t.is_terminal
    assert t.credits_used == 30 and t.credits_refunded == 0
    assert t.output is not None
    assert t.output.video_url == "https://..." and t.output.last_frame_url == "https://..."
    assert t.output.seed == 123
    assert t.error is None
    assert t.created_at == "2026-06-03T10:00:00.000Z"
    assert t.updated_at == "2026-06-03T10:03:12.000Z"
    assert t.model_dump(exclude_unset=True) == json.loads(raw)


def test_documented_error_envelope() -> None:
    raw = _block('"error": {')
    e = ErrorEnvelope.model_validate_json(raw)
    assert e.error.code == "invalid_request" and e.error.message == "Invalid request body"
    assert e.error.code in {c.code for c in CONTRACT.errors}


def test_extra_fields_are_tolerated_and_kept() -> None:
    t = Task.model_validate(
        {
            "id": "sd2_1",
            "status": "processing",
            "progress": 0.4,
            "output": {"video_url": "https://x/v.mp4", "duration": 5.0},
            "error": None,
        }
    )
    assert t.model_extra == {"progress": 0.4}
    assert t.output is not None and t.output.model_extra == {"duration": 5.0}
    e = ErrorEnvelope.model_validate(
        {"error": {"code": "idempotency_conflict", "message": "m", "task_id": "sd2_9"}}
    )
    assert e.error.model_extra == {"task_id": "sd2_9"}
    s = SubmitResponse.from_json({"id": "sd2_1", "status": "processing", "eta_s": 190})
    assert s.extra == {"eta_s": 190}


def test_failed_task_with_string_error() -> None:
    t = Task.model_validate({"id": "sd2_1", "status": "failed", "error": "moderation"})
    assert t.is_terminal and t.error is not None and t.error.message == "moderation"


@pytest.mark.parametrize("missing", ["id", "status"])
def test_required_fields(missing: str) -> None:
    from pydantic import ValidationError

    data = {"id": "sd2_1", "status": "processing"}
    del data[missing]
    with pytest.raises(ValidationError):
        Task.model_validate(data)
