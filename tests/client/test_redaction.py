"""No leaks: a recognisable key, every error path provoked, the key in no captured output
(logs at DEBUG including httpx/httpcore, stdout/stderr, str/repr/format/to_json of every
error, formatted tracebacks with their causes, reprs of clients and config, events)."""

from __future__ import annotations

import json
import logging
import socket
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from client_helpers import FAST, Runner
from client_testserver import ApiServer, Reply, error

from seedance_dsl.api import VideoRequest
from seedance_dsl.client import (
    ClientEvent,
    ConfigError,
    PollSchedule,
    RetryPolicy,
    SeedanceError,
    Timeouts,
    resolve_config,
)

CANARY = "sk_live_CANARY_9f8e7d6c5b4a_do_not_leak"
REQ = VideoRequest(prompt="A red kite over a windy beach at noon")


def _paths(api: ApiServer, tmp_path: Path) -> list[tuple[str, Callable[[Runner], Any]]]:
    url = api.add_file("f.mp4", b"x" * 5000)

    def script(route: str, *replies: Reply) -> Callable[[Runner], Any]:
        def go(run: Runner, *call: Any) -> Any:
            api.script(route, *replies)
            return run(*call)

        return go

    def refused(run: Runner) -> Any:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        return Runner(run.mode, f"http://127.0.0.1:{port}", **_kw(run))("get_task", "sd2_1")

    def timeout(run: Runner) -> Any:
        api.script("task", Reply(delay=0.3), Reply(delay=0.3), Reply(delay=0.3))
        kw = _kw(run) | {"timeouts": Timeouts(connect=1, read=0.1)}
        return Runner(run.mode, api.base_url, **kw)("get_task", "sd2_1")

    def broken_download(run: Runner) -> Any:
        api.file_ranges = False
        api.file_breaks.extend([10] * 5)
        return run("download", url, tmp_path / "f.mp4")

    def deadline(run: Runner) -> Any:
        api.polls_until_done = 10**6
        task_id = run("submit", REQ, "kd").id
        return run("wait", task_id, deadline_s=0.15, poll=PollSchedule(0.02, 0.02, 1.0, 0.02))

    return [
        ("400", lambda r: script("submit", error("invalid_request"))(r, "submit", REQ, "k1")),
        ("401", lambda r: script("task", error("unauthorized"))(r, "get_task", "sd2_1")),
        ("402", lambda r: script("submit", error("insufficient_credits"))(r, "submit", REQ, "k")),
        ("404", lambda r: r("get_task", "sd2_missing")),
        ("409-body", lambda r: (r("submit", REQ, "dup"), r("submit", OTHER, "dup"))),
        (
            "409-running",
            lambda r: script("submit", *[error("idempotency_conflict", "still running")] * 9)(
                r, "submit", REQ, "k409"
            ),
        ),
        (
            "429",
            lambda r: script("task", error("rate_limited", Retry_After="999"))(
                r, "get_task", "sd2_1"
            ),
        ),
        ("503", lambda r: script("task", *[error("service_busy")] * 5)(r, "get_task", "x")),
        ("500", lambda r: script("task", *[error("internal_error")] * 5)(r, "get_task", "x")),
        (
            "echo",
            lambda r: script("task", Reply(400, echo_auth=True))(r, "get_task", "sd2_1"),
        ),
        (
            "unexpected",
            lambda r: script("task", Reply(200, raw=f"oops Bearer {CANARY}".encode()))(
                r, "get_task", "sd2_1"
            ),
        ),
        (
            "unexpected-5xx",
            lambda r: script("task", *[Reply(502, raw=f"proxy saw {CANARY}".encode())] * 5)(
                r, "get_task", "sd2_1"
            ),
        ),
        ("refused", refused),
        ("timeout", timeout),
        ("deadline", deadline),
        ("download-404", lambda r: r("download", f"{api.base_url}/files/none", tmp_path / "n")),
        ("download-broken", broken_download),
    ]


OTHER = VideoRequest(prompt="A different prompt entirely, same key")


def _kw(run: Runner) -> dict[str, Any]:
    kw = {k: v for k, v in run.kw.items() if k != "base_url"}
    kw["api_key"] = None  # from the environment, as in the main runner
    return kw


