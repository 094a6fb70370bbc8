"""The sandbox draws a request's media: a clip opens on its start frame and closes on its
end frame (presigned URLs of moto's S3 on loopback, fetched by the sandbox), a chained
clip opens on the previous clip's real last frame, references appear as thumbnails, and
a media URL that fails fails the task with a clear message.  Frames are decoded from
the MP4 and compared with the supplied images (mean absolute difference, downscaled)."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from assets_testlib import Route, ScriptedServer
from PIL import Image, ImageChops, ImageStat

from seedance_dsl.api.spec import CONTRACT
from seedance_dsl.assets.local import inspect_local
from seedance_dsl.assets.model import LocalAsset
from seedance_dsl.assets.store import S3Store, StoreConfig

PROMPT = "Shot 1 (0–5 s): a glass train crosses a snowy bridge, camera: slow dolly-in"
SMALL = (32, 18)


def quadrants(a: tuple[int, int, int], b: tuple[int, int, int]) -> Image.Image:
    """A picture no animatic card looks like: two colours in a checker of 4 blocks."""
    img = Image.new("RGB", (320, 180), a)
    img.paste(Image.new("RGB", (160, 90), b), (160, 0))
    img.paste(Image.new("RGB", (160, 90), b), (0, 90))
    return img


START = quadrants((230, 30, 30), (30, 30, 230))
END = quadrants((30, 200, 30), (240, 230, 40))


def diff(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference (0–255) of two pictures downscaled to 32×18."""
    x = a.convert("RGB").resize(SMALL, Image.Resampling.BOX)
    y = b.convert("RGB").resize(SMALL, Image.Resampling.BOX)
    return sum(ImageStat.Stat(ImageChops.difference(x, y)).mean) / 3


def frames(data: bytes) -> list[Image.Image]:
    import av

    with av.open(io.BytesIO(data)) as c:
        return [f.to_image() for f in c.decode(video=0)]


