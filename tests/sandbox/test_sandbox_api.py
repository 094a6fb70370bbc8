"""Every route, rule and error of the contract, with plain httpx against a real sandbox."""

from __future__ import annotations

import hashlib
import json
import re
import socket
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from sandbox_testlib import (
    GLASS_TRAIN,
    ISO_MS,
    SUBMIT,
    SUBMIT_KEYS,
    TASK_KEYS,
    assert_error,
    auth,
    submit,
    wait_task,
)

from seedance_dsl.api.spec import CONTRACT
from seedance_dsl.sandbox import PriceTable, Sandbox, SandboxSettings, start_sandbox


def _parse_iso(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def client(sb: Any) -> httpx.Client:
    return httpx.Client(base_url=sb.base_url, timeout=20)


@pytest.fixture(scope="module")
def shared() -> Iterator[Sandbox]:
    """One sandbox for the many validation cases (each uses its own Idempotency-Key)."""
    settings = SandboxSettings.for_tests(rate_limit_requests=100_000, max_concurrent_tasks=1000)
    with start_sandbox(settings) as sb:
        yield sb


# -- shapes and defaults ------------------------------------------------------------


def test_defaults_fill_a_minimal_request_and_task_lifecycle(sandbox_factory: Any) -> None:
    sb = sandbox_factory(render_time_s=100.0)  # 1 s real: still processing at first look
    with client(sb) as c:
        r = submit(c, sb.api_key, "min-1", {"prompt": "a red kite over the sea"})
        assert r.status_code == 202
        body = r.json()
        assert set(body) == SUBMIT_KEYS
        assert body["quality_tier"] == CONTRACT.defaults["quality_tier"]
        assert body["channel"] == CONTRACT.defaults["channel"]
        assert body["credits_used"] == 30  # default: standard, 5 s, 720p
        first = c.get(CONTRACT.task_url_path(body["id"]), headers=auth(sb.api_key)).json()
        assert set(first) == TASK_KEYS
        assert first["status"] == "processing"
        assert first["output"] is None and first["error"] is None
        assert first["created_at"] == first["updated_at"]
        task = wait_task(c, sb.api_key, body["id"])
    assert task["status"] == "completed"
    assert re.match(ISO_MS, task["updated_at"]) and task["updated_at"] > task["created_at"]
    # 100 nominal seconds ± 10 % jitter, × time_scale 0.01.
    took = _parse_iso(task["updated_at"]) - _parse_iso(task["created_at"])
    assert 0.89 <= took < 10
    info = sb.inspect()
    assert info["tasks"][body["id"]]["duration"] == 5
    assert info["tasks"][body["id"]]["aspect_ratio"] == "16:9"


def test_seed_is_echoed_when_sent(sandbox: Any) -> None:
    with client(sandbox) as c:
        r = submit(c, sandbox.api_key, "seed-1", {**GLASS_TRAIN, "seed": 123})
        task = wait_task(c, sandbox.api_key, r.json()["id"])
    assert task["output"]["seed"] == 123


def test_task_ids_carry_the_model_prefix_and_unknown_ids_are_404(sandbox: Any) -> None:
    with client(sandbox) as c:
        r = submit(c, sandbox.api_key, "p-1")
        assert r.json()["id"].startswith(CONTRACT.task_id_prefix)
        assert_error(
            c.get(CONTRACT.task_url_path("xyz"), headers=auth(sandbox.api_key)), "not_found"
        )
        assert_error(c.get("/api/v1/nothing", headers=auth(sandbox.api_key)), "not_found")
        wrong = c.get(SUBMIT, headers=auth(sandbox.api_key))
        assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "invalid_request"


# -- validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"mode": "video-to-video"}, "mode must be one of"),
        ({"quality_tier": "ultra"}, "quality_tier must be one of"),
        ({"channel": "fast"}, "channel must be one of"),
        ({"aspect_ratio": "2:1"}, "aspect_ratio must be one of"),
        ({"resolution": "8k"}, "resolution must be one of"),
        ({"prompt": "hi"}, "prompt must be 3"),
        ({"prompt": "x" * 10_001}, "prompt must be 3"),
        ({"prompt": None}, "prompt"),
        ({"duration": "16"}, "duration must be 4"),
        ({"duration": "five"}, "duration must be a whole number"),
        ({"resolution": "4k"}, "needs quality_tier pro"),
        ({"seed": 5, "quality_tier": "mini"}, "seed is not supported on the mini tier"),
        ({"seed": 5, "channel": "real"}, "seed is not supported on the real channel"),
        ({"seed": 4_294_967_296}, "seed must be"),
        ({"mode": "image-to-video"}, "image-to-video needs image_url"),
        ({"mode": "media-to-video"}, "media-to-video needs media_urls"),
        ({"image_url": "http://cdn.example.com/a.png"}, "plain http"),
        ({"image_url": "asset://abc"}, "asset://"),
        ({"end_image_url": "https://10.0.0.1/a.png"}, "private"),
        ({"media_urls": ["https://cdn.example.com/a.png"] * 13}, "at most 12"),
        ({"image_url": "http://127.0.0.1:9/_sandbox/files/sd2_x.png"}, "its own outputs"),
        ({"teamSlug": "acme"}, "teamSlug"),
        ({"provider": "byteplus"}, "provider"),
        ({"colour": "blue"}, "unknown field 'colour'"),
        ({"generate_audio": "loud"}, "generate_audio"),
    ],
)
def test_invalid_requests_are_400_with_a_useful_message(
    shared: Sandbox, change: dict[str, Any], fragment: str
) -> None:
    body = {**GLASS_TRAIN, **change}
    if change.get("prompt", "") is None:
        del body["prompt"]
    idem = "bad-" + hashlib.sha256(json.dumps(change, sort_keys=True).encode()).hexdigest()[:16]
    with client(shared) as c:
        err = assert_error(submit(c, shared.api_key, idem, body), "invalid_request")
        assert fragment in err["message"], err["message"]
        assert idem not in shared.inspect()["tasks_per_idempotency_key"]
        # Nothing was created, and the key was not used up: the fixed body goes through.
        assert submit(c, shared.api_key, idem).status_code == 202
    assert shared.inspect()["tasks_per_idempotency_key"][idem] == 1


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"{not json", "not valid JSON"), (b"[1, 2]", "JSON object"), (b"", "not valid JSON")],
)
def test_bodies_that_are_not_json_objects(shared: Sandbox, content: bytes, fragment: str) -> None:
    with client(shared) as c:
        r = c.post(SUBMIT, content=content, headers=auth(shared.api_key, "j-1"))
    assert fragment in assert_error(r, "invalid_request")["message"]


def test_a_post_without_idempotency_key_is_refused(shared: Sandbox) -> None:
    with client(shared) as c:
        r = c.post(SUBMIT, json=GLASS_TRAIN, headers=auth(shared.api_key))
    assert "Idempotency-Key" in assert_error(r, "invalid_request")["message"]


def test_duration_as_integer_is_tolerated(sandbox: Any) -> None:
    with client(sandbox) as c:
        r = submit(c, sandbox.api_key, "int-1", {**GLASS_TRAIN, "duration": 10})
    assert r.status_code == 202 and r.json()["credits_used"] == 60


# -- auth, credits, prices ------------------------------------------------------------------


def test_revoked_and_malformed_keys_are_401(sandbox_factory: Any) -> None:
    sb = sandbox_factory(keys={"sk_test_a": 100, "sk_test_b": 100})
    sb.revoke_key("sk_test_b")
    with client(sb) as c:
        assert_error(submit(c, "sk_test_b", "k"), "unauthorized")
        r = c.post(SUBMIT, json=GLASS_TRAIN, headers={"Authorization": "Basic sk_test_a"})
        assert_error(r, "unauthorized")
        assert_error(c.post(SUBMIT, json=GLASS_TRAIN), "unauthorized")
        assert submit(c, "sk_test_a", "k").status_code == 202


