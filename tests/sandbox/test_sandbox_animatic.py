"""Animatics: real H.264 MP4s with the clip's duration and aspect, and a matching PNG."""

from __future__ import annotations

import io
import itertools
import time
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageStat
from sandbox_testlib import GLASS_TRAIN, submit, wait_task

from seedance_dsl.api.spec import CONTRACT
from seedance_dsl.sandbox.animatic import (
    AnimaticJob,
    camera_motion,
    frame_size,
    parse_shots,
    render_animatic,
)
from seedance_dsl.sandbox.settings import AnimaticSettings

CHEAP = AnimaticSettings.cheap()

COMPILED = """The woman in reference image 1 is the main character.
Shot 1 (0–3 s): a glass train crosses a snowy mountain bridge, alpine valley at dawn; camera: slow aerial dolly-in.
Shot 2 (3–8 s): the character from reference image 1 steps onto the platform. Camera: handheld close-up.
Style: 35mm film, anamorphic flares. Constraints: stable faces, natural motion."""


# -- reading shots out of prompts ---------------------------------------------------------


def test_compiler_style_shots_with_ranges_and_cameras() -> None:
    shots = parse_shots(COMPILED, 8)
    assert [(s.number, s.start, s.end) for s in shots] == [(1, 0.0, 3.0), (2, 3.0, 8.0)]
    assert shots[0].camera == "slow aerial dolly-in"
    assert shots[0].text.startswith("a glass train crosses") and "camera" not in shots[0].text
    assert shots[1].camera == "handheld close-up"
    assert "Style" not in shots[1].text  # the shot ends with its line


def test_inline_shots_share_the_time_and_lengths_are_laid_end_to_end() -> None:
    even = parse_shots("Shot 1: a man walks, the camera pans left. Shot 2: he sits.", 10)
    assert [(s.start, s.end) for s in even] == [(0.0, 5.0), (5.0, 10.0)]
    assert even[0].camera == "the camera pans left" and even[1].camera is None
    lengths = parse_shots("Shot 1 (4 s): a. Shot 2 (2 s): b. Shot 3: c.", 10)
    assert [(s.start, s.end) for s in lengths] == [(0.0, 4.0), (4.0, 6.0), (6.0, 10.0)]


def test_ranges_beyond_the_clip_are_clamped_and_gaps_closed() -> None:
    shots = parse_shots("Shot 1 (1–3 s): a\nShot 2 (5–40 s): b", 6)
    assert [(s.start, s.end) for s in shots] == [(0.0, 5.0), (5.0, 6.0)]


def test_any_prompt_becomes_at_least_one_shot() -> None:
    (only,) = parse_shots(GLASS_TRAIN["prompt"], 5)
    assert only.text == GLASS_TRAIN["prompt"] and (only.start, only.end) == (0.0, 5.0)
    assert parse_shots("", 4)[0].end == 4.0


@pytest.mark.parametrize(
    ("camera", "kind"),
    [
        ("slow aerial dolly-in", "in"),
        ("pull back to a wide", "out"),
        ("pan left across the hall", "left"),
        ("tilt down to the floor", "down"),
        ("orbit around the car", "orbit"),
        ("handheld close-up", "in"),
        ("handheld", "shake"),
        ("locked-off tripod", "static"),
        (None, "static"),
    ],
)
def test_camera_moves_are_acted_out(camera: str | None, kind: str) -> None:
    assert camera_motion(camera) == kind


# -- frame sizes ------------------------------------------------------------------------


@pytest.mark.parametrize("aspect", [a for a in CONTRACT.aspect_ratios if a != "adaptive"])
@pytest.mark.parametrize("settings", [AnimaticSettings(), CHEAP], ids=["default", "cheap"])
def test_frame_sizes_keep_the_aspect_ratio(aspect: str, settings: AnimaticSettings) -> None:
    aw, ah = (int(x) for x in aspect.split(":"))
    for resolution in CONTRACT.resolutions:
        w, h = frame_size(aspect, resolution, settings)
        assert w % 2 == 0 and h % 2 == 0
        assert abs(w / h - aw / ah) <= 2.5 / min(w, h)  # within rounding to even pixels
        assert min(w, h) <= settings.max_short_side
        if settings.max_long_side is not None:
            assert max(w, h) <= settings.max_long_side
    assert min(frame_size(aspect, "720p", AnimaticSettings())) == 720


def test_adaptive_uses_the_configured_ratio() -> None:
    assert frame_size("adaptive", "720p", AnimaticSettings()) == (1280, 720)
    assert frame_size("adaptive", "720p", AnimaticSettings(adaptive_aspect="9:16")) == (720, 1280)


# -- rendering --------------------------------------------------------------------------


def _render(
    tmp_path: Path, prompt: str, duration: int, aspect: str, res: str, s: AnimaticSettings
) -> AnimaticJob:
    job = AnimaticJob(
        task_id="sd2_test",
        prompt=prompt,
        duration=duration,
        aspect_ratio=aspect,
        resolution=res,
        video_path=tmp_path / f"{aspect.replace(':', 'x')}-{duration}.mp4",
        frame_path=tmp_path / f"{aspect.replace(':', 'x')}-{duration}.png",
    )
    render_animatic(job, s)
    return job


def _decode(data: Path | bytes) -> tuple[float, int, list[Image.Image], str]:
    src = io.BytesIO(data) if isinstance(data, bytes) else str(data)
    with av.open(src) as container:
        stream = container.streams.video[0]
        codec = stream.codec_context.name
        duration = container.duration / av.time_base
        images = [f.to_image() for f in container.decode(video=0)]
        rate = int(stream.average_rate)
    return duration, rate, images, codec


def _diff(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3


@pytest.mark.parametrize(
    ("aspect", "duration", "resolution"),
    [("16:9", 4, "720p"), ("9:16", 7, "1080p"), ("21:9", 15, "720p"), ("1:1", 5, "720p")],
)
def test_cheap_animatics_have_exact_duration_size_and_last_frame(
    tmp_path: Path, aspect: str, duration: int, resolution: str
) -> None:
    job = _render(tmp_path, COMPILED, duration, aspect, resolution, CHEAP)
    length, fps, frames, codec = _decode(job.video_path)
    assert codec == "h264"
    assert fps == CHEAP.fps
    assert abs(length - duration) <= 1 / CHEAP.fps
    assert len(frames) == duration * CHEAP.fps
    assert frames[0].size == frame_size(aspect, resolution, CHEAP)
    png = Image.open(job.frame_path)
    assert png.format == "PNG" and png.size == frames[-1].size
    assert _diff(png, frames[-1]) < 12  # the same picture, up to H.264 loss
    assert _diff(png, frames[0]) > _diff(png, frames[-1])


def test_default_animatic_is_720p_at_12_fps_and_shows_each_shot_in_turn(tmp_path: Path) -> None:
    job = _render(tmp_path, COMPILED, 8, "16:9", "1080p", AnimaticSettings())
    length, fps, frames, _ = _decode(job.video_path)
    assert abs(length - 8) <= 1 / 12 and fps == 12 and len(frames) == 96
    assert frames[0].size == (1280, 720)
    shot1, shot2 = frames[12], frames[60]  # at 1 s and at 5 s
    assert _diff(shot1, shot2) > 10  # another card (another colour and text)
    assert _diff(frames[60], frames[61]) < _diff(shot1, shot2)  # same card, moving overlay


def test_a_failed_render_fails_the_task_and_refunds(sandbox_factory: Any) -> None:
    broken = AnimaticSettings(fps=2, max_long_side=160, preset="no-such-preset")
    sb = sandbox_factory(animatic=broken, keys={"sk_test_r": 100})
    with httpx.Client(base_url=sb.base_url) as c:
        task = wait_task(c, "sk_test_r", submit(c, "sk_test_r", "r-1").json()["id"])
    assert task["status"] == "failed" and task["error"]["code"] == "internal_error"
    assert task["credits_refunded"] == 30 and sb.balance("sk_test_r") == 100


def test_end_to_end_output_downloaded_in_ranges_decodes_to_the_request(sandbox: Any) -> None:
    body = {**GLASS_TRAIN, "prompt": COMPILED, "aspect_ratio": "21:9", "duration": "6"}
    with httpx.Client(base_url=sandbox.base_url, timeout=20) as c:
        task = wait_task(c, sandbox.api_key, submit(c, sandbox.api_key, "e2e-1", body).json()["id"])
        url = task["output"]["video_url"]
        size = int(c.head(url).headers["Content-Length"])
        data = b""
        while len(data) < size:  # resume in 1 KiB pieces, as a downloader would
            r = c.get(url, headers={"Range": f"bytes={len(data)}-{len(data) + 1023}"})
            assert r.status_code == 206
            data += r.content
        png = Image.open(io.BytesIO(c.get(task["output"]["last_frame_url"]).content))
    length, _, frames, _ = _decode(data)
    assert abs(length - 6) <= 1 / CHEAP.fps
    w, h = frames[0].size
    assert (w, h) == frame_size("21:9", "720p", CHEAP) and abs(w / h - 21 / 9) < 0.05
    assert png.size == (w, h) and _diff(png, frames[-1]) < 12


def test_a_slow_render_never_blocks_the_api(sandbox_factory: Any) -> None:
    # Full-size animatic (15 s, 720p, 12 fps: a second or more of drawing), no render
    # time: the task stays `processing` exactly as long as the worker draws, and the
    # API answers meanwhile.
    sb = sandbox_factory(animatic=AnimaticSettings(), render_time_s=0.0, rate_limit_requests=10_000)
    body = {**GLASS_TRAIN, "prompt": COMPILED, "duration": "15"}
    with httpx.Client(base_url=sb.base_url, timeout=20) as c:
        task_id = submit(c, sb.api_key, "slow-1", body).json()["id"]
        path = CONTRACT.task_url_path(task_id)
        seen_processing, slowest = 0, 0.0
        deadline = time.monotonic() + 60
        while True:
            t0 = time.perf_counter()
            status = c.get(path, headers={"Authorization": f"Bearer {sb.api_key}"}).json()["status"]
            slowest = max(slowest, time.perf_counter() - t0)
            if status != "processing":
                break
            seen_processing += 1
            assert time.monotonic() < deadline
            time.sleep(0.01)
    assert status == "completed"
    assert seen_processing >= 3  # answered several times while the worker drew
    assert slowest < 1.0


@pytest.mark.parametrize(
    "prompt",
    [
        "word " * 2000,  # 10 000 characters without a clause break (no quadratic scans)
        "Shot 1: a pan. " * 666,  # hundreds of shots in a 4 s clip
        "镜头1：一列玻璃火车 😀 穿过雪山桥",  # glyphs the built-in font lacks
    ],
    ids=["long", "many-shots", "cjk"],
)
def test_hostile_prompts_still_draw_quickly(tmp_path: Path, prompt: str) -> None:
    t0 = time.perf_counter()
    job = _render(tmp_path, prompt, 4, "16:9", "720p", CHEAP)
    assert time.perf_counter() - t0 < 10
    length, _, frames, _ = _decode(job.video_path)
    assert abs(length - 4) <= 1 / CHEAP.fps and len(frames) == 4 * CHEAP.fps


@settings(max_examples=200, deadline=None)
@given(
    prompt=st.text(
        alphabet=st.sampled_from(list("Shot 0123456789()–-:.;,sS camera pan\n aéx")), max_size=300
    ),
    duration=st.integers(CONTRACT.duration_min, CONTRACT.duration_max),
)
def test_any_prompt_gives_contiguous_shots_covering_the_clip(prompt: str, duration: int) -> None:
    shots = parse_shots(prompt, duration)
    assert shots and shots[0].start == 0.0 and shots[-1].end == duration
    for a, b in itertools.pairwise(shots):
        assert a.end == b.start
    assert all(s.start <= s.end for s in shots)


def test_the_label_says_the_size_actually_drawn(
    sandbox_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seedance_dsl.sandbox import animatic

    labels: list[str] = []
    real_card = animatic._card

    def spy(shot: Any, index: int, count: int, size: tuple[int, int], label: str) -> Any:
        labels.append(label)
        return real_card(shot, index, count, size, label)

    monkeypatch.setattr(animatic, "_card", spy)
    sb = sandbox_factory()
    body = {**GLASS_TRAIN, "quality_tier": "pro", "resolution": "4k"}
    with httpx.Client(base_url=sb.base_url, timeout=20) as c:
        r = submit(c, sb.api_key, "label-4k", body)
        assert r.status_code == 202, r.text
        wait_task(c, sb.api_key, r.json()["id"])
    assert frame_size("16:9", "4k", CHEAP) == (160, 90)
    assert labels and all(label == "16:9 · 160×90 (4k asked) · 5 s" for label in labels), labels


def test_a_label_at_the_resolution_drawn_names_no_request() -> None:
    from seedance_dsl.sandbox.animatic import label_text

    size = frame_size("16:9", "720p", AnimaticSettings())
    assert label_text("16:9", "720p", 5, size) == "16:9 · 1280×720 · 5 s"
    assert label_text("9:16", "1080p", 8, (720, 1280)) == "9:16 · 720×1280 (1080p asked) · 8 s"
