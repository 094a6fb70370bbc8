"""Helpers of the sandbox tests: plain httpx and curl, never the project's client."""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from typing import Any

import httpx

from seedance_dsl.api.spec import CONTRACT

SUBMIT = CONTRACT.submit_path
ISO_MS = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"
SUBMIT_KEYS = {"id", "status", "model", "quality_tier", "channel", "credits_used"}
TASK_KEYS = SUBMIT_KEYS | {"credits_refunded", "output", "error", "created_at", "updated_at"}

GLASS_TRAIN: dict[str, Any] = {
    "mode": "text-to-video",
    "quality_tier": "standard",
    "prompt": "A cinematic shot of a glass train crossing a snowy mountain bridge",
    "aspect_ratio": "16:9",
    "duration": "5",
    "resolution": "720p",
}


def auth(key: str, idem: str | None = None) -> dict[str, str]:
    h = {"Authorization": f"Bearer {key}"}
    if idem is not None:
        h["Idempotency-Key"] = idem
    return h


def submit(
    client: httpx.Client, key: str, idem: str, body: dict[str, Any] | None = None
) -> httpx.Response:
    return client.post(SUBMIT, json=GLASS_TRAIN if body is None else body, headers=auth(key, idem))


def wait_task(
    client: httpx.Client, key: str, task_id: str, timeout: float = 20.0
) -> dict[str, Any]:
    """Poll until the task is terminal, honouring 429 Retry-After-Ms."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(CONTRACT.task_url_path(task_id), headers=auth(key))
        if r.status_code == 429:
            time.sleep(int(r.headers["Retry-After-Ms"]) / 1000)
            continue
        assert r.status_code == 200, r.text
        task: dict[str, Any] = r.json()
        if task["status"] in CONTRACT.terminal_statuses:
            return task
        if time.monotonic() > deadline:
            raise AssertionError(f"task {task_id} still {task['status']} after {timeout} s")
        time.sleep(0.02)


def assert_error(r: httpx.Response | CurlResult, code: str) -> dict[str, Any]:
    """The documented error shape: {"error": {"code": ..., "message": ...}}."""
    status = r.status_code
    body = r.json()
    assert status == CONTRACT.error_status(code), (status, body)
    assert set(body) == {"error"}, body
    err = body["error"]
    assert err["code"] == code, body
    assert isinstance(err["message"], str) and len(err["message"]) > 10, body
    return dict(err)


@dataclass
class CurlResult:
    status_code: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


def run_curl(command: str, base_url: str, key: str, timeout: float = 30.0) -> CurlResult:
    """Run a documented curl command with only its base URL swapped (the key comes
    from ``$SEEDANCE_API_KEY``, as in the documentation).  A shell function adds
    ``-sS -i`` so the status line and headers are printed; the command is unchanged.
    """
    script = 'curl() { command curl -sS -i "$@"; }\n' + command.replace(
        CONTRACT.default_base_url, base_url
    )
    env = {**os.environ, "SEEDANCE_API_KEY": key}
    proc = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, proc.stderr
    return parse_curl_output(proc.stdout)


def parse_curl_output(out: str) -> CurlResult:
    head, _, body = out.replace("\r\n", "\n").partition("\n\n")
    lines = head.split("\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return CurlResult(status, headers, body)
