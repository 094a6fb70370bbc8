"""`seedance cut`: the rendered clips as one MP4 (stream copy or re-encode) and a timeline."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest

from seedance_dsl.cli import main
from seedance_dsl.cut.assemble import ClipNotRendered, StreamInfo, copy_blocker, plan_inputs

from .media_helpers import audio_packets, frame_digests, make_mp4, packet_bytes, video_facts

FILM = """storyboard "Film"

clip a {
  duration 4s
  shot { action "a glass train leaves the station" }
}

clip b {
  duration 5s
  shot 2s { action "the train crosses a bridge" }
  shot 3s { action "the train enters a tunnel" }
}

clip c {
  duration 4s
  shot { action "a conductor waves" }
}
"""


def run(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A 3-clip storyboard rendered once on the sandbox (renders/film/sandbox/)."""
    root = tmp_path_factory.mktemp("cut")
    (root / "film.shot").write_text(FILM, encoding="utf-8")
    with contextlib.chdir(root):
        assert run("render", "film.shot", "--sandbox", "-q") == 0
        yield root


def test_stream_copy_keeps_every_frame_and_packet(rendered: Path) -> None:
    with contextlib.chdir(rendered):
        assert run("cut", "film.shot", "--sandbox") == 0
    d = rendered / "renders" / "film" / "sandbox"
    clips = [d / f"{c}.mp4" for c in "abc"]
    final = d / "final.mp4"
    want = [x for c in clips for x in frame_digests(c)]
    assert frame_digests(final) == want  # same frames, same order
    assert len(want) == sum(video_facts(c)[0] for c in clips)
    assert packet_bytes(final) == [b for c in clips for b in packet_bytes(c)]  # not re-encoded
    n, dur, rate, _ = video_facts(final)
    assert abs(dur - n / float(rate)) < 1 / float(rate)


def test_a_cut_carries_its_provenance_and_is_free_to_remake(rendered: Path) -> None:
    import av

    with contextlib.chdir(rendered):
        assert run("cut", "film.shot", "--sandbox") == 0
        assert run("cut", "film.shot", "--sandbox") == 0  # an earlier cut is remade
    d = rendered / "renders" / "film" / "sandbox"
    manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    with av.open(str(d / "final.mp4")) as f:
        tags = dict(f.metadata)
    assert tags["comment"].startswith("seedance cut of film.shot")
    doc = json.loads(tags["description"])
    assert [c["task_id"] for c in doc["clips"]] == [c["task_id"] for c in manifest["clips"]]
    assert doc["source_hash"] == manifest["storyboard"]["source_hash"]


