"""An interrupted upload is never taken as done (issue 15, Ctrl-C during uploads):
``S3Store.has`` wants the object's size *and* the ``sha256`` metadata our upload writes
with it, so what a Ctrl-C, a crash or a foreign tool left at the content-addressed key
is uploaded again.  Against moto's S3 server on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from assets_testlib import noise_png

from seedance_dsl.assets.local import inspect_local
from seedance_dsl.assets.model import LocalAsset
from seedance_dsl.assets.store import S3Store, StoreConfig, UploadProgress


@pytest.fixture
def store(s3_endpoint: str, aws_env: dict[str, str], request: pytest.FixtureRequest) -> S3Store:
    import boto3

    bucket = "i-" + request.node.name.replace("_", "-")[:50].lower()
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(
        Bucket=bucket
    )
    return S3Store(StoreConfig(bucket=bucket, endpoint_url=s3_endpoint, region="us-east-1"))


def _asset(tmp_path: Path, data: bytes) -> LocalAsset:
    (tmp_path / "big.png").write_bytes(data)
    got = inspect_local("big", "big.png", "image", base_dir=tmp_path, roots=[str(tmp_path)])
    assert isinstance(got, LocalAsset), got
    return got


def _object(store: S3Store, key: str) -> tuple[bytes, dict[str, str]]:
    got = store.client.get_object(Bucket=store.config.bucket, Key=key)
    return got["Body"].read(), dict(got.get("Metadata") or {})


def test_ctrl_c_during_an_upload_leaves_nothing_taken_as_done(
    store: S3Store, tmp_path: Path
) -> None:
    asset = _asset(tmp_path, noise_png(2_000_000, seed=7))
    key = store.key_for(asset.sha256, asset.suffix)

    def interrupt(p: UploadProgress) -> None:
        if not p.done and 0 < p.sent < p.total:
            raise KeyboardInterrupt  # Ctrl-C while the bytes go out

    with pytest.raises(KeyboardInterrupt):
        store.upload_many([asset], progress=interrupt)
    assert not store.has(key, asset.size, asset.sha256)
    # the next render uploads it whole, and then it is there
    (up,) = store.upload_many([asset])
    assert up.bytes_sent == asset.size
    body, meta = _object(store, key)
    assert body == Path(asset.path).read_bytes() and meta.get("sha256") == asset.sha256
    assert store.has(key, asset.size, asset.sha256)
    (again,) = store.upload_many([asset])
    assert again.bytes_sent == 0


@pytest.mark.parametrize(
    "left",
    ["right size, no metadata", "right size, another sha256", "truncated, right metadata"],
)
def test_an_object_left_at_the_key_is_not_taken_as_done(
    store: S3Store, tmp_path: Path, left: str
) -> None:
    data = noise_png(300_000, seed=3)
    asset = _asset(tmp_path, data)
    key = store.key_for(asset.sha256, asset.suffix)
    body, meta = {
        "right size, no metadata": (b"\0" * len(data), {}),
        "right size, another sha256": (b"\0" * len(data), {"sha256": "0" * 64}),
        "truncated, right metadata": (data[: len(data) // 2], {"sha256": asset.sha256}),
    }[left]
    store.client.put_object(Bucket=store.config.bucket, Key=key, Body=body, Metadata=meta)
    assert not store.has(key, asset.size, asset.sha256)
    (up,) = store.upload_many([asset])
    assert up.bytes_sent == asset.size
    assert _object(store, key)[0] == data
