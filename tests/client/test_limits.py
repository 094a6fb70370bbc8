"""What a server may send is bounded: sizes, shapes and time (seedance_dsl.limits,
section "API client").  Every answer outside the contract is a clear client error that
names the limit and the setting that raises it — never a hang, never a traceback."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import pytest
from client_helpers import Runner
from client_testserver import KEY, ApiServer, Reply
from hostile_server import Conn, hostile

from seedance_dsl.api import CONTRACT
from seedance_dsl.client import (
    ConfigError,
    DownloadError,
    RequestTimeout,
    SeedanceClient,
    SeedanceError,
    TransportError,
    UnexpectedResponse,
)

TASK = CONTRACT.task_url_path("task_1")
REQ = {"prompt": "A cinematic shot of a glass train crossing a bridge", "duration": "5"}


def _task(**kw: object) -> bytes:
    return json.dumps({"id": "task_1", "status": "processing", **kw}).encode()


# -- sizes and shapes of API answers -----------------------------------------------------


def test_content_length_above_the_cap_is_refused_before_reading(mode: str) -> None:
    def h(c: Conn) -> None:
        c.send(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n" + b"[" * 1000)

    with hostile(h) as srv:
        t0 = time.monotonic()
        with pytest.raises(UnexpectedResponse) as ei:
            Runner(mode, srv.base_url)("get_task", "task_1")
    assert time.monotonic() - t0 < 5
    assert "1000000000000 bytes" in ei.value.message
    assert "SEEDANCE_MAX_RESPONSE_BYTES" in (ei.value.help or "")
    assert len(srv.requests) == 1  # not retried: the same server would send the same


def test_a_gzip_bomb_is_cut_off_at_the_decoded_cap(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDANCE_MAX_RESPONSE_BYTES", "100000")
    bomb = gzip.compress(b" " * 20_000_000)  # ~20 KB on the wire, 20 MB decoded

    def h(c: Conn) -> None:
        c.answer(200, bomb, Content_Encoding="gzip")

    with hostile(h) as srv, pytest.raises(UnexpectedResponse) as ei:
        Runner(mode, srv.base_url)("get_task", "task_1")
    assert "larger than the limit of 100000 bytes" in ei.value.message
    assert "SEEDANCE_MAX_RESPONSE_BYTES" in (ei.value.help or "")


def test_json_nested_100000_deep_is_an_error_not_a_recursion(mode: str) -> None:
    body = b'{"id":"task_1","status":"processing","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    def h(c: Conn) -> None:
        c.answer(200, body)

    with hostile(h) as srv, pytest.raises(UnexpectedResponse) as ei:
        Runner(mode, srv.base_url)("get_task", "task_1")
    assert "nested 100001 deep" in ei.value.message
    assert "SEEDANCE_MAX_JSON_DEPTH" in (ei.value.help or "")


def test_an_error_envelope_nested_deep_is_an_unexpected_answer(mode: str) -> None:
    body = b'{"error":{"code":"invalid_request","message":' + b"[" * 50_000 + b"]" * 50_000
    body += b"}}"

    def h(c: Conn) -> None:
        c.answer(400, body)

    with hostile(h) as srv, pytest.raises(SeedanceError) as ei:
        Runner(mode, srv.base_url)("get_task", "task_1")
    assert ei.value.status == 400


def test_a_task_id_of_200_kb_in_a_202_is_refused(run: Runner, api: ApiServer) -> None:
    api.script("submit", Reply(202, {"id": "t" * 200_000, "status": "processing"}))
    with pytest.raises(UnexpectedResponse) as ei:
        run("submit", REQ, "key-long-id")
    assert "task id of 200000 characters" in ei.value.message
    assert "SEEDANCE_MAX_TASK_ID_CHARS" in (ei.value.help or "")
    assert len(str(ei.value)) < 2000


def test_an_output_url_above_the_limit_is_refused(run: Runner, api: ApiServer) -> None:
    url = "https://cdn.example/" + "a" * 100_000
    api.script(
        "task", Reply(200, {"id": "task_1", "status": "completed", "output": {"video_url": url}})
    )
    with pytest.raises(UnexpectedResponse) as ei:
        run("get_task", "task_1")
    assert "video_url of 100020 characters" in ei.value.message
    assert "SEEDANCE_MAX_URL_CHARS" in (ei.value.help or "")


def test_get_task_with_an_id_above_the_limit_is_a_value_error(run: Runner) -> None:
    with pytest.raises(ValueError, match="SEEDANCE_MAX_TASK_ID_CHARS"):
        run("get_task", "t" * 200_000)


# -- downloads ---------------------------------------------------------------------------


def test_a_download_declaring_more_than_the_max_is_refused(
    mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDANCE_MAX_DOWNLOAD_BYTES", "1000")

    def h(c: Conn) -> None:
        c.send(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n" + b"\0" * 5000)

    dest = tmp_path / "clip.mp4"
    with hostile(h) as srv, pytest.raises(DownloadError) as ei:
        Runner(mode, srv.base_url)("download", f"{srv.base_url}/v.mp4", dest)
    assert "larger than the limit of 1000 bytes (it declared 1000000000000)" in ei.value.message
    assert "SEEDANCE_MAX_DOWNLOAD_BYTES" in (ei.value.help or "")
    assert list(tmp_path.iterdir()) == []


def test_an_endless_download_stops_at_the_max_and_leaves_nothing(
    mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDANCE_MAX_DOWNLOAD_BYTES", str(1 << 20))
    chunk = b"\0" * 65536
    sent = []

    def h(c: Conn) -> None:
        c.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        n = 0
        while n < 8 << 20 and c.send(b"%x\r\n%s\r\n" % (len(chunk), chunk)):  # bounded: 8 MiB
            n += len(chunk)
        sent.append(n)
        c.send(b"0\r\n\r\n")

    dest = tmp_path / "clip.mp4"
    with hostile(h) as srv, pytest.raises(DownloadError) as ei:
        Runner(mode, srv.base_url)("download", f"{srv.base_url}/v.mp4", dest)
    assert "larger than the limit of 1048576 bytes" in ei.value.message
    assert list(tmp_path.iterdir()) == []


def test_a_download_redirect_loop_is_a_download_error(mode: str, tmp_path: Path) -> None:
    def h(c: Conn) -> None:
        c.answer(302, b"", Location="/loop")

    with hostile(h) as srv, pytest.raises(DownloadError) as ei:
        Runner(mode, srv.base_url)("download", f"{srv.base_url}/v.mp4", tmp_path / "v.mp4")
    assert "TooManyRedirects" in ei.value.message
    assert ei.value.exit_code == 6
    assert list(tmp_path.iterdir()) == []


def test_a_download_url_above_the_limit_is_a_download_error(run: Runner, tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as ei:
        run("download", "https://cdn.example/" + "a" * 5_000_000, tmp_path / "v.mp4")
    assert "SEEDANCE_MAX_URL_CHARS" in (ei.value.help or "")
    assert len(ei.value.message) < 300


# -- time --------------------------------------------------------------------------------


def test_a_trickling_answer_meets_the_whole_request_deadline(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDANCE_REQUEST_TIMEOUT", "0.6")
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Pad: " + b"x" * 200 + b"\r\n\r\n{}"

    def h(c: Conn) -> None:
        c.trickle(head, 0.05, max_s=15)  # every read gets a byte long before any timeout

    with hostile(h) as srv:
        t0 = time.monotonic()
        with pytest.raises(RequestTimeout) as ei:
            Runner(mode, srv.base_url)("get_task", "task_1")
        took = time.monotonic() - t0
    # FAST: 3 attempts of 0.6 s and back-offs of 0.02 + 0.04 s
    assert took < 5.0, took  # the old per-read timeouts alone: ~11 s
    assert "0.6 s" in ei.value.message and "SEEDANCE_REQUEST_TIMEOUT" in ei.value.message


def test_a_trickling_download_meets_the_download_deadline(
    mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDANCE_DOWNLOAD_TIMEOUT", "1")

    def h(c: Conn) -> None:
        c.send(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nAccept-Ranges: bytes\r\n\r\n")
        c.trickle(b"\0" * 100_000, 0.05, max_s=15)

    with hostile(h) as srv:
        t0 = time.monotonic()
        with pytest.raises(DownloadError) as ei:
            Runner(mode, srv.base_url)("download", f"{srv.base_url}/v.mp4", tmp_path / "v.mp4")
        took = time.monotonic() - t0
    assert took < 3.0, took
    assert "did not finish within 1 s" in ei.value.message
    assert "SEEDANCE_DOWNLOAD_TIMEOUT" in (ei.value.help or "")
    assert list(tmp_path.iterdir()) == []


def test_an_unresolvable_host_counts_as_never_sent(mode: str) -> None:
    with pytest.raises(TransportError) as ei:
        Runner(mode, "https://nonexistent.invalid")("get_task", "task_1")
    assert ei.value.reached_server is False


# -- what the caller passes ------------------------------------------------------------


def test_a_non_ascii_key_is_a_config_error_that_hides_the_key() -> None:
    secret = "sk_live_ABCé123"
    with pytest.raises(ConfigError) as ei:
        SeedanceClient(secret, base_url="http://127.0.0.1:9")
    text = str(ei.value) + repr(ei.value) + json.dumps(ei.value.to_json())
    assert "ASCII" in ei.value.message
    assert secret not in text and "ABC" not in text


def test_submit_takes_a_plain_dict(run: Runner, api: ApiServer) -> None:
    resp = run("submit", dict(REQ), "key-dict")
    assert resp.id.startswith(CONTRACT.task_id_prefix)
    (seen,) = api.requests("submit")
    assert json.loads(seen.body)["prompt"] == REQ["prompt"]


def test_submit_of_a_bad_dict_is_the_models_error(run: Runner, api: ApiServer) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="duration"):
        run("submit", {**REQ, "duration": "999"}, "key-bad")
    with pytest.raises(TypeError, match="VideoRequest or a mapping"):
        run("submit", ["not", "a", "request"], "key-bad")
    assert api.requests("submit") == []


def test_the_compiled_payload_can_be_submitted(run: Runner, api: ApiServer, tmp_path: Path) -> None:
    from seedance_dsl.compiler import compile_file

    p = tmp_path / "a.shot"
    p.write_text('storyboard "A"\n\nclip a {\n  duration 5s\n  shot { action "a red kite" }\n}\n')
    payload = compile_file(p).clips[0].payload
    assert run("submit", payload, "key-compiled").status == "processing"
    assert KEY not in repr(api.requests("submit")[0].body)
