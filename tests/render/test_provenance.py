"""Every clip `render` downloads carries its provenance in its MP4 tags (issue 14, item 4):
`seedance trace` works on the file moved anywhere, the remux is a stream copy, and the
state database recognises the tagged file (a re-run downloads nothing)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from click.testing import CliRunner

from seedance_dsl.cli import cli
from seedance_dsl.provenance import read_provenance, remux_with_tags
from seedance_dsl.render.identity import server_namespace
from seedance_dsl.render.state import StateDB

FILM = """storyboard "Provenance"

clip a {
  duration 4s
  shot { action "a glass train leaves the station" }
}

clip b {
  duration 4s
  shot { action "the train crosses a bridge" }
}
"""


def _packets(path: Path) -> list[tuple[int, int | None, bytes]]:
    with av.open(str(path)) as f:
        return [(p.stream.index, p.pts, bytes(p)) for p in f.demux() if p.size]


def _frames(path: Path) -> list[str]:
    with av.open(str(path)) as f:
        return [
            hashlib.sha256(b"".join(bytes(pl) for pl in fr.planes)).hexdigest()
            for fr in f.decode(video=0)
        ]


def _trace(path: Path, *fmt: str) -> Any:
    result = CliRunner().invoke(cli, ["trace", str(path), *fmt])
    assert result.exit_code == 0, result.output
    return json.loads(result.output) if fmt else result.output


def _downloads(sandbox: Any) -> int:
    routes = sandbox.inspect()["requests_per_route"]
    return sum(n for route, n in routes.items() if "file" in route or "download" in route)


def test_a_rendered_clip_moved_away_is_traced_from_its_tags(
    sandbox: Any, shot: Any, render_on: Any, tmp_path: Path
) -> None:
    path = shot(FILM)
    summary, events = render_on(sandbox, path)
    assert {c.status for c in summary.clips} == {"done"}, summary.to_json()
    assert all(e.data.get("provenance") is True for e in events if e.kind == "done")
    out = path.parent / "renders" / "film"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    b = next(c for c in manifest["clips"] if c["clip"] == "b")
    assert b["files"]["video"]["provenance"] is True
    assert b["files"]["video"]["bytes"] == (out / "b.mp4").stat().st_size  # the tagged file

    # the tagged file is a stream copy of the server's file: same packets, same frames
    original = tmp_path / "served.mp4"
    original.write_bytes(httpx.get(b["urls"]["video"], timeout=10).content)
    assert read_provenance(original) is None
    assert _packets(out / "b.mp4") == _packets(original)
    assert _frames(out / "b.mp4") == _frames(original)

    # moved out of its folder (no manifest beside it), trace reads the tags
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    moved = elsewhere / "b.mp4"
    shutil.copy2(out / "b.mp4", moved)
    got = _trace(moved, "--format", "json")
    assert got["kind"] == "clip"
    assert got["storyboard"] == manifest["storyboard"]["path"]
    assert got["source_hash"] == manifest["storyboard"]["source_hash"]
    assert (got["clip"], got["take"], got["task_id"], got["source"], got["seed"]) == (
        "b",
        0,
        b["task_id"],
        b["source"],
        b["seed"],
    )
    text = _trace(moved)
    assert f"clip b: task {b['task_id']}, {b['source']}" in text
    assert manifest["storyboard"]["source_hash"] in text

    # a re-run recognises the tagged files as whole: reused, nothing requested again
    before = sum(sandbox.inspect()["requests_per_route"].values())
    digests = {p.name: p.read_bytes() for p in out.glob("*.mp4")}
    summary2, events2 = render_on(sandbox, path)
    assert {c.status for c in summary2.clips} == {"reused"}
    assert not [e for e in events2 if e.kind == "downloading"]
    assert sum(sandbox.inspect()["requests_per_route"].values()) == before
    assert {p.name: p.read_bytes() for p in out.glob("*.mp4")} == digests
    db = StateDB.for_storyboard(path)
    recs = db.history(server_namespace(sandbox.base_url), path.name)
    assert {r.video_bytes for r in recs if r.clip == "b"} == {(out / "b.mp4").stat().st_size}
    db.close()


def test_a_clip_that_cannot_be_tagged_is_kept_as_downloaded(
    sandbox: Any, shot: Any, render_on: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import seedance_dsl.render.provenance as rp

    monkeypatch.setattr(rp, "remux_with_tags", lambda video, tags: False)
    path = shot(FILM)
    summary, events = render_on(sandbox, path)
    assert {c.status for c in summary.clips} == {"done"}
    assert [e.data.get("provenance") for e in events if e.kind == "done"] == [False, False]
    out = path.parent / "renders" / "film"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    a = next(c for c in manifest["clips"] if c["clip"] == "a")
    assert a["files"]["video"]["provenance"] is False
    served = httpx.get(a["urls"]["video"], timeout=10).content
    assert (out / "a.mp4").read_bytes() == served  # the server's bytes, untouched
    assert _trace(out / "a.mp4", "--format", "json")["task_id"] == a["task_id"]  # manifest
    summary2, _ = render_on(sandbox, path)
    assert {c.status for c in summary2.clips} == {"reused"}


def test_remux_is_a_stream_copy_with_audio(tmp_path: Path) -> None:
    from tests.cut.media_helpers import make_mp4

    src = make_mp4(tmp_path / "v.mp4", frames=24, audio_hz=440)
    before_packets, before_frames = _packets(src), _frames(src)
    assert remux_with_tags(src, {"comment": "seedance clip x", "description": '{"clip":"x"}'})
    assert _packets(src) == before_packets
    assert _frames(src) == before_frames
    assert read_provenance(src) == {"kind": "clip", "clip": "x"}
    assert [p.name for p in tmp_path.iterdir()] == ["v.mp4"]  # no temporary file left


@pytest.mark.parametrize("damage", ["not a video", "truncated", "not .mp4"])
def test_a_file_pyav_cannot_remux_is_left_byte_for_byte(tmp_path: Path, damage: str) -> None:
    from tests.cut.media_helpers import make_mp4

    p = tmp_path / ("v.mov" if damage == "not .mp4" else "v.mp4")
    if damage == "not .mp4":
        make_mp4(p, frames=12)
    elif damage == "truncated":
        make_mp4(p, frames=24)
        p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    else:
        p.write_bytes(os.urandom(4096))
    before = p.read_bytes()
    assert remux_with_tags(p, {"comment": "seedance clip x", "description": "{}"}) is False
    assert p.read_bytes() == before
    assert [q.name for q in tmp_path.iterdir()] == [p.name]


def test_the_manifest_knows_the_clips_it_stamped_without_opening_them(
    sandbox: Any, shot: Any, render_on: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12: the manifest says each clip carries its provenance from what the stamp
    returned, and a re-run (every clip reused) reads the tags from the MP4's moov atom:
    no av.open per clip, no PyAV import on the path of a run with nothing to do."""
    import seedance_dsl.provenance as prov

    opened: list[str] = []
    real = prov.read_tags

    def counting(path: Any) -> dict[str, str]:
        opened.append(str(path))
        return real(path)

    monkeypatch.setattr(prov, "read_tags", counting)
    path = shot(FILM.replace("glass train", "copper train"))
    summary, _ = render_on(sandbox, path)
    assert {c.status for c in summary.clips} == {"done"}
    out = path.parent / "renders" / "film"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [c["files"]["video"]["provenance"] for c in manifest["clips"]] == [True, True]
    assert opened == []
    prov._stamped.clear()  # a new process: nothing remembered
    summary2, _ = render_on(sandbox, path)
    assert {c.status for c in summary2.clips} == {"reused"}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [c["files"]["video"]["provenance"] for c in manifest["clips"]] == [True, True]
    assert opened == []


