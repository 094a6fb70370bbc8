"""seedance_dsl.assets.store against a real S3 API on loopback (moto's server mode):
content-addressed keys, HEAD before PUT, presigned URLs, the upload record, clear
errors before anything is submitted."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest
from assets_testlib import free_port, noise_png, png_bytes

from seedance_dsl.assets.local import inspect_local
from seedance_dsl.assets.model import LocalAsset
from seedance_dsl.assets.store import (
    S3Store,
    StoreConfig,
    StoreError,
    UploadProgress,
    record_uploads,
    recorded_uploads,
    store_config,
)


def make_bucket(endpoint: str, name: str) -> None:
    import boto3

    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=name)


def local(tmp_path: Path, name: str, data: bytes) -> LocalAsset:
    path = tmp_path / f"{name}.png"
    path.write_bytes(data)
    got = inspect_local(name, path.name, "image", base_dir=tmp_path, roots=[str(tmp_path)])
    assert isinstance(got, LocalAsset), got
    return got


@pytest.fixture
def store(s3_endpoint: str, aws_env: dict[str, str], request: pytest.FixtureRequest) -> S3Store:
    bucket = "b-" + request.node.name.replace("_", "-")[:50].lower()
    make_bucket(s3_endpoint, bucket)
    return S3Store(StoreConfig(bucket=bucket, endpoint_url=s3_endpoint, region="us-east-1"))


def test_second_run_sends_nothing_and_a_changed_file_goes_once(
    store: S3Store, tmp_path: Path
) -> None:
    assets = [local(tmp_path, f"ref{i}", noise_png(20_000, i)) for i in range(5)]
    store.check()
    first = store.upload_many(assets)
    assert [u.bytes_sent for u in first] == [a.size for a in assets]
    again = store.upload_many(assets)
    assert sum(u.bytes_sent for u in again) == 0 and all(u.reused for u in again)
    assert [u.key for u in again] == [u.key for u in first]
    changed = local(tmp_path, "ref2", noise_png(20_000, 99))
    third = store.upload_many([*assets[:2], changed, *assets[3:]])
    assert [u.bytes_sent for u in third] == [0, 0, changed.size, 0, 0]
    assert third[2].key.endswith(changed.sha256 + ".png") and third[2].key != first[2].key


def test_keys_are_content_addressed_and_the_same_bytes_go_once(
    store: S3Store, tmp_path: Path
) -> None:
    data = png_bytes((30, 30))
    a, b = local(tmp_path, "a", data), local(tmp_path, "b", data)
    ups = store.upload_many([a, b])
    assert ups[0].key == ups[1].key == f"seedance/sha256/{a.sha256}.png"
    assert sum(u.bytes_sent for u in ups) == len(data)
    assert [u.name for u in ups] == ["a", "b"]


def test_the_presigned_url_serves_the_bytes_and_says_when_it_expires(
    s3_endpoint: str, aws_env: dict[str, str], tmp_path: Path
) -> None:
    make_bucket(s3_endpoint, "presign")
    cfg = store_config({"bucket": "presign", "endpoint_url": s3_endpoint, "presign_expiry": "2h"})
    data = png_bytes((40, 20))
    before = time.time()
    (up,) = S3Store(cfg).upload_many([local(tmp_path, "hero", data)])
    assert up.expires_at is not None and before + 7200 <= up.expires_at <= time.time() + 7200
    got = httpx.get(up.url, timeout=10)
    assert got.status_code == 200 and got.content == data
    assert got.headers["content-type"] == "image/png"
    # the API needs Range on videos; the store answers them
    part = httpx.get(up.url, headers={"Range": "bytes=0-0"}, timeout=10)
    assert part.status_code == 206


def test_a_public_base_url_is_used_as_is(
    s3_endpoint: str, aws_env: dict[str, str], tmp_path: Path
) -> None:
    make_bucket(s3_endpoint, "public")
    cfg = StoreConfig(
        bucket="public", endpoint_url=s3_endpoint, public_base_url="https://cdn.example.com/a"
    )
    (up,) = S3Store(cfg).upload_many([local(tmp_path, "hero", png_bytes())])
    assert up.url == f"https://cdn.example.com/a/{up.key}" and up.expires_at is None


def test_progress_reaches_the_size_of_each_asset(store: S3Store, tmp_path: Path) -> None:
    events: list[UploadProgress] = []
    lock = threading.Lock()

    def progress(p: UploadProgress) -> None:
        with lock:
            events.append(p)

    assets = [local(tmp_path, f"p{i}", noise_png(10_000, 50 + i)) for i in range(3)]
    store.upload_many(assets, progress=progress)
    done = {p.name: p for p in events if p.done}
    assert set(done) == {"p0", "p1", "p2"}
    assert all(done[a.name].sent == a.size and not done[a.name].reused for a in assets)
    events.clear()
    store.upload_many(assets, progress=progress)
    assert all(p.done and p.reused and p.sent == 0 for p in events) and len(events) == 3


def test_the_upload_record(store: S3Store, tmp_path: Path) -> None:
    conn = sqlite3.connect(":memory:")
    assets = [local(tmp_path, f"r{i}", noise_png(5_000, 70 + i)) for i in range(2)]
    record_uploads(conn, store.config, store.upload_many(assets), now=100.0)
    record_uploads(conn, store.config, store.upload_many(assets), now=200.0)
    rows = recorded_uploads(conn, store.config)
    assert [(r.sha256, r.first_at, r.last_at) for r in rows] == [
        (a.sha256, 100.0, 200.0) for a in sorted(assets, key=lambda a: a.sha256)
    ]
    assert all(r.bytes_sent == r.size for r in rows)  # sent once, then 0
    assert all(r.store == store.config.store_id and "?" not in r.key for r in rows)
    assert "url" not in {d[0] for d in conn.execute("SELECT * FROM asset_uploads").description}


def test_a_file_changed_since_the_check_is_not_uploaded(store: S3Store, tmp_path: Path) -> None:
    asset = local(tmp_path, "late", png_bytes())
    Path(asset.path).write_bytes(png_bytes(colour=(1, 2, 3)))
    with pytest.raises(StoreError, match="changed since it was checked"):
        store.upload_many([asset])


def test_unreachable_store_is_a_clear_error(aws_env: dict[str, str]) -> None:
    cfg = StoreConfig(bucket="x", endpoint_url=f"http://127.0.0.1:{free_port()}")
    t0 = time.monotonic()
    with pytest.raises(StoreError) as info:
        S3Store(cfg).check()
    assert time.monotonic() - t0 < 30
    assert "cannot reach the asset store" in info.value.message
    assert info.value.help and "nothing was submitted" in info.value.help
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_no_bucket_and_no_credentials(
    s3_endpoint: str, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(StoreError, match="has no bucket 'nowhere'"):
        S3Store(StoreConfig(bucket="nowhere", endpoint_url=s3_endpoint)).check()
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(StoreError, match="no credentials") as info:
        S3Store(StoreConfig(bucket="nowhere", endpoint_url=s3_endpoint)).check()
    assert "AWS_ACCESS_KEY_ID" in (info.value.help or "")


def test_a_missing_aws_profile(aws_env: dict[str, str]) -> None:
    with pytest.raises(StoreError, match="AWS profile 'nope'"):
        S3Store(StoreConfig(bucket="x", aws_profile="nope")).check()


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({}, "has no bucket"),
        ({"bucket": "b", "aws_secret_access_key": "x"}, "holds credentials"),
        ({"bucket": "b", "colour": "x"}, "unknown key"),
        ({"bucket": "b", "presign_expiry": "8d"}, "between 1 s and 7 days"),
        ({"bucket": "b", "presign_expiry": True}, "between 1 s and 7 days"),
        ({"bucket": "b", "endpoint_url": "ftp://x"}, "http(s) URL"),
        ({"bucket": "b", "endpoint_url": "https://u:p@r2.example.com"}, "must not hold"),
        ({"bucket": "b", "public_base_url": "http://cdn.example.com"}, "must be https"),
        ({"bucket": "b", "addressing_style": "sideways"}, "addressing_style"),
    ],
)
def test_store_config_errors(table: dict[str, object], fragment: str) -> None:
    with pytest.raises(StoreError) as info:
        store_config(table, where="[profiles.work.store]")
    assert fragment in info.value.message
    assert "p@" not in info.value.message


def test_store_config_values() -> None:
    cfg = store_config(
        {"bucket": "b", "prefix": "/team/refs/", "presign_expiry": "12h", "region": "auto"}
    )
    assert cfg.prefix == "team/refs/" and cfg.presign_expiry_s == 43200 and cfg.region == "auto"
    assert store_config({"bucket": "b", "presign_expiry": 600}).presign_expiry_s == 600
    assert store_config({"bucket": "b"}).presign_expiry_s == 7 * 86400
