"""seedance_dsl.assets.local: a local asset is checked for existence, confinement, kind,
decodability and limits; every problem is an AssetProblem (never an exception)."""

from __future__ import annotations

import hashlib
import os
from fractions import Fraction
from pathlib import Path

import pytest
from assets_testlib import png_bytes

from seedance_dsl.assets.local import inspect_local
from seedance_dsl.assets.model import AssetProblem, ImageInfo, LocalAsset, VideoInfo


def write_mp4(path: Path, seconds: int = 2, size: tuple[int, int] = (64, 36)) -> None:
    import av
    from PIL import Image

    with av.open(str(path), mode="w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=4)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, 4)
        for i in range(seconds * 4):
            frame = av.VideoFrame.from_image(Image.new("RGB", size, (i * 20 % 255, 90, 90)))
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def check(tmp_path: Path, rel: str, kind: str = "image") -> LocalAsset | AssetProblem:
    return inspect_local("hero", rel, kind, base_dir=tmp_path, roots=[str(tmp_path)])  # type: ignore[arg-type]


def test_an_image_is_described_by_its_header(tmp_path: Path) -> None:
    data = png_bytes((80, 45))
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "hero.png").write_bytes(data)
    got = check(tmp_path, "refs/hero.png")
    assert isinstance(got, LocalAsset)
    assert got.info == ImageInfo("PNG", 80, 45, "image/png")
    assert got.sha256 == hashlib.sha256(data).hexdigest() and got.size == len(data)
    assert got.suffix == ".png" and os.path.isabs(got.path)


def test_a_video_is_described_by_its_container(tmp_path: Path) -> None:
    write_mp4(tmp_path / "take.mp4", seconds=2)
    got = check(tmp_path, "take.mp4", "video")
    assert isinstance(got, LocalAsset), got
    assert isinstance(got.info, VideoInfo)
    assert got.info.codec == "h264" and (got.info.width, got.info.height) == (64, 36)
    assert got.info.duration_s == pytest.approx(2.0, abs=0.3)
    assert got.mime == "video/mp4" and got.suffix == ".mp4"


def test_missing_file(tmp_path: Path) -> None:
    got = check(tmp_path, "refs/nope.png")
    assert isinstance(got, AssetProblem) and got.reason == "not_found"
    assert "refs/nope.png" in got.message and got.help and "relative to the .shot" in got.help


def test_outside_the_project_is_refused_before_reading(tmp_path: Path) -> None:
    inside = tmp_path / "project"
    inside.mkdir()
    (tmp_path / "secret.png").write_bytes(png_bytes())
    got = inspect_local("hero", "../secret.png", "image", base_dir=inside, roots=[str(inside)])
    assert isinstance(got, AssetProblem) and got.reason == "outside_project"
    got = inspect_local("hero", "/proc/self/environ", "image", base_dir=inside, roots=["/"])
    assert isinstance(got, AssetProblem) and got.reason == "outside_project"


def test_a_fifo_is_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.png")
    got = check(tmp_path, "pipe.png")
    assert isinstance(got, AssetProblem) and got.reason == "not_a_file"


def test_a_video_declared_as_image_and_the_other_way(tmp_path: Path) -> None:
    write_mp4(tmp_path / "take.mp4", seconds=1)
    (tmp_path / "still.png").write_bytes(png_bytes())
    got = check(tmp_path, "take.mp4", "image")
    assert isinstance(got, AssetProblem) and got.reason == "wrong_kind"
    assert "declare it `asset hero video" in (got.help or "")
    got = check(tmp_path, "still.png", "video")
    assert isinstance(got, AssetProblem) and got.reason == "wrong_kind"


def test_not_an_image_and_a_damaged_one(tmp_path: Path) -> None:
    (tmp_path / "notes.png").write_text("hello, not a picture")
    got = check(tmp_path, "notes.png")
    assert isinstance(got, AssetProblem) and got.reason == "undecodable"
    (tmp_path / "cut.png").write_bytes(png_bytes((64, 64))[:60])
    got = check(tmp_path, "cut.png")
    assert isinstance(got, AssetProblem) and got.reason == "undecodable"
    (tmp_path / "junk.mp4").write_bytes(b"\x00" * 1000)
    got = check(tmp_path, "junk.mp4", "video")
    assert isinstance(got, AssetProblem) and got.reason == "undecodable"


def test_limits_bytes_pixels_and_seconds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "big.png").write_bytes(png_bytes((200, 200)))
    monkeypatch.setenv("SEEDANCE_MAX_ASSET_IMAGE_BYTES", "100")
    got = check(tmp_path, "big.png")
    assert isinstance(got, AssetProblem) and got.reason == "too_large"
    assert "SEEDANCE_MAX_ASSET_IMAGE_BYTES" in (got.help or "")
    monkeypatch.delenv("SEEDANCE_MAX_ASSET_IMAGE_BYTES")
    monkeypatch.setenv("SEEDANCE_MAX_ASSET_IMAGE_PIXELS", "1000")
    got = check(tmp_path, "big.png")
    assert isinstance(got, AssetProblem) and got.reason == "too_large"
    assert "200x200" in got.message and "SEEDANCE_MAX_ASSET_IMAGE_PIXELS" in (got.help or "")
    write_mp4(tmp_path / "long.mp4", seconds=3)
    monkeypatch.setenv("SEEDANCE_MAX_ASSET_VIDEO_SECONDS", "1")
    got = check(tmp_path, "long.mp4", "video")
    assert isinstance(got, AssetProblem) and got.reason == "too_large"
    assert "SEEDANCE_MAX_ASSET_VIDEO_SECONDS" in (got.help or "")


def test_a_bad_limit_setting_is_a_problem_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.png").write_bytes(png_bytes())
    monkeypatch.setenv("SEEDANCE_MAX_ASSET_IMAGE_PIXELS", "lots")
    got = check(tmp_path, "a.png")
    assert isinstance(got, AssetProblem) and "SEEDANCE_MAX_ASSET_IMAGE_PIXELS" in got.message


def test_local_inspection_loads_no_network_code() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import seedance_dsl.assets.local, seedance_dsl.assets.model;"
        "bad = [m for m in ('httpx', 'boto3', 'botocore', 'av', 'PIL') if m in sys.modules];"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr
