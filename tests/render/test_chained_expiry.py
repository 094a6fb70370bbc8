"""Chained inputs whose output URL expired between two renders (issue 15, item 5),
against a real sandbox on loopback whose output URLs expire (``output_url_ttl_s``):
renewed by fetching the task again; else the downloaded last frame is uploaded through
the store; else ``input_expired`` and nothing submitted.  A renewal is the same intent:
the same Idempotency-Key, never a second charge."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from seedance_dsl.render.identity import server_namespace
from seedance_dsl.render.inputs import stale_inputs, url_expiry
from seedance_dsl.render.state import StateDB

SHOT = """storyboard "Relay"

clip arrival {
  duration 4s
  shot { action "a glass train arrives at a snowy station" }
}

clip departure {
  duration 4s
  start arrival.last_frame
  shot { action "the train pulls away into the snow" }
}
"""
#: nominal seconds (x 0.01 in the test sandbox): output URLs live 1-2 s
TTL = 100.0


@pytest.fixture(autouse=True)
def _limits(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SEEDANCE_OUTPUT_URL_MARGIN", "0.3")
    monkeypatch.setenv("SEEDANCE_CONFIG", str(tmp_path / "no-such-config.toml"))
    monkeypatch.delenv("SEEDANCE_PROFILE", raising=False)


def _record(path: Path, sb: Any, clip: str) -> Any:
    with StateDB.for_storyboard(path) as db:
        return db.latest_done(server_namespace(sb.base_url), path.name, clip, 0)


def _wait_expired(url: str) -> None:
    got = url_expiry(url)
    assert got is not None and got[1] == "Expires", url
    time.sleep(max(0.0, got[0] - time.time()) + 0.05)
    assert httpx.get(url).status_code == 403  # the sandbox refuses it now


def _kinds(events: list[Any], kind: str) -> list[Any]:
    return [e for e in events if e.kind == kind]


def _key_of_original(path: Path, sb: Any) -> str:
    """departure's key from arrival's original (recorded) outputs."""
    from seedance_dsl.compiler.model import ClipOutputs
    from seedance_dsl.render.commands import load_storyboard

    rec = _record(path, sb, "arrival")
    clip = load_storyboard(path).clip("departure")
    outs = {"arrival": ClipOutputs(rec.video_url, rec.last_frame_url)}
    return clip.idempotency_key(clip.resolve(outs, allow_loopback_http=True))


def test_an_expired_chained_input_is_renewed_by_fetching_the_task_again(
    sandbox_factory: Any, shot: Any, render_on: Any
) -> None:
    sb = sandbox_factory(output_url_ttl_s=TTL)
    path = shot(SHOT)
    summary, _ = render_on(sb, path, clips=["arrival"])
    assert summary.exit_code == 0, summary.to_json()
    original = _record(path, sb, "arrival").last_frame_url
    _wait_expired(original)

    summary, events = render_on(sb, path)
    assert summary.exit_code == 0, summary.to_json()
    (renewed,) = _kinds(events, "input_renewed")
    assert renewed.clip == "departure"
    assert renewed.data["how"] == "refetched" and renewed.data["source"] == "arrival"
    assert renewed.data["output"] == "last_frame"
    assert "Signature" not in renewed.data["url"]  # the query is a credential
    assert sb.inspect()["tasks_created"] == 2
    # the identity is the original URL's: the key a render without renewal would use
    (submitting,) = _kinds(events, "submitting")
    assert submitting.data["key"] == _key_of_original(path, sb)
    # the earlier clip's record keeps its original URL (children's identity)
    assert _record(path, sb, "arrival").last_frame_url == original

    # expired again: the clip is reused, nothing renewed, nothing submitted
    _wait_expired(original)
    summary, events = render_on(sb, path)
    assert summary.exit_code == 0, summary.to_json()
    assert not _kinds(events, "input_renewed") and not _kinds(events, "submitting")
    assert {c.clip: c.status for c in summary.clips}["departure"] == "reused"
    assert sb.inspect()["tasks_created"] == 2


def test_when_the_task_gives_expired_urls_too_the_downloaded_frame_is_uploaded(
    sandbox_factory: Any, shot: Any, render_on: Any
) -> None:
    from seedance_dsl.assets.store import SandboxStore

    sb = sandbox_factory(output_url_ttl_s=TTL, output_url_resign=False)
    store = SandboxStore(sb.base_url, sb.api_key)
    path = shot(SHOT)
    summary, _ = render_on(sb, path, clips=["arrival"])
    assert summary.exit_code == 0, summary.to_json()
    rec = _record(path, sb, "arrival")
    _wait_expired(rec.last_frame_url)

    summary, events = render_on(sb, path, store=store)
    assert summary.exit_code == 0, summary.to_json()
    (renewed,) = _kinds(events, "input_renewed")
    assert renewed.data["how"] == "uploaded"
    assert "/_sandbox/assets/" in renewed.data["url"]
    import hashlib

    frame = Path(rec.frame_path).read_bytes()
    assert renewed.data["sha256"] == hashlib.sha256(frame).hexdigest()
    assert sb.inspect()["tasks_created"] == 2
    (submitting,) = _kinds(events, "submitting")
    assert submitting.data["key"] == _key_of_original(path, sb)
    with StateDB.for_storyboard(path) as db:
        rows = db.connection.execute("SELECT sha256 FROM asset_uploads").fetchall()
    assert [r[0] for r in rows] == [renewed.data["sha256"]]


def test_without_a_store_the_clip_is_not_submitted_and_says_why(
    sandbox_factory: Any, shot: Any, render_on: Any
) -> None:
    sb = sandbox_factory(output_url_ttl_s=TTL, output_url_resign=False)
    path = shot(SHOT)
    summary, _ = render_on(sb, path, clips=["arrival"])
    assert summary.exit_code == 0, summary.to_json()
    _wait_expired(_record(path, sb, "arrival").last_frame_url)

    summary, events = render_on(sb, path)
    assert summary.exit_code != 0
    result = {c.clip: c for c in summary.clips}["departure"]
    assert result.status == "failed" and result.error_code == "input_expired"
    message = result.error_message or ""
    for part in ("`departure`", "last_frame of clip `arrival`", "expired", "store", "--take"):
        assert part in message, message
    assert "Signature" not in message and "Expires=" not in message
    assert result.location and result.location.endswith(":10:3"), result.location
    assert not _kinds(events, "submitting")
    assert sb.inspect()["tasks_created"] == 1


def test_a_url_without_expiry_counts_from_the_task_s_completion(
    sandbox_factory: Any, shot: Any, render_on: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = sandbox_factory()  # unsigned output URLs
    path = shot(SHOT)
    summary, _ = render_on(sb, path, clips=["arrival"])
    assert summary.exit_code == 0
    monkeypatch.setenv("SEEDANCE_OUTPUT_URL_LIFETIME", "0.5")
    time.sleep(0.6)
    summary, events = render_on(sb, path)
    assert summary.exit_code == 0, summary.to_json()
    (renewed,) = _kinds(events, "input_renewed")
    assert renewed.data["basis"] == "output_url_lifetime"
    assert renewed.data["how"] == "refetched"
    (submitting,) = _kinds(events, "submitting")
    assert submitting.data["key"] == _key_of_original(path, sb)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://b.s3.amazonaws.com/k.png?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Date=20260102T030405Z&X-Amz-Expires=3600&X-Amz-Signature=ab",
            (1767323045.0 + 3600, "X-Amz-Expires"),
        ),
        (
            "https://storage.googleapis.com/b/k.mp4?x-goog-date=20260102T030405Z"
            "&x-goog-expires=60&x-goog-signature=cd",
            (1767323045.0 + 60, "X-Goog-Expires"),
        ),
        ("https://cdn.example.com/k.png?Expires=1767323045&Signature=x", (1767323045.0, "Expires")),
        ("https://cdn.example.com/k.png", None),
        ("https://cdn.example.com/k.png?X-Amz-Date=garbage&X-Amz-Expires=9", None),
    ],
)
def test_url_expiry(url: str, expected: tuple[float, str] | None) -> None:
    assert url_expiry(url) == expected


def test_stale_inputs_keep_the_margin() -> None:
    from seedance_dsl.render.inputs import ChainedInput

    now = 1000.0

    def inp(at: float | None) -> ChainedInput:
        return ChainedInput("b", "a", "last_frame", "image_url", "https://x/y", at, "Expires")

    fresh, close, gone, unknown = inp(now + 100), inp(now + 5), inp(now - 1), inp(None)
    got = stale_inputs([fresh, close, gone, unknown], now=now, margin_s=10)
    assert got == [close, gone]  # an unknown expiry: sent as is, the server judges


def test_a_lost_submit_re_sent_with_a_renewed_input_is_not_paid_twice(
    sandbox_factory: Any, shot: Any, render_on: Any
) -> None:
    """An earlier run sent departure (with arrival's URL, valid then) and lost the
    answer; by the next run that URL has expired.  The re-send carries the renewed URL
    under the same key: the server answers 409 (same key, another body) naming the first
    send's task, which is polled — one task, one charge."""
    from seedance_dsl.api.spec import CONTRACT
    from seedance_dsl.compiler.model import ClipOutputs
    from seedance_dsl.render.commands import load_storyboard
    from seedance_dsl.render.identity import request_hash

    sb = sandbox_factory(output_url_ttl_s=TTL)
    path = shot(SHOT)
    summary, _ = render_on(sb, path, clips=["arrival"])
    assert summary.exit_code == 0, summary.to_json()
    rec = _record(path, sb, "arrival")
    clip = load_storyboard(path).clip("departure")
    identity = clip.resolve(
        {"arrival": ClipOutputs(rec.video_url, rec.last_frame_url)}, allow_loopback_http=True
    )
    key = clip.idempotency_key(identity)
    with StateDB.for_storyboard(path) as db:  # what the earlier run wrote before sending
        db.record_intent(
            server=server_namespace(sb.base_url),
            storyboard=path.name,
            clip="departure",
            take=0,
            attempt=0,
            request_hash=request_hash(identity, clip),
            idempotency_key=key,
            request_json=identity.canonical_json(),
        )
    first = httpx.post(
        sb.base_url + CONTRACT.submit_path,
        json=identity.to_payload(),
        headers={"Authorization": f"Bearer {sb.api_key}", "Idempotency-Key": key},
    )
    assert first.status_code == 202, first.text  # sent and charged; the answer "lost"
    _wait_expired(rec.last_frame_url)

    summary, events = render_on(sb, path)
    assert summary.exit_code == 0, summary.to_json()
    assert [e.data["how"] for e in _kinds(events, "input_renewed")] == ["refetched"]
    (resumed,) = [e for e in _kinds(events, "resumed") if e.clip == "departure"]
    assert resumed.data["task_id"] == first.json()["id"]
    got = sb.inspect()
    assert got["tasks_created"] == 2 and got["tasks_per_idempotency_key"][key] == 1
    result = {c.clip: c for c in summary.clips}["departure"]
    assert result.status == "done" and result.charged_earlier


def test_a_clip_whose_files_are_gone_is_fetched_again_from_fresh_urls(
    sandbox_factory: Any, shot: Any, render_on: Any
) -> None:
    """Rendered earlier, its files deleted since and its URLs expired: the task is
    fetched again for fresh URLs (not an HTTP 403 and a "render it again")."""
    sb = sandbox_factory(output_url_ttl_s=TTL)
    path = shot(SHOT)
    summary, _ = render_on(sb, path, clips=["arrival"])
    assert summary.exit_code == 0, summary.to_json()
    rec = _record(path, sb, "arrival")
    Path(rec.video_path).unlink()
    _wait_expired(rec.video_url)
    summary, events = render_on(sb, path, clips=["arrival"])
    assert summary.exit_code == 0, summary.to_json()
    assert _kinds(events, "outputs_renewed") and not _kinds(events, "submitting")
    assert Path(rec.video_path).stat().st_size == rec.video_bytes
    assert sb.inspect()["tasks_created"] == 1