def test_price_table_reproduces_the_documented_figure_and_orders_tiers() -> None:
    prices = PriceTable()
    for (tier, seconds, res), credits in CONTRACT.documented_prices.items():
        assert prices.price(tier, seconds, res) == credits
    assert prices.price("mini", 5, "720p") < prices.price("standard", 5, "720p")
    assert prices.price("standard", 5, "720p") < prices.price("pro", 5, "720p")
    assert prices.price("pro", 5, "720p") < prices.price("pro", 5, "4k")
    assert prices.price("standard", 10, "720p") == 60


def test_402_then_top_up(sandbox_factory: Any) -> None:
    sb = sandbox_factory(keys={"sk_test_t": 40})
    pro = {**GLASS_TRAIN, "quality_tier": "pro", "resolution": "1080p"}
    with client(sb) as c:
        err = assert_error(submit(c, "sk_test_t", "t-1", pro), "insufficient_credits")
        assert err["required"] == PriceTable().price("pro", 5, "1080p")
        sb.top_up("sk_test_t", 1000)
        assert submit(c, "sk_test_t", "t-1", pro).status_code == 202
    assert sb.balance("sk_test_t") == 1040 - PriceTable().price("pro", 5, "1080p")


def test_failed_tasks_refund_their_credits(sandbox_factory: Any) -> None:
    sb = sandbox_factory(fail_fraction=1.0, keys={"sk_test_f": 100})
    with client(sb) as c:
        r = submit(c, "sk_test_f", "f-1")
        assert sb.balance("sk_test_f") == 70
        task = wait_task(c, "sk_test_f", r.json()["id"])
    assert task["status"] == "failed"
    assert task["credits_used"] == 30 and task["credits_refunded"] == 30
    assert task["output"] is None
    assert set(task["error"]) == {"code", "message"}
    assert sb.balance("sk_test_f") == 100
    info = sb.inspect()
    assert info["credits_charged"] == 30 and info["credits_refunded"] == 30


def test_fail_fraction_is_seeded(sandbox_factory: Any) -> None:
    def outcomes(seed: int) -> list[str]:
        sb = sandbox_factory(fail_fraction=0.5, seed=seed, max_concurrent_tasks=20)
        with client(sb) as c:
            ids = [submit(c, sb.api_key, f"s-{i}").json()["id"] for i in range(12)]
            return [wait_task(c, sb.api_key, i)["status"] for i in ids]

    a, b = outcomes(7), outcomes(7)
    assert a == b
    assert "failed" in a and "completed" in a


# -- idempotency ------------------------------------------------------------------------


def test_replay_after_completion_returns_the_original_response_without_charging(
    sandbox: Any,
) -> None:
    with client(sandbox) as c:
        first = submit(c, sandbox.api_key, "rep-1")
        wait_task(c, sandbox.api_key, first.json()["id"])
        # The same body with other key order and spacing is the same request.
        same = json.dumps(dict(reversed(list(GLASS_TRAIN.items()))), indent=2)
        again = c.post(SUBMIT, content=same, headers=auth(sandbox.api_key, "rep-1"))
    assert again.status_code == 202
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    info = sandbox.inspect()
    assert info["tasks_created"] == 1 and info["replays"] == 1
    assert info["credits_charged"] == 30
    assert info["tasks_per_idempotency_key"] == {"rep-1": 1}
    assert info["requests_per_idempotency_key"] == {"rep-1": 2}


def test_idempotency_keys_are_per_account(sandbox_factory: Any) -> None:
    sb = sandbox_factory(keys={"sk_test_a": 100, "sk_test_b": 100})
    with client(sb) as c:
        a = submit(c, "sk_test_a", "shared-key").json()
        b = submit(c, "sk_test_b", "shared-key").json()
    assert a["id"] != b["id"]


