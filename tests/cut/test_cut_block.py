"""`seedance cut` follows the storyboard's `cut { ... }` block: its order, its trims."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import pytest

from seedance_dsl.check import check_text
from seedance_dsl.cli import main
from seedance_dsl.cut.assemble import StreamInfo, copy_blocker, cut_edits, edited, plan_inputs

from .media_helpers import audio_packets, make_mp4, video_facts

FILM = """storyboard "Cut"

clip a {
  duration 4s
  shot { action "one" }
}

clip b {
  duration 4s
  shot { action "two" }
}

clip c {
  duration 4s
  shot { action "three, never rendered" }
}

cut {
  b trim 0.5s..2s
  a trim 0s..1s
}
"""


def run(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture
def film(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "film.shot").write_text(FILM, encoding="utf-8")
    d = tmp_path / "r"
    d.mkdir()
    clips = [
        {
            "clip": name,
            "status": "done",
            "take": 0,
            "prompt": name,
            "files": {"video": {"path": str(d / f"{name}.mp4"), "bytes": 1}},
        }
        for name in ("a", "b")  # c is not rendered: the cut leaves it out
    ]
    (d / "manifest.json").write_text(json.dumps({"server": "sandbox", "clips": clips}))
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield d
    finally:
        os.chdir(old)


def test_the_cut_block_orders_and_trims_the_clips(film: Path) -> None:
    make_mp4(film / "a.mp4", frames=24, audio_hz=440)  # 2 s at 12 fps
    make_mp4(film / "b.mp4", frames=36, audio_hz=660, shade=100)  # 3 s
    assert run("cut", "film.shot", "--renders", "r", "--out", "cut.mp4") == 0
    out = film.parent / "cut.mp4"
    n, dur, rate, _ = video_facts(out)
    want = (2.0 - 0.5) + (1.0 - 0.0)  # the trimmed durations
    assert rate == 12
    assert abs(n - want * 12) <= 1
    assert abs(dur - want) <= 1 / 12
    luma = _lumas(out)
    assert abs(luma[0] - (100 + 6 * 9)) <= 4  # b from 0.5 s on (its frame 6)
    assert abs(luma[17] - (100 + 23 * 9) % 256) <= 4  # b's last kept frame (23)
    assert abs(luma[18] - 0) <= 4  # then a from its start
    packets = audio_packets(out)
    audio_s = (packets[-1][0] + packets[-1][1]) / 44100
    assert abs(audio_s - want) <= 1 / 12 + 1024 / 44100


def test_a_fade_blends_the_overlapping_frames_and_mixes_the_audio(film: Path) -> None:
    text = (film.parent / "film.shot").read_text(encoding="utf-8")
    block = "cut {\n  a\n  b fade 0.5s\n}\n"
    (film.parent / "film.shot").write_text(text.split("cut {")[0] + block, encoding="utf-8")
    make_mp4(film / "a.mp4", frames=24, audio_hz=440)  # 2 s at 12 fps
    make_mp4(film / "b.mp4", frames=36, audio_hz=660, shade=100)  # 3 s
    assert run("cut", "film.shot", "--renders", "r", "--out", "fade.mp4") == 0
    out = film.parent / "fade.mp4"
    n, dur, _, _ = video_facts(out)
    assert abs(dur - 4.5) <= 1 / 12
    assert n == 24 + 36 - 6  # the 0.5 s overlap (6 frames) counted once
    luma = _lumas(out)
    assert abs(luma[17] - 17 * 9) <= 4  # a, untouched before the fade
    for i in range(6):  # a's frames 18..23 blended into b's frames 0..5
        w = (i + 1) / 7
        want = (18 + i) * 9 * (1 - w) + (100 + i * 9) * w
        assert abs(luma[18 + i] - want) <= 5, (i, luma[18 + i], want)
    assert abs(luma[24] - (100 + 6 * 9)) <= 4  # then b alone
    packets = audio_packets(out)
    audio_s = (packets[-1][0] + packets[-1][1]) / 44100
    assert abs(audio_s - 4.5) <= 1 / 12 + 1024 / 44100


def _lumas(path: Path) -> list[float]:
    with av.open(str(path)) as f:
        out = []
        for fr in f.decode(video=0):
            y = fr.planes[0]
            raw = bytes(y)
            rows = [raw[r * y.line_size : r * y.line_size + fr.width] for r in range(fr.height)]
            out.append(sum(map(sum, rows)) / (fr.width * fr.height))
        return out


def _info(**kw: object) -> StreamInfo:
    base: dict[str, object] = dict(
        path="x.mp4",
        video_codec="h264",
        width=64,
        height=48,
        pix_fmt="yuv420p",
        time_base=Fraction(1, 12288),
        rate=Fraction(12),
        frames=48,
        duration_s=4.0,
    )
    base.update(kw)
    return StreamInfo(**base)  # type: ignore[arg-type]


def test_trims_and_fades_come_from_the_block_and_force_a_reencode() -> None:
    res = check_text(FILM.replace("a trim 0s..1s", "a trim 0s..1s fade 0.25s"), "f.shot")
    assert res.storyboard is not None, res.diagnostics
    edits = cut_edits(res.storyboard.syntax)
    assert edits is not None
    assert [e.clip for e in edits] == ["b", "a"]
    assert edits[0].trim == (0.5, 2.0) and edits[1].fade_s == 0.25
    manifest = {
        "clips": [
            {"clip": c, "take": 0, "files": {"video": {"path": f"{c}.mp4"}}} for c in ("a", "b")
        ]
    }
    inputs = plan_inputs(
        [e.clip for e in edits],
        manifest,
        take=0,
        command=lambda c: c,
        edits={e.clip: e for e in edits},
    )
    assert [(i.clip, i.trim, i.fade_s) for i in inputs] == [
        ("b", (0.5, 2.0), None),
        ("a", (0.0, 1.0), 0.25),
    ]
    plain = [_info(), _info()]
    assert copy_blocker(plain) is None
    infos = [edited(i, inp) for i, inp in zip(plain, inputs, strict=True)]
    assert infos[0].frames == 18 and infos[0].duration_s == 1.5
    assert copy_blocker(infos) is not None
    assert cut_edits(check_text(FILM.split("cut {")[0], "g.shot").storyboard.syntax) is None  # type: ignore[union-attr]


def test_a_fade_into_a_slate_overlaps_it_too(film: Path) -> None:
    text = (film.parent / "film.shot").read_text(encoding="utf-8")
    block = "cut {\n  a\n  c fade 0.5s\n}\n"  # c is not rendered: a 4 s slate
    (film.parent / "film.shot").write_text(text.split("cut {")[0] + block, encoding="utf-8")
    make_mp4(film / "a.mp4", frames=24, audio_hz=440)
    assert run("cut", "film.shot", "--renders", "r", "--gaps", "--out", "slate.mp4") == 0
    n, _, _, _ = video_facts(film.parent / "slate.mp4")
    assert n == 24 + 48 - 6


def test_the_timeline_keeps_the_trims_and_makes_fades_dissolves(film: Path) -> None:
    """Each clip's source range is its trim; a fade is an SMPTE dissolve centred on the
    cut, half the fade each side, so the track lasts as long as the cut's video."""
    import opentimelineio as otio

    text = (film.parent / "film.shot").read_text(encoding="utf-8")
    block = "cut {\n  b trim 0.5s..2s\n  a trim 0s..1s fade 0.5s\n}\n"
    (film.parent / "film.shot").write_text(text.split("cut {")[0] + block, encoding="utf-8")
    make_mp4(film / "a.mp4", frames=24, audio_hz=440)  # 2 s at 12 fps
    make_mp4(film / "b.mp4", frames=36, audio_hz=660, shade=100)  # 3 s
    args = ("cut", "film.shot", "--renders", "r", "--out", "t.mp4", "--timeline", "t.otio")
    assert run(*args) == 0
    tl = otio.adapters.read_from_file(str(film.parent / "t.otio"))
    b, dissolve, a = list(tl.tracks[0])
    assert isinstance(dissolve, otio.schema.Transition)
    assert dissolve.transition_type == otio.schema.TransitionTypes.SMPTE_Dissolve
    assert dissolve.in_offset.to_frames() == dissolve.out_offset.to_frames() == 3  # 0.25 s
    # b kept from 0.5 s (frame 6) for 1.5 s, less the 3 frames the dissolve takes
    assert (b.source_range.start_time.to_frames(), b.source_range.duration.to_frames()) == (6, 15)
    # a from its trim's start (0 s), the dissolve's half before the cut in its handle
    assert (a.source_range.start_time.to_frames(), a.source_range.duration.to_frames()) == (3, 9)
    assert tl.tracks[0].duration().to_frames() == 18 + 12 - 6
    n, _, _, _ = video_facts(film.parent / "t.mp4")
    assert n == 24


def test_the_audio_crossfade_is_linear_and_vectorised() -> None:
    """`crossfade` mixes the tail of one clip into the head of the next with the frames'
    weights (1/(k+1) .. k/(k+1)), in place, on (2, n) float32 arrays; the rest of the
    head is untouched."""
    import numpy as np

    from seedance_dsl.cut.media import crossfade

    tail = np.ones((2, 4), dtype=np.float32)
    head = np.zeros((2, 6), dtype=np.float32)
    head[1] = 2.0
    crossfade(tail, head)
    w = np.arange(1, 5) / 5
    assert np.allclose(head[0, :4], 1 - w) and np.allclose(head[0, 4:], 0)
    assert np.allclose(head[1, :4], (1 - w) + 2 * w) and np.allclose(head[1, 4:], 2)
    assert head.dtype == np.float32
    big_tail = np.ones((2, 480_000), dtype=np.float32)  # 10 s at 48 kHz
    big = np.zeros((2, 480_000), dtype=np.float32)
    crossfade(big_tail, big)
    assert big[0, 0] == np.float32(1 - 1 / 480_001) and big[0, -1] < 1e-5