def test_a_cut_never_writes_over_a_clip_or_a_foreign_file(
    rendered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = rendered / "renders" / "film" / "sandbox"
    clip = (d / "a.mp4").read_bytes()
    with contextlib.chdir(rendered):
        assert run("cut", "film.shot", "--sandbox", "--out", str(d / "a.mp4")) == 2
        assert "never writes over a render" in capsys.readouterr().err
        (rendered / "mine.mp4").write_bytes(b"my holiday video")
        assert run("cut", "film.shot", "--sandbox", "--out", "mine.mp4") == 2
        assert "not an earlier cut" in capsys.readouterr().err
    assert (d / "a.mp4").read_bytes() == clip
    assert (rendered / "mine.mp4").read_bytes() == b"my holiday video"


def test_a_clip_not_rendered_is_named_with_the_command_that_renders_it(
    rendered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    more = FILM + '\nclip d {\n  duration 4s\n  shot { action "the end" }\n}\n'
    (rendered / "more.shot").write_text(more, encoding="utf-8")
    with contextlib.chdir(rendered):
        code = run("cut", "more.shot", "--renders", "renders/film/sandbox", "--out", "more.mp4")
    err = capsys.readouterr().err
    assert code == 1
    assert "clip 'd' (more.shot:19:1) is not rendered yet" in err
    assert "seedance render more.shot --clip d --out renders/film/sandbox" in err
    assert "Traceback" not in err
    assert not (rendered / "more.mp4").exists()
    with contextlib.chdir(rendered):
        assert run("cut", "film.shot", "--take", "2", "--sandbox") == 1
    assert "--clip a --take 2 --sandbox" in capsys.readouterr().err


def test_the_timeline_reads_back_with_lengths_markers_and_metadata(rendered: Path) -> None:
    import opentimelineio as otio

    with contextlib.chdir(rendered):
        assert run("cut", "film.shot", "--sandbox", "--timeline", "film.otio") == 0
    d = rendered / "renders" / "film" / "sandbox"
    manifest = {c["clip"]: c for c in json.loads((d / "manifest.json").read_text())["clips"]}
    tl = otio.adapters.read_from_file(str(rendered / "film.otio"))
    assert tl.name == "Film"
    (track,) = tl.tracks
    clips = list(track)
    assert [c.name for c in clips] == ["a", "b", "c"]
    for clip in clips:
        n, _, rate, _ = video_facts(d / f"{clip.name}.mp4")
        assert clip.source_range.duration == otio.opentime.RationalTime(n, float(rate))
        assert clip.media_reference.target_url == (d / f"{clip.name}.mp4").resolve().as_uri()
        meta = clip.metadata["seedance"]
        assert meta["task_id"] == manifest[clip.name]["task_id"]
        assert meta["seed"] == manifest[clip.name]["seed"]
        assert meta["prompt"] == manifest[clip.name]["prompt"]
        assert meta["source"] == manifest[clip.name]["source"]
    b = clips[1]
    assert [m.name for m in b.markers] == [
        "Shot 1 (0–2 s): the train crosses a bridge",
        "Shot 2 (2–5 s): the train enters a tunnel",
    ]
    second = b.markers[1].marked_range
    assert second.start_time.to_seconds() == 2 and second.duration.to_seconds() == 3
    assert tl.duration().to_seconds() == pytest.approx(13)


# --------------------------------------------------------------- clips made with PyAV


def _manifest(d: Path, names: list[str]) -> None:
    clips = [
        {
            "clip": n,
            "status": "done",
            "take": 0,
            "prompt": n,
            "source": f"two.shot:{i}:1",
            "files": {"video": {"path": str(d / f"{n}.mp4"), "bytes": 1}},
        }
        for i, n in enumerate(names)
    ]
    (d / "manifest.json").write_text(json.dumps({"server": "sandbox", "clips": clips}))


TWO = """storyboard "Two"

clip a {
  duration 4s
  shot { action "one" }
}

clip b {
  duration 4s
  shot { action "two" }
}
"""


@pytest.fixture
def two(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "two.shot").write_text(TWO, encoding="utf-8")
    d = tmp_path / "r"
    d.mkdir()
    _manifest(d, ["a", "b"])
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield d
    finally:
        os.chdir(old)


def _continuous(packets: list[tuple[int, int]]) -> None:
    for (p0, d0), (p1, _) in itertools.pairwise(packets):
        assert p1 > p0, "audio pts went backwards"
        assert p1 <= p0 + d0 + 1, "a gap in the audio"


def test_audio_is_copied_without_going_back_at_the_joins(two: Path) -> None:
    make_mp4(two / "a.mp4", frames=12, audio_hz=440)
    make_mp4(two / "b.mp4", frames=18, audio_hz=660, shade=100)
    assert audio_packets(two / "b.mp4")[0][0] < 0  # AAC priming: a naive join goes back
    assert run("cut", "two.shot", "--renders", "r", "--out", "copy.mp4") == 0
    out = two.parent / "copy.mp4"
    assert frame_digests(out) == frame_digests(two / "a.mp4") + frame_digests(two / "b.mp4")
    packets = audio_packets(out)
    _continuous(packets)
    end = packets[-1][0] + packets[-1][1]
    assert abs(end / 44100 - 30 / 12) < 2 * 1024 / 44100  # within the AAC padding


def test_clips_of_other_sizes_are_reencoded_in_sync(two: Path) -> None:
    make_mp4(two / "a.mp4", width=64, height=48, frames=12, audio_hz=440)
    make_mp4(two / "b.mp4", width=96, height=64, frames=24, audio_hz=660)
    assert run("cut", "two.shot", "--renders", "r", "--out", "re.mp4") == 0
    out = two.parent / "re.mp4"
    n, dur, rate, size = video_facts(out)
    assert size == (64, 48) and rate == 12
    assert n == 36
    assert abs(dur - 3.0) <= 1 / 12
    packets = audio_packets(out)
    _continuous(packets)
    audio_s = (packets[-1][0] + packets[-1][1]) / 44100
    assert abs(audio_s - 3.0) <= 1 / 12 + 1024 / 44100


def test_a_clip_without_audio_gets_silence_on_reencode(two: Path) -> None:
    make_mp4(two / "a.mp4", frames=12, audio_hz=440)
    make_mp4(two / "b.mp4", frames=12, fps=24)  # other frame rate, no audio
    assert run("cut", "two.shot", "--renders", "r", "--out", "mix.mp4") == 0
    out = two.parent / "mix.mp4"
    n, dur, rate, _ = video_facts(out)
    assert rate == 12 and n == 18  # 1 s at 12 fps + 0.5 s re-timed to 12 fps
    assert abs(dur - 1.5) <= 1 / 12
    packets = audio_packets(out)
    _continuous(packets)
    assert abs((packets[-1][0] + packets[-1][1]) / 44100 - 1.5) <= 1 / 12 + 1024 / 44100


# ------------------------------------------------------------------------- sans-IO


def _info(path: str, **kw: object) -> StreamInfo:
    base: dict[str, object] = dict(
        path=path,
        video_codec="h264",
        width=640,
        height=360,
        pix_fmt="yuv420p",
        time_base=Fraction(1, 12288),
        rate=Fraction(24),
        frames=96,
        duration_s=4.0,
    )
    base.update(kw)
    return StreamInfo(**base)  # type: ignore[arg-type]


def test_copy_needs_the_same_streams_everywhere() -> None:
    assert copy_blocker([_info("a"), _info("b")]) is None
    why = copy_blocker([_info("a"), _info("b", width=1280, height=720)])
    assert why is not None and "b is h264 1280x720" in why
    assert copy_blocker([_info("a"), _info("b", rate=Fraction(30))]) is not None
    assert copy_blocker([_info("a", audio_codec="aac"), _info("b")]) is not None
    assert copy_blocker([_info("a"), _info("b", extradata=b"x")]) is not None


def test_plan_takes_the_manifest_then_the_state_database() -> None:
    manifest = {
        "clips": [
            {"clip": "a", "status": "done", "take": 0, "files": {"video": {"path": "a.mp4"}}},
            {"clip": "b", "status": "failed", "take": 0},
            {"clip": "c", "status": "reused", "take": 0, "files": {"video": {"path": "c.mp4"}}},
        ]
    }
    seen: list[tuple[str, int]] = []

    def lookup(clip: str, take: int) -> dict[str, object] | None:
        seen.append((clip, take))
        return {"path": "b.old.mp4", "seed": 7, "task_id": "t"} if clip == "b" else None

    got = plan_inputs(["a", "b", "c"], manifest, take=0, command=str, lookup=lookup)
    assert [(i.clip, i.path, i.seed) for i in got] == [
        ("a", "a.mp4", None),
        ("b", "b.old.mp4", 7),
        ("c", "c.mp4", None),
    ]
    assert seen == [("b", 0)]
    with pytest.raises(ClipNotRendered, match="clip 'a'"):
        plan_inputs(["a"], manifest, take=1, command=lambda c: f"render {c}", lookup=lookup)


def test_an_otioz_bundle_reads_back_and_an_unknown_format_is_explained(
    rendered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import opentimelineio as otio

    with contextlib.chdir(rendered):
        assert run("cut", "film.shot", "--sandbox", "--timeline", "film.otioz") == 0
        tl = otio.adapters.read_from_file("film.otioz")
        assert [c.name for c in tl.tracks[0]] == ["a", "b", "c"]
        assert run("cut", "film.shot", "--sandbox", "--out", "x.mp4", "--timeline", "a.nope") == 1
        assert not Path("x.mp4").exists()  # refused before any video was written
    err = capsys.readouterr().err
    assert "no OpenTimelineIO adapter writes .nope" in err and "Traceback" not in err


# -------------------------------------------------------------------------- trace


def test_trace_names_the_storyboard_clips_and_tasks_of_a_cut(
    rendered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = rendered / "renders" / "film" / "sandbox"
    manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    with contextlib.chdir(rendered):
        assert run("cut", "film.shot", "--sandbox", "--out", "moved/away.mp4") == 0
        capsys.readouterr()
        assert run("trace", "moved/away.mp4", "--format", "json") == 0  # out of its folder
    got = json.loads(capsys.readouterr().out)
    assert got["kind"] == "cut" and got["storyboard"] == "film.shot"
    assert got["source_hash"] == manifest["storyboard"]["source_hash"]
    assert [(c["clip"], c["task_id"], c["source"]) for c in got["clips"]] == [
        (c["clip"], c["task_id"], c["source"]) for c in manifest["clips"]
    ]


def test_trace_finds_a_rendered_clip_in_its_manifest(
    rendered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = rendered / "renders" / "film" / "sandbox"
    b = next(c for c in json.loads((d / "manifest.json").read_text())["clips"] if c["clip"] == "b")
    assert run("trace", str(d / "b.mp4")) == 0
    out = capsys.readouterr().out
    assert f"clip b: task {b['task_id']}, film.shot:8:1" in out
    assert f"seed: {b['seed']}" in out


def test_trace_of_a_file_without_provenance_exits_1_in_valid_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_mp4(tmp_path / "other.mp4")
    assert run("trace", str(tmp_path / "other.mp4"), "--format", "json") == 1
    assert (
        "carries no seedance provenance" in json.loads(capsys.readouterr().out)["error"]["message"]
    )


def test_another_take_is_found_in_the_state_database(
    rendered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = rendered / "renders" / "film" / "sandbox"
    with contextlib.chdir(rendered):
        assert run("render", "film.shot", "--sandbox", "--take", "1", "-q") == 0
        assert run("render", "film.shot", "--sandbox", "-q") == 0  # the manifest: take 0 again
        manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
        assert {c["take"] for c in manifest["clips"]} == {0}
        assert {c["status"] for c in manifest["clips"]} != {"done"}  # reused this time
        assert run("cut", "film.shot", "--sandbox", "--out", "again.mp4") == 0
        capsys.readouterr()
        assert run("cut", "film.shot", "--sandbox", "--take", "1") == 0
    assert "final.take1.mp4" in capsys.readouterr().out
    takes = [d / f"{c}.take1.mp4" for c in "abc"]
    assert frame_digests(d / "final.take1.mp4") == [x for t in takes for x in frame_digests(t)]
    assert [c["clip"] for c in json.loads(run_trace(d / "final.take1.mp4"))["clips"]] == list("abc")


def run_trace(path: Path) -> str:
    from click.testing import CliRunner

    from seedance_dsl.cli import cli

    result = CliRunner().invoke(cli, ["trace", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("suffix", [".edl", ".xml", ".fcpxml"])
def test_edl_and_fcp_xml_read_back_with_the_adapters_readers(rendered: Path, suffix: str) -> None:
    """The sandbox's 12 fps is no timecode rate: these formats get 24 fps times."""
    import opentimelineio as otio

    with contextlib.chdir(rendered):
        assert run("cut", "film.shot", "--sandbox", "--timeline", f"film{suffix}") == 0
        tl = otio.adapters.read_from_file(f"film{suffix}")
    clips = list(tl.tracks[0])
    assert [c.name for c in clips] == ["a", "b", "c"]
    assert [c.source_range.duration.to_seconds() for c in clips] == [4, 5, 4]
    d = rendered / "renders" / "film" / "sandbox"
    assert clips[0].media_reference.target_url == (d / "a.mp4").resolve().as_uri()
    starts = [m.marked_range.start_time.to_seconds() for m in clips[1].markers]
    assert starts == [0, 2]
    assert "bridge" in clips[1].markers[0].name.lower()


def test_an_adapter_that_fails_is_an_error_not_a_traceback(
    rendered: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import opentimelineio as otio

    def refuse(*_a: object, **_k: object) -> None:
        raise ValueError("SMPTE timecode does not support this rate")

    monkeypatch.setattr(otio.adapters, "write_to_file", refuse)
    with contextlib.chdir(rendered):
        assert run("cut", "film.shot", "--sandbox", "--timeline", "bad.edl") == 1
    err = capsys.readouterr().err
    assert "could not write bad.edl: ValueError: SMPTE timecode" in err
    assert "Traceback" not in err and "otioconvert" in err


def test_gaps_puts_a_slate_of_its_length_for_a_clip_not_rendered(
    rendered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import opentimelineio as otio

    more = FILM + '\nclip d {\n  duration 4s\n  shot { action "the end" }\n}\n'
    (rendered / "gaps.shot").write_text(more, encoding="utf-8")
    d = rendered / "renders" / "film" / "sandbox"
    with contextlib.chdir(rendered):
        args = ["cut", "gaps.shot", "--renders", str(d), "--out", "gaps.mp4", "--gaps"]
        assert run(*args, "--timeline", "gaps.otio") == 0
        tl = otio.adapters.read_from_file("gaps.otio")
    assert "by re-encoding (clip 'd' is not rendered yet (a slate))" in capsys.readouterr().out
    rendered_frames = sum(video_facts(d / f"{c}.mp4")[0] for c in "abc")
    n, dur, rate, _ = video_facts(rendered / "gaps.mp4")
    assert n == rendered_frames + 4 * rate
    assert abs(dur - 17) <= 1 / float(rate)
    items = list(tl.tracks[0])
    assert isinstance(items[3], otio.schema.Gap) and items[3].duration().to_seconds() == 4