def submit_and_wait(sb: Any, body: dict[str, Any], idem: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {sb.api_key}", "Idempotency-Key": idem}
    full = {"prompt": PROMPT, "duration": "5", "aspect_ratio": "16:9", **body}
    with httpx.Client(base_url=sb.base_url, timeout=10) as c:
        r = c.post(CONTRACT.submit_path, json=full, headers=headers)
        assert r.status_code == 202, r.text
        task_id = r.json()["id"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            r = c.get(
                CONTRACT.task_url_path(task_id), headers={"Authorization": headers["Authorization"]}
            )
            if r.status_code == 200 and r.json()["status"] in CONTRACT.terminal_statuses:
                task: dict[str, Any] = r.json()
                return task
            time.sleep(0.05)
    raise AssertionError(f"task {task_id} did not finish")


def fetch(url: str) -> bytes:
    r = httpx.get(url, timeout=10)
    assert r.status_code == 200
    return r.content


@pytest.fixture
def presigned(s3_endpoint: str, aws_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    import boto3

    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(
        Bucket="frames"
    )
    assets = []
    for name, img in (("start", START), ("end", END)):
        img.save(tmp_path / f"{name}.png")
        got = inspect_local(name, f"{name}.png", "image", base_dir=tmp_path, roots=[str(tmp_path)])
        assert isinstance(got, LocalAsset)
        assets.append(got)
    store = S3Store(StoreConfig(bucket="frames", endpoint_url=s3_endpoint))
    return {u.name: u.url for u in store.upload_many(assets)}


def test_a_clip_opens_on_its_start_frame_and_closes_on_its_end_frame(
    sandbox: Any, presigned: dict[str, str]
) -> None:
    assert "X-Amz-Signature" in presigned["start"]  # really presigned, really fetched
    task = submit_and_wait(
        sandbox,
        {
            "mode": "image-to-video",
            "image_url": presigned["start"],
            "end_image_url": presigned["end"],
        },
        "media-1",
    )
    assert task["status"] == "completed", task
    video = frames(fetch(task["output"]["video_url"]))
    assert len(video) == 10  # 5 s at the test mode's 2 fps
    assert diff(video[0], START) < 15, diff(video[0], START)
    assert diff(video[-1], END) < 15, diff(video[-1], END)
    mid = video[len(video) // 2]
    assert diff(mid, START) > 40 and diff(mid, END) > 40  # the cards are in between
    last_png = Image.open(io.BytesIO(fetch(task["output"]["last_frame_url"])))
    assert diff(last_png, END) < 15

    # chained: the next clip opens on this clip's real last frame (an own output)
    nxt = submit_and_wait(
        sandbox,
        {"mode": "image-to-video", "image_url": task["output"]["last_frame_url"]},
        "media-2",
    )
    assert nxt["status"] == "completed", nxt
    first = frames(fetch(nxt["output"]["video_url"]))[0]
    assert diff(first, last_png) < 15
    assert diff(first, END) < 15


def test_without_media_the_clip_opens_on_its_card(sandbox: Any) -> None:
    task = submit_and_wait(sandbox, {"mode": "text-to-video"}, "plain")
    first = frames(fetch(task["output"]["video_url"]))[0]
    assert diff(first, START) > 40  # the control of the test above


def test_references_appear_as_thumbnails(sandbox: Any, presigned: dict[str, str]) -> None:
    plain = submit_and_wait(sandbox, {"mode": "text-to-video"}, "no-refs")
    refs = submit_and_wait(
        sandbox,
        {
            "mode": "media-to-video",
            "media_urls": [presigned["start"], "https://cdn.example.com/b.png"],
        },
        "refs",
    )
    assert refs["status"] == "completed", refs
    a = frames(fetch(plain["output"]["video_url"]))[5].convert("RGB")
    b = frames(fetch(refs["output"]["video_url"]))[5].convert("RGB")
    w, h = a.size
    box_top_left = (0, 0, w // 2, h // 2)
    box_bottom_right = (w // 2, h // 2, w, h)
    assert diff(a.crop(box_top_left), b.crop(box_top_left)) < 3  # the card is the same
    assert diff(a.crop(box_bottom_right), b.crop(box_bottom_right)) > 8  # thumbnails there
    # the fetched reference shows its picture: red/blue pixels in the bottom right
    corner = b.crop(box_bottom_right).resize((64, 36))
    raw = corner.tobytes()
    pixels = [tuple(raw[i : i + 3]) for i in range(0, len(raw), 3)]
    reds = sum(1 for r, g, bl in pixels if r > 150 and g < 90 and bl < 90)
    assert reds > 10


def test_a_media_url_that_fails_fails_the_task_and_says_why(sandbox: Any) -> None:
    table = {"/page.png": Route(content_type="text/html", body=b"<html>login</html>")}
    with ScriptedServer(table) as srv:
        missing = srv.url("/gone.png") + "?X-Amz-Signature=deadbeef"
        task = submit_and_wait(sandbox, {"mode": "image-to-video", "image_url": missing}, "bad-1")
        assert task["status"] == "failed"
        msg = task["error"]["message"]
        assert "image_url" in msg and "HTTP 404" in msg and "deadbeef" not in msg
        task = submit_and_wait(
            sandbox, {"mode": "image-to-video", "image_url": srv.url("/page.png")}, "bad-2"
        )
        assert task["status"] == "failed" and "is not an image" in task["error"]["message"]


def test_a_media_url_over_the_fetch_limit(
    sandbox_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDANCE_SANDBOX_MAX_FETCH_BYTES", "1000")
    buf = io.BytesIO()
    quadrants((1, 2, 3), (4, 5, 6)).resize((400, 400)).save(buf, format="BMP")
    with ScriptedServer({"/big.bmp": Route(content_type="image/bmp", body=buf.getvalue())}) as srv:
        sb = sandbox_factory()
        task = submit_and_wait(
            sb, {"mode": "image-to-video", "image_url": srv.url("/big.bmp")}, "big"
        )
    assert task["status"] == "failed" and "> 1000" in task["error"]["message"]


def test_local_files_uploaded_to_the_sandbox_are_served_and_drawn(
    sandbox: Any, tmp_path: Path
) -> None:
    from seedance_dsl.assets.store import SandboxStore, StoreError

    START.save(tmp_path / "start.png")
    asset = inspect_local("start", "start.png", "image", base_dir=tmp_path, roots=[str(tmp_path)])
    assert isinstance(asset, LocalAsset)
    store = SandboxStore(sandbox.base_url, sandbox.api_key)
    store.check()
    (up,) = store.upload_many([asset])
    assert up.bytes_sent == asset.size and up.url.endswith(f"/_sandbox/assets/{asset.sha256}.png")
    assert store.upload_many([asset])[0].bytes_sent == 0  # HEAD first: nothing sent again
    r = httpx.get(up.url, headers={"Range": "bytes=0-3"}, timeout=10)
    assert r.status_code == 206 and r.content == b"\x89PNG"
    assert r.headers["content-type"] == "image/png"
    task = submit_and_wait(sandbox, {"mode": "image-to-video", "image_url": up.url}, "local-1")
    assert task["status"] == "completed", task
    assert diff(frames(fetch(task["output"]["video_url"]))[0], START) < 15

    # the sandbox checks what it is given
    base = sandbox.base_url.rstrip("/")
    bad = httpx.put(
        f"{base}/_sandbox/assets/{'a' * 64}.png",
        content=b"x",
        headers={"Authorization": f"Bearer {sandbox.api_key}"},
    )
    assert bad.status_code == 400 and "sha256" in bad.json()["error"]["message"]
    anon = httpx.put(f"{base}/_sandbox/assets/{asset.sha256}.png", content=b"x")
    assert anon.status_code == 401
    headers = {"Authorization": f"Bearer {sandbox.api_key}", "Idempotency-Key": "local-3"}
    body = {"prompt": PROMPT, "image_url": f"{base}/_sandbox/assets/{'b' * 64}.png"}
    r = httpx.post(base + CONTRACT.submit_path, json=body, headers=headers, timeout=10)
    assert r.status_code == 400 and "not an asset uploaded" in r.text

    from assets_testlib import free_port

    with pytest.raises(StoreError, match="cannot be reached"):
        SandboxStore(f"http://127.0.0.1:{free_port()}", "k").check()
