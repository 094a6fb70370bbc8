"""The store's credentials never leak (like tests/client/test_redaction.py for the API
key): canary AWS keys in boto3's environment never appear in an error's text, its
formatted or JSON form, its repr, its cause chain, or in any log record."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from assets_testlib import free_port, png_bytes

from seedance_dsl.assets.local import inspect_local
from seedance_dsl.assets.model import LocalAsset, redact_url
from seedance_dsl.assets.store import S3Store, StoreConfig, StoreError, store_config

ACCESS = "AKIACANARYCANARY0042"
SECRET = "canary/SECRET/never-shown-0042abcdefghij"
TOKEN = "canary-session-token-0042"


def _leaks(exc: BaseException) -> list[str]:
    texts = [str(exc), repr(exc)]
    if isinstance(exc, StoreError):
        texts += [exc.format(), str(exc.to_json()), exc.help or ""]
    cause = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    if cause is not None:
        texts.append(str(cause))
    return [c for c in (ACCESS, SECRET, TOKEN) if any(c in t for t in texts)]


@pytest.fixture
def canary_env(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)


def test_no_error_of_the_store_shows_a_credential(
    s3_endpoint: str, canary_env: None, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    (tmp_path / "a.png").write_bytes(png_bytes())
    asset = inspect_local("a", "a.png", "image", base_dir=tmp_path, roots=[str(tmp_path)])
    assert isinstance(asset, LocalAsset)
    stores = [
        StoreConfig(bucket="x", endpoint_url=f"http://127.0.0.1:{free_port()}"),  # unreachable
        StoreConfig(bucket="missing-bucket", endpoint_url=s3_endpoint),  # no bucket
    ]
    seen = 0
    for cfg in stores:
        for action in (lambda s: s.check(), lambda s: s.upload_many([asset])):
            with pytest.raises(StoreError) as info:
                action(S3Store(cfg))
            assert _leaks(info.value) == [], info.value.format()
            seen += 1
    assert seen == 4
    assert SECRET not in caplog.text and TOKEN not in caplog.text


def test_credentials_in_the_config_are_refused_without_echoing_them() -> None:
    with pytest.raises(StoreError) as info:
        store_config({"bucket": "b", "aws_secret_access_key": SECRET, "token": TOKEN})
    assert _leaks(info.value) == []
    with pytest.raises(StoreError) as info:
        store_config({"bucket": "b", "endpoint_url": f"https://{ACCESS}:{SECRET}@s3.example.com"})
    assert _leaks(info.value) == []


def test_a_presigned_url_is_shown_without_its_signature() -> None:
    url = (
        "https://b.s3.amazonaws.com/k.png?X-Amz-Credential="
        f"{ACCESS}%2F20261202&X-Amz-Signature=abc&X-Amz-Security-Token={TOKEN}"
    )
    shown = redact_url(url)
    assert shown == "https://b.s3.amazonaws.com/k.png?…"
    assert ACCESS not in shown and TOKEN not in shown
    assert redact_url(f"https://{ACCESS}:{SECRET}@h.example.com:9/x") == "https://h.example.com:9/x"