def test_drop_after_commit_closes_the_socket_charges_once_and_replays(
    sandbox_factory: Any,
) -> None:
    sb = sandbox_factory(drop_after_commit_fraction=1.0, keys={"sk_test_d": 100})
    body = json.dumps(GLASS_TRAIN).encode()
    request = (
        f"POST {SUBMIT} HTTP/1.1\r\nHost: 127.0.0.1:{sb.port}\r\n"
        "Authorization: Bearer sk_test_d\r\nIdempotency-Key: drop-1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    with socket.create_connection(("127.0.0.1", sb.port), timeout=20) as s:
        s.sendall(request)
        received = b""
        while chunk := s.recv(4096):
            received += chunk
    assert received == b""  # closed without a single byte of response
    info = sb.inspect()
    assert info["tasks_created"] == 1 and info["credits_charged"] == 30
    assert sb.balance("sk_test_d") == 70
    with client(sb) as c:
        with pytest.raises(httpx.RemoteProtocolError):
            submit(c, "sk_test_d", "drop-2")  # a second intent: dropped too
        retry = submit(c, "sk_test_d", "drop-1")  # the client's retry of the first
    assert retry.status_code == 202
    task_id = retry.json()["id"]
    assert sb.inspect()["tasks"][task_id]["idempotency_key"] == "drop-1"
    info = sb.inspect()
    assert info["tasks_created"] == 2 and info["credits_charged"] == 60
    assert info["tasks_per_idempotency_key"] == {"drop-1": 1, "drop-2": 1}
    assert info["faults"]["drop"] == 2


# -- rate limit and concurrency --------------------------------------------------------------


def test_rate_limit_counts_every_request_per_account_and_the_window_slides(
    sandbox_factory: Any,
) -> None:
    # 3 requests per 200 nominal s = 2 s real.
    sb = sandbox_factory(
        rate_limit_requests=3,
        rate_limit_window_s=200.0,
        keys={"sk_test_a": 1000, "sk_test_b": 1000},
    )
    with client(sb) as c:
        task_id = submit(c, "sk_test_a", "r-1").json()["id"]
        path = CONTRACT.task_url_path(task_id)
        assert c.get(path, headers=auth("sk_test_a")).status_code == 200
        assert c.get(path, headers=auth("sk_test_a")).status_code == 200
        limited = c.get(path, headers=auth("sk_test_a"))
        assert_error(limited, "rate_limited")
        # Another account has its own window.
        assert submit(c, "sk_test_b", "r-2").status_code == 202
        wait_ms = int(limited.headers["Retry-After-Ms"])
        assert 0 < wait_ms <= 2000
        assert int(limited.headers["Retry-After"]) == -(-wait_ms // 1000)
        time.sleep(wait_ms / 1000 + 0.05)
        assert c.get(path, headers=auth("sk_test_a")).status_code == 200
    info = sb.inspect()
    assert info["rate_limited_per_key"] == {"sk_test_a": 1}
    assert info["requests_per_key"]["sk_test_a"] == 5
    assert info["requests_per_route"][f"GET {CONTRACT.task_path}"] == 4


def test_concurrency_limit_frees_up_when_tasks_finish(sandbox_factory: Any) -> None:
    sb = sandbox_factory(max_concurrent_tasks=2, render_time_s=100.0)  # 1 s real
    with client(sb) as c:
        a = submit(c, sb.api_key, "c-1").json()["id"]
        submit(c, sb.api_key, "c-2")
        busy = submit(c, sb.api_key, "c-3")
        assert_error(busy, "service_busy")
        assert int(busy.headers["Retry-After-Ms"]) > 0
        wait_task(c, sb.api_key, a)
        sb.wait_idle()
        assert submit(c, sb.api_key, "c-3").status_code == 202
    assert sb.inspect()["credits_charged"] == 90


# -- outputs and chaining ------------------------------------------------------------


def test_outputs_answer_range_requests(sandbox: Any) -> None:
    with client(sandbox) as c:
        task = wait_task(c, sandbox.api_key, submit(c, sandbox.api_key, "f-1").json()["id"])
        url = task["output"]["video_url"]
        full = c.get(url)
        assert full.status_code == 200 and full.headers["Accept-Ranges"] == "bytes"
        assert full.headers["Content-Type"] == "video/mp4"
        size = len(full.content)
        part = c.get(url, headers={"Range": "bytes=10-"})
        assert part.status_code == 206
        assert part.headers["Content-Range"] == f"bytes 10-{size - 1}/{size}"
        assert part.content == full.content[10:]
        head = c.get(url, headers={"Range": "bytes=0-99"})
        assert head.status_code == 206 and head.content == full.content[:100]
        tail = c.get(url, headers={"Range": "bytes=-50"})
        assert tail.content == full.content[-50:]
        assert c.get(url, headers={"Range": f"bytes={size}-"}).status_code == 416
        stale = c.get(url, headers={"Range": "bytes=0-9", "If-Range": '"other"'})
        assert stale.status_code == 200 and len(stale.content) == size
        h = c.head(url)
        assert h.status_code == 200 and int(h.headers["Content-Length"]) == size
        png = c.get(task["output"]["last_frame_url"])
        assert png.headers["Content-Type"] == "image/png" and png.content[:4] == b"\x89PNG"
        assert_error(c.get("/_sandbox/files/sd2_nope.mp4"), "not_found")


def test_own_outputs_chain_as_inputs_and_other_urls_keep_the_public_https_rule(
    sandbox: Any,
) -> None:
    key = sandbox.api_key
    with client(sandbox) as c:
        task = wait_task(c, key, submit(c, key, "ch-1").json()["id"])
        frame, video = task["output"]["last_frame_url"], task["output"]["video_url"]
        i2v = {**GLASS_TRAIN, "mode": "image-to-video", "image_url": frame}
        assert submit(c, key, "ch-2", i2v).status_code == 202
        ext = {**GLASS_TRAIN, "mode": "media-to-video", "media_urls": [video, frame]}
        assert submit(c, key, "ch-3", ext).status_code == 202
        # The same output through `localhost` is still this sandbox.
        local = frame.replace("127.0.0.1", "localhost")
        assert submit(c, key, "ch-4", {**i2v, "image_url": local}).status_code == 202
        err = assert_error(submit(c, key, "ch-5", {**i2v, "image_url": video}), "invalid_request")
        assert "needs an image" in err["message"]
        other_port = frame.replace(f":{sandbox.port}/", f":{sandbox.port + 1}/")
        err = assert_error(
            submit(c, key, "ch-6", {**i2v, "image_url": other_port}), "invalid_request"
        )
        assert "own outputs" in err["message"]
        missing = frame.replace(task["id"], "sd2_00000000000000000000")
        err = assert_error(submit(c, key, "ch-7", {**i2v, "image_url": missing}), "invalid_request")
        assert "completed task" in err["message"]
        # Public https inputs are accepted (and never fetched: no internet here).
        public = {**i2v, "image_url": "https://cdn.example.com/train/station.png"}
        assert submit(c, key, "ch-8", public).status_code == 202


# -- inspection ----------------------------------------------------------------------------


def test_inspection_endpoint_is_off_by_default(sandbox_factory: Any) -> None:
    sb = sandbox_factory(SandboxSettings.for_tests(inspection=False))
    with client(sb) as c:
        assert_error(c.get("/_sandbox/inspect"), "not_found")
    sb2 = sandbox_factory()
    with client(sb2) as c:
        submit(c, sb2.api_key, "i-1")
        data = c.get("/_sandbox/inspect").json()
    assert data["tasks_per_idempotency_key"] == {"i-1": 1}
    assert data["balances"][sb2.api_key] == 1_000_000 - 30
    assert data["responses_per_status"]["202"] == 1


def test_keys_never_appear_in_reprs(sandbox_factory: Any) -> None:
    settings = SandboxSettings.for_tests(keys={"sk_test_secret_123": 5})
    sb = sandbox_factory(settings)
    assert "sk_test_secret_123" not in repr(settings)
    assert "sk_test_secret_123" not in repr(sb)


def test_settings_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="fail_fraction"):
        SandboxSettings(fail_fraction=1.5)
    with pytest.raises(ValueError, match="time_scale"):
        SandboxSettings(time_scale=0)
    with pytest.raises(ValueError, match="at least one API key"):
        SandboxSettings(keys={})