def test_the_key_never_leaks(
    mode: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "seedance_dsl"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    monkeypatch.setenv("SEEDANCE_API_KEY", CANARY)
    srv = ApiServer(key=CANARY).start()
    texts: list[str] = []
    events: list[ClientEvent] = []
    try:
        # api_key=None: the key comes from the environment
        run = Runner(mode, srv.base_url, api_key=None, on_event=events.append)
        run.kw["retry"] = RetryPolicy(
            max_attempts=2, backoff_base_s=0.01, jitter=0, max_conflict_waits=1,
            conflict_wait_s=0.01, retry_after_cap_s=5,
        )  # fmt: skip
        provoked = set()
        for name, provoke in _paths(srv, tmp_path):
            srv.scripts.clear()  # leftovers of the previous path
            with pytest.raises(SeedanceError) as info:
                provoke(run)
            provoked.add(type(info.value).__name__)
            err = info.value
            texts += [
                name,
                str(err),
                repr(err),
                err.format(),
                json.dumps(err.to_json()),
                "".join(traceback.format_exception(err)),
                repr(err.__cause__),
                repr(getattr(err, "task", None)),
            ]
            print(err.format())  # what the CLI shows
        assert provoked >= {
            "InvalidRequest",
            "Unauthorized",
            "InsufficientCredits",
            "NotFound",
            "IdempotencyConflict",
            "RateLimited",
            "ServiceBusy",
            "InternalError",
            "UnexpectedResponse",
            "TransportError",
            "RequestTimeout",
            "DeadlineExceeded",
            "DownloadError",
        }
        # the echoing server's message reached us, redacted
        assert any("bad header Bearer **********" in t for t in texts)

        from seedance_dsl.client import AsyncSeedanceClient, SeedanceClient

        with SeedanceClient(base_url=srv.base_url) as c:
            texts += [repr(c), repr(c.config), str(c.config), repr(c.limiter)]
        texts.append(repr(AsyncSeedanceClient(base_url=srv.base_url)))
        # config errors with the key in the environment and in a file
        cfg = tmp_path / "c.toml"
        cfg.write_text(f'[profiles.default]\napi_key = "{CANARY}"\n')
        cfg.chmod(0o644)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            texts.append(repr(resolve_config(config_path=cfg, env={})))
            for bad in ({"profile": "nope"}, {"base_url": "http://example.com"}):
                with pytest.raises(ConfigError) as cinfo:
                    resolve_config(config_path=cfg, env={"SEEDANCE_API_KEY": CANARY}, **bad)  # type: ignore[arg-type]
                texts += [str(cinfo.value), "".join(traceback.format_exception(cinfo.value))]
        texts += [str(w.message) for w in caught]
        assert caught  # the permission warning fired, without the key
    finally:
        srv.stop()
    texts += [repr(e) for e in events]
    out = capsys.readouterr()
    texts += [out.out, out.err, caplog.text]
    texts += [repr(r.args) + str(r.msg) + r.getMessage() for r in caplog.records]
    # debug logging of httpx and httpcore was really on
    assert any(r.name.startswith("httpcore") for r in caplog.records)
    assert any(r.name == "httpx" for r in caplog.records)
    leaked = [t for t in texts if CANARY in t]
    assert not leaked, leaked[:3]
    # and the server really did receive the key (the test is not vacuous)
    assert srv.requests()[0].headers["authorization"] == f"Bearer {CANARY}"


def test_fast_policy_is_fast() -> None:
    assert FAST.backoff_cap_s <= 0.1


def test_verbose_render_never_prints_the_key(sandbox_factory: Any, tmp_path: Path) -> None:
    """`seedance -v render` prints every request, retry and poll: the key in none of it."""
    import os
    import subprocess
    import sys

    box = sandbox_factory(keys={CANARY: 1_000_000}, post_500_fraction=0.3, seed=5)
    shot = tmp_path / "film.shot"
    shot.write_text(
        'storyboard "Kite"\n\nclip a {\n  duration 4s\n  shot { action "a red kite" }\n}\n'
        '\nclip b {\n  duration 4s\n  start a.last_frame\n  shot { action "it lands" }\n}\n',
        encoding="utf-8",
    )
    st = box.settings
    env = dict(
        os.environ,
        SEEDANCE_BASE_URL=box.base_url,
        SEEDANCE_API_KEY=CANARY,
        SEEDANCE_RATE_LIMIT=f"{st.rate_limit_requests}/{st.scaled(st.rate_limit_window_s)}",
        SEEDANCE_CONFIG=str(tmp_path / "no-such-config.toml"),
    )
    env.pop("SEEDANCE_PROFILE", None)
    for take, flags in enumerate((["-v"], ["-vv"])):  # a new take: new requests
        cmd = [sys.executable, "-m", "seedance_dsl.cli", *flags, "render", str(shot)]
        p = subprocess.run(
            [*cmd, "--take", str(take)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert p.returncode == 0, p.stdout + p.stderr
        assert "] http: POST " in p.stdout  # the requests were printed
        assert CANARY not in p.stdout + p.stderr
        assert CANARY[-12:] not in p.stdout + p.stderr  # not even a tail of it
