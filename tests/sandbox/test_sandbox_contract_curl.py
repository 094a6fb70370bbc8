"""The provider's own documented curl requests, run with real curl against the sandbox.

The commands below are copied verbatim from the provider's page (its checked copy,
``tests/fixtures/spec/seedance-api-page.txt``); only the base URL is swapped, and the
key comes from ``$SEEDANCE_API_KEY`` exactly as documented.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from typing import Any

import pytest
from sandbox_testlib import (
    ISO_MS,
    SUBMIT_KEYS,
    TASK_KEYS,
    CurlResult,
    assert_error,
    parse_curl_output,
    run_curl,
)

from seedance_dsl.api.spec import CONTRACT

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")

SUBMIT_CURL = """\
curl -X POST https://seedance2ai.io/api/v1/video/seedance2 \\
  -H "Authorization: Bearer $SEEDANCE_API_KEY" \\
  -H "Content-Type: application/json" \\
  -H "Idempotency-Key: demo-video-001" \\
  -d '{
    "mode": "text-to-video",
    "quality_tier": "standard",
    "prompt": "A cinematic shot of a glass train crossing a snowy mountain bridge",
    "aspect_ratio": "16:9",
    "duration": "5",
    "resolution": "720p"
  }'"""

TASK_CURL = """\
curl https://seedance2ai.io/api/v1/tasks/sd2_xxxxx \\
  -H "Authorization: Bearer $SEEDANCE_API_KEY\""""


def test_commands_are_verbatim_copies_of_the_providers_page(repo_root: Any) -> None:
    page = repo_root / "tests" / "fixtures" / "spec" / "seedance-api-page.txt"
    text = page.read_text(encoding="utf-8")
    assert SUBMIT_CURL in text
    assert TASK_CURL in text


def _task_curl(task_id: str) -> str:
    return TASK_CURL.replace("sd2_xxxxx", task_id)


def test_documented_submit_and_task_requests(sandbox: Any) -> None:
    r = run_curl(SUBMIT_CURL, sandbox.base_url, sandbox.api_key)
    assert r.status_code == 202, r.text
    body = r.json()
    assert set(body) == SUBMIT_KEYS
    assert body["id"].startswith(CONTRACT.task_id_prefix)
    assert body["status"] == "processing"
    assert body["model"] == CONTRACT.model
    assert (body["quality_tier"], body["channel"]) == ("standard", "standard")
    # The one price the provider documents.
    assert body["credits_used"] == CONTRACT.documented_prices[("standard", 5, "720p")] == 30
    assert r.headers["content-type"].startswith("application/json")

    first = run_curl(_task_curl(body["id"]), sandbox.base_url, sandbox.api_key).json()
    assert set(first) == TASK_KEYS
    deadline = time.monotonic() + 20
    task = first
    while task["status"] == "processing":
        assert time.monotonic() < deadline, task
        time.sleep(0.1)
        res = run_curl(_task_curl(body["id"]), sandbox.base_url, sandbox.api_key)
        if res.status_code == 429:
            continue
        task = res.json()
    assert res.status_code == 200
    assert set(task) == TASK_KEYS
    assert task["status"] == "completed"
    assert task["id"] == body["id"]
    assert task["credits_used"] == 30 and task["credits_refunded"] == 0
    assert task["error"] is None
    assert set(task["output"]) == {"video_url", "last_frame_url", "seed"}
    assert isinstance(task["output"]["seed"], int)
    for stamp in ("created_at", "updated_at"):
        assert re.match(ISO_MS, task[stamp]), task[stamp]
    assert task["updated_at"] >= task["created_at"]

    # The documented request, sent again with the same Idempotency-Key: replayed.
    again = run_curl(SUBMIT_CURL, sandbox.base_url, sandbox.api_key)
    assert again.status_code == 202 and again.json() == body
    assert sandbox.inspect()["credits_charged"] == 30


def test_401_unauthorized(sandbox: Any) -> None:
    r = run_curl(SUBMIT_CURL, sandbox.base_url, "sk_live_not_a_sandbox_key")
    assert_error(r, "unauthorized")
    r = run_curl(_task_curl("sd2_xxxxx"), sandbox.base_url, "")
    assert_error(r, "unauthorized")
    assert sandbox.inspect()["tasks_created"] == 0


def test_400_invalid_request(sandbox: Any) -> None:
    bad = SUBMIT_CURL.replace('"duration": "5"', '"duration": "3"')
    err = assert_error(run_curl(bad, sandbox.base_url, sandbox.api_key), "invalid_request")
    assert "duration" in err["message"] and "4" in err["message"]
    team = SUBMIT_CURL.replace('"mode"', '"teamSlug": "acme",\n    "mode"')
    err = assert_error(run_curl(team, sandbox.base_url, sandbox.api_key), "invalid_request")
    assert "teamSlug" in err["message"]