def test_mp4_tags_read_without_pyav_match_pyavs(tmp_path: Path) -> None:
    """The moov reader finds exactly the tags PyAV reads, in a stamped file; a file
    without them (or not an MP4) gives nothing, and has_provenance asks PyAV then."""
    import seedance_dsl.provenance as prov

    src = tmp_path / "plain.mp4"
    with av.open(str(src), "w", format="mp4") as out:
        stream = out.add_stream("mpeg4", rate=4)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for _ in range(4):
            frame = av.VideoFrame(32, 32, "yuv420p")
            for pkt in stream.encode(frame):
                out.mux(pkt)
        for pkt in stream.encode():
            out.mux(pkt)
    assert prov._mp4_tags(src) == {} and not prov.has_provenance(src)
    doc = {"clip": "x", "prompt": "a café — naïve"}
    tagged = tmp_path / "tagged.mp4"
    tagged.write_bytes(src.read_bytes())
    tags = prov.provenance_tags("seedance clip x of f.shot (take 0)", doc, "Tïtle")
    assert remux_with_tags(tagged, tags)
    got = prov._mp4_tags(tagged)
    assert got == {k: v for k, v in prov.read_tags(tagged).items() if k in got} == tags
    assert prov.has_provenance(tagged)
    (tmp_path / "x.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    assert prov._mp4_tags(tmp_path / "x.png") == {}
    assert prov._mp4_tags(tmp_path / "missing.mp4") == {}
