"""No presigned URL's query (AWS-style ``X-Amz-Credential`` with the access key id,
``X-Amz-Security-Token``, ``X-Amz-Signature``) in what a render records — the state
DB's per-clip ``request``, ``manifest.json`` — nor in its logs (httpx/httpcore at DEBUG)
nor in its errors.  Canary credentials, a real S3 API (moto) on loopback whose
presigned URLs the sandbox fetches."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from render_helpers import moto_bucket

from seedance_dsl.render.events import EXIT_OK
from seedance_dsl.render.identity import server_namespace
from seedance_dsl.render.state import StateDB

ACCESS = "AKIACANARYCANARY0077"
SECRET = "canary/SECRET/never-recorded-0077abcdefgh"
TOKEN = "canary-session-token-0077"
CANARIES = (ACCESS, SECRET, TOKEN, "X-Amz-Signature", "X-Amz-Credential")

SHOT = """storyboard "Signed"

asset hero image "refs/hero.png"

clip one {
  start hero
  duration 4s
  text "a red card"
}

clip two {
  start one.last_frame
  duration 4s
  text "a blue card"
}
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for k, v in {
        "AWS_ACCESS_KEY_ID": ACCESS,
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_SESSION_TOKEN": TOKEN,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(k, v)
    with moto_bucket("films") as url:
        yield url


def _leaks(text: str) -> list[str]:
    return [c for c in CANARIES if c.lower() in text.lower()]


def _state_bytes(path: Path) -> str:
    folder = path.parent / ".seedance"
    return "".join(
        p.read_bytes().decode("latin-1") for p in folder.iterdir() if p.name.startswith("state")
    )


def test_records_and_logs_hold_no_presigned_query(
    sandbox: Any, shot: Any, render_on: Any, s3: str, caplog: pytest.LogCaptureFixture
) -> None:
    from PIL import Image

    from seedance_dsl.assets.store import S3Store, store_config

    caplog.set_level(logging.DEBUG)
    path = shot(SHOT)
    (path.parent / "refs").mkdir()
    Image.new("RGB", (320, 180), (220, 30, 30)).save(path.parent / "refs" / "hero.png")
    store = S3Store(store_config({"bucket": "films", "endpoint_url": s3, "region": "us-east-1"}))
    summary, events = render_on(sandbox, path, store=store)
    assert summary.exit_code == EXIT_OK, summary.to_json()
    # the body sent carried the presigned URL (the sandbox fetched it from moto) ...
    with StateDB.for_storyboard(path) as db:
        (rec,) = [
            r for r in db.history(server_namespace(sandbox.base_url), path.name) if r.clip == "one"
        ]
        sent = rec.request["image_url"]
    assert sent.startswith(s3) and "?" in sent and "Signature" not in sent
    # ... but no record holds its query: state DB (every byte), manifest, events, logs
    assert _leaks(_state_bytes(path)) == []
    manifest = (path.parent / "renders" / path.stem / "manifest.json").read_text()
    assert _leaks(manifest) == []
    assert _leaks(" ".join(f"{e.message} {e.data}" for e in events)) == []
    assert _leaks(caplog.text) == [], [
        r.getMessage() for r in caplog.records if _leaks(r.getMessage())
    ]


def test_an_error_quoting_a_presigned_url_drops_its_query(
    sandbox: Any, shot: Any, render_on: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from seedance_dsl.render.commands import load_storyboard
    from seedance_dsl.render.identity import request_hash

    caplog.set_level(logging.DEBUG)
    text = SHOT.replace('asset hero image "refs/hero.png"\n', "").replace("  start hero\n", "")
    path = shot(text)
    sb = load_storyboard(path)
    req = sb.clip("one").resolve({})
    signed = (
        f"http://127.0.0.1:{_port()}/films/one.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential={ACCESS}%2F20260101%2Fus-east-1%2Fs3%2Faws4_request"
        f"&X-Amz-Security-Token={TOKEN}&X-Amz-Date=20260101T000000Z&X-Amz-Expires=604800"
        "&X-Amz-SignedHeaders=host&X-Amz-Signature=0123456789abcdef"
    )
    with StateDB.for_storyboard(path) as db:
        rec = db.record_intent(
            server=server_namespace(sandbox.base_url),
            storyboard=path.name,
            clip="one",
            take=0,
            attempt=0,
            request_hash=request_hash(req),
            idempotency_key=sb.clip("one").idempotency_key(req),
            request_json=req.canonical_json(),
        )
        # rendered earlier; its files are gone, so render downloads them again: refused
        db.update(rec.id, state="done", task_id="sd2_gone", video_url=signed)
    summary, events = render_on(sandbox, path, clips=["one"])
    (one,) = summary.clips
    assert one.status == "failed" and "could not download" in (one.error_message or "")
    assert "/films/one.mp4?" in (one.error_message or "")
    texts = [one.error_message or "", one.reason, summary.message, summary.to_json().__repr__()]
    texts += [f"{e.message} {e.data}" for e in events]
    texts.append((path.parent / "renders" / path.stem / "manifest.json").read_text())
    assert _leaks("\n".join(texts)) == []
    assert _leaks(caplog.text) == []


def test_the_log_filter_cuts_a_presigned_query_from_httpx_and_httpcore_records(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from seedance_dsl.render.redaction import install_log_filter

    install_log_filter()
    caplog.set_level(logging.DEBUG)
    url = f"https://b.s3.amazonaws.com/k.png?X-Amz-Credential={ACCESS}&X-Amz-Signature=ab"
    logging.getLogger("httpx").info('HTTP Request: %s %s "%s"', "GET", url, "HTTP/1.1 200 OK")
    logging.getLogger("httpcore.http11").debug("send_request_headers.started url=%r", url)
    assert "https://b.s3.amazonaws.com/k.png?…" in caplog.text
    assert _leaks(caplog.text) == []
    assert len(caplog.records) == 2  # rewritten, never dropped