def test_402_insufficient_credits(sandbox_factory: Any) -> None:
    sb = sandbox_factory(keys={"sk_test_poor": 29})
    err = assert_error(run_curl(SUBMIT_CURL, sb.base_url, "sk_test_poor"), "insufficient_credits")
    assert "30" in err["message"] and "29" in err["message"]
    assert sb.balance("sk_test_poor") == 29


def test_404_not_found(sandbox: Any) -> None:
    # The documented task GET, unchanged: sd2_xxxxx does not exist here.
    assert_error(run_curl(TASK_CURL, sandbox.base_url, sandbox.api_key), "not_found")


def test_404_task_of_another_account(sandbox_factory: Any) -> None:
    sb = sandbox_factory(keys={"sk_test_alice": 1000, "sk_test_bob": 1000})
    task_id = run_curl(SUBMIT_CURL, sb.base_url, "sk_test_alice").json()["id"]
    assert run_curl(_task_curl(task_id), sb.base_url, "sk_test_alice").status_code == 200
    assert_error(run_curl(_task_curl(task_id), sb.base_url, "sk_test_bob"), "not_found")


def test_409_same_key_different_body(sandbox: Any) -> None:
    first = run_curl(SUBMIT_CURL, sandbox.base_url, sandbox.api_key)
    assert first.status_code == 202
    changed = SUBMIT_CURL.replace("snowy mountain bridge", "desert canyon bridge")
    err = assert_error(run_curl(changed, sandbox.base_url, sandbox.api_key), "idempotency_conflict")
    assert first.json()["id"] in err["message"]
    assert sandbox.inspect()["tasks_created"] == 1


def test_409_same_key_while_the_first_request_runs(sandbox_factory: Any) -> None:
    # 200 nominal seconds of latency × 0.01 = 2 s during which the key is reserved.
    sb = sandbox_factory(added_latency_s=200.0)
    script = 'curl() { command curl -sS -i "$@"; }\n' + SUBMIT_CURL.replace(
        CONTRACT.default_base_url, sb.base_url
    )
    slow = subprocess.Popen(
        ["bash", "-c", script],
        env={**os.environ, "SEEDANCE_API_KEY": sb.api_key},
        stdout=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 10
    while sb.inspect()["requests_per_idempotency_key"].get("demo-video-001", 0) < 1:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    second = run_curl(SUBMIT_CURL, sb.base_url, sb.api_key)
    out, _ = slow.communicate(timeout=30)
    first = parse_curl_output(out)
    assert first.status_code == 202
    assert_error(second, "idempotency_conflict")
    assert int(second.headers["retry-after"]) >= 1
    # Once the first request has finished, the same request is replayed.
    third = run_curl(SUBMIT_CURL, sb.base_url, sb.api_key)
    assert third.status_code == 202 and third.json() == first.json()
    assert sb.inspect()["tasks_created"] == 1


def test_429_rate_limited_with_retry_after(sandbox_factory: Any) -> None:
    # 2 requests per 1000 nominal s (10 s real); the window's expiry is tested with httpx.
    sb = sandbox_factory(rate_limit_requests=2, rate_limit_window_s=1000.0)
    results = [run_curl(SUBMIT_CURL, sb.base_url, sb.api_key) for _ in range(3)]
    assert [r.status_code for r in results[:2]] == [202, 202]
    limited = results[2]
    assert_error(limited, "rate_limited")
    retry_s = int(limited.headers["retry-after"])
    retry_ms = int(limited.headers["retry-after-ms"])
    assert 0 < retry_ms <= 10_000
    assert retry_s == -(-retry_ms // 1000)  # whole seconds, rounded up
    assert sb.inspect()["rate_limited"] == 1


def test_503_service_busy_when_too_many_tasks_render(sandbox_factory: Any) -> None:
    sb = sandbox_factory(max_concurrent_tasks=1, render_time_s=1000.0)  # 10 s real
    assert run_curl(SUBMIT_CURL, sb.base_url, sb.api_key).status_code == 202
    other = SUBMIT_CURL.replace("demo-video-001", "demo-video-002")
    busy = run_curl(other, sb.base_url, sb.api_key)
    err = assert_error(busy, "service_busy")
    assert "1 task" in err["message"]
    assert int(busy.headers["retry-after"]) >= 1
    assert sb.inspect()["tasks_created"] == 1
    assert sb.inspect()["credits_charged"] == 30


@pytest.mark.parametrize(
    ("fault", "code"),
    [("post_500_fraction", "internal_error"), ("post_503_fraction", "service_busy")],
)
def test_injected_post_faults(sandbox_factory: Any, fault: str, code: str) -> None:
    sb = sandbox_factory(**{fault: 1.0})
    r: CurlResult = run_curl(SUBMIT_CURL, sb.base_url, sb.api_key)
    assert_error(r, code)
    info = sb.inspect()
    assert info["tasks_created"] == 0 and info["credits_charged"] == 0
