"""Benchmark of `seedance cut` by stream copy, recorded in docs/benchmarks.md.

12 clips of 5 s of 1280x720 H.264 at 24 fps (one clip made with PyAV, copied 12 times,
so the streams match and the cut is a remux) joined three ways, median of ``--runs``:

1. the whole process ``seedance cut FILE --renders DIR --out OUT``;
2. :func:`seedance_dsl.cut.media.join_copy` in process (the remux alone);
3. a plain PyAV remux loop (demux, shift the timestamps, mux: no checks), the baseline
   (no system ffmpeg is needed; when ``ffmpeg`` is on PATH, ``ffmpeg -f concat -c copy``
   is timed too).

Then the audio of a crossfade (a ``cut { }`` block's ``fade``): mixing ``--fade-s``
seconds of 48 kHz stereo, :func:`seedance_dsl.cut.media.crossfade` (numpy, one array
operation per channel) side by side with the per-sample Python loop it replaced (kept
here as the reference), and a whole re-encoded join of two 5 s 320x240 clips with audio
and that fade, in process.

Usage: .venv/bin/python bench/bench_cut.py [--runs 5] [--clips 12] [--seconds 5] [--fade-s 1]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from seedance_dsl.cut.media import crossfade, join_copy  # noqa: E402


def make_clip(path: Path, seconds: int, fps: int = 24) -> None:
    with av.open(str(path), "w", format="mp4") as out:
        vs = out.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = 1280, 720, "yuv420p"
        vs.codec_context.time_base = Fraction(1, fps)
        vs.options = {"preset": "ultrafast", "crf": "28", "bf": "0"}
        for i in range(seconds * fps):
            fr = av.VideoFrame(1280, 720, "yuv420p")
            for n, plane in enumerate(fr.planes):
                plane.update(bytes([(i * 3) % 256 if n == 0 else 128]) * plane.buffer_size)
            fr.pts = i
            for pkt in vs.encode(fr):
                out.mux(pkt)
        for pkt in vs.encode(None):
            out.mux(pkt)


def plain_remux(paths: list[str], dest: str) -> None:
    with av.open(dest, "w", format="mp4") as out:
        ov = None
        offset = 0
        for p in paths:
            with av.open(p) as f:
                v = f.streams.video[0]
                if ov is None:
                    ov = out.add_stream_from_template(v)
                end = offset
                for pkt in f.demux(v):
                    if pkt.dts is None:
                        continue
                    pkt.pts += offset
                    pkt.dts += offset
                    end = max(end, pkt.pts + pkt.duration)
                    pkt.stream = ov
                    out.mux(pkt)
                offset = end


def python_crossfade(tail: list[list[float]], head: list[list[float]]) -> None:
    """The per-sample loop ``crossfade`` replaced (the reference of the side-by-side)."""
    k = min(len(tail[0]), len(head[0]))
    for ch, t in zip(head, tail, strict=True):
        for i in range(k):
            w = (i + 1) / (k + 1)
            ch[i] = t[i] * (1 - w) + ch[i] * w


def make_av_clip(path: Path, seconds: int, hz: int, fps: int = 24) -> None:
    """A small clip with a sine tone: what a faded join decodes and encodes."""
    import numpy as np

    with av.open(str(path), "w", format="mp4") as out:
        vs = out.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = 320, 240, "yuv420p"
        vs.options = {"preset": "ultrafast", "bf": "0"}
        au = out.add_stream("aac", rate=48000)
        au.layout = "stereo"
        for i in range(seconds * fps):
            fr = av.VideoFrame(320, 240, "yuv420p")
            for n, plane in enumerate(fr.planes):
                plane.update(bytes([(i * 5) % 256 if n == 0 else 128]) * plane.buffer_size)
            fr.pts = i
            for pkt in vs.encode(fr):
                out.mux(pkt)
        t = np.arange(seconds * 48000) / 48000
        tone = (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)
        for start in range(0, len(t), 1024):
            block = np.ascontiguousarray(np.stack([tone[start : start + 1024]] * 2))
            af = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
            af.sample_rate, af.pts = 48000, start
            for pkt in au.encode(af):
                out.mux(pkt)
        for st in (vs, au):
            for pkt in st.encode(None):
                out.mux(pkt)


def bench_fade(runs: int, fade_s: float, d: Path) -> None:
    import numpy as np

    from seedance_dsl.cut.assemble import CutInput, edited
    from seedance_dsl.cut.media import join_reencode, probe

    n = round(fade_s * 48000)
    rng = np.random.default_rng(1)
    tail = rng.standard_normal((2, n)).astype(np.float32)
    head = rng.standard_normal((2, n)).astype(np.float32)
    lists = (tail.tolist(), head.tolist())
    ref = [row[:] for row in lists[1]]
    python_crossfade(lists[0], ref)
    got = head.copy()
    crossfade(tail, got)
    assert np.allclose(got, np.array(ref, dtype=np.float32), atol=1e-6)  # the same mix
    old = median_s(lambda: python_crossfade(lists[0], [row[:] for row in lists[1]]), runs)
    new = median_s(lambda: crossfade(tail, head.copy()), runs)
    make_av_clip(d / "fa.mp4", 5, 440)
    make_av_clip(d / "fb.mp4", 5, 660)
    infos = [
        edited(probe(str(d / "fa.mp4")), CutInput("a", 0, str(d / "fa.mp4"))),
        edited(probe(str(d / "fb.mp4")), CutInput("b", 0, str(d / "fb.mp4"), fade_s=fade_s)),
    ]
    join = median_s(lambda: join_reencode(infos, d / "fade.mp4", tags={}), runs)
    print()
    print(f"audio crossfade of {fade_s:g} s at 48 kHz stereo ({n:,} samples), median of {runs}")
    print("| mix | median | speed-up |")
    print("|---|---|---|")
    print(f"| per-sample Python loop (before) | {old * 1000:.1f} ms | 1 |")
    print(f"| `crossfade` (numpy) | {new * 1000:.2f} ms | {old / new:.0f}x |")
    print(f"| whole faded join of 2 x 5 s 320x240 + AAC (re-encode) | {join * 1000:.0f} ms | |")


def median_s(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--clips", type=int, default=12)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--fade-s", type=float, default=1.0)
    args = ap.parse_args()
    # byte-compile first, as an installed package is (PYTHONDONTWRITEBYTECODE would
    # otherwise make every timed process compile the modules it imports)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "seedance_dsl")], check=False
    )
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        r = d / "r"
        r.mkdir()
        make_clip(r / "c00.mp4", args.seconds)
        names = [f"c{i:02d}" for i in range(args.clips)]
        for n in names[1:]:
            shutil.copy(r / "c00.mp4", r / f"{n}.mp4")
        paths = [str(r / f"{n}.mp4") for n in names]
        clips = [
            {"clip": n, "status": "done", "take": 0, "files": {"video": {"path": p}}}
            for n, p in zip(names, paths, strict=True)
        ]
        (r / "manifest.json").write_text(json.dumps({"server": "sandbox", "clips": clips}))
        shot = ['storyboard "Bench"', ""] + [
            f'clip {n} {{\n  duration {args.seconds}s\n  shot {{ action "scene {n}" }}\n}}\n'
            for n in names
        ]
        (d / "bench.shot").write_text("\n".join(shot), encoding="utf-8")
        exe = Path(sys.executable).with_name("seedance")
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "seedance_dsl"]
        cmd += ["cut", "bench.shot", "--renders", "r", "--out", "final.mp4", "-q"]
        video_s = args.clips * args.seconds
        rows = [
            ("`seedance cut` (whole process)", lambda: subprocess.run(cmd, cwd=d, check=True)),
            ("`join_copy` in process", lambda: join_copy(paths, d / "j.mp4", tags={})),
            ("plain PyAV remux loop", lambda: plain_remux(paths, str(d / "p.mp4"))),
        ]
        if shutil.which("ffmpeg"):
            (d / "list.txt").write_text("".join(f"file '{p}'\n" for p in paths))
            ff = ["ffmpeg", "-y", "-loglevel", "error", "-f", "concat", "-safe", "0"]
            ff += ["-i", "list.txt", "-c", "copy", "ff.mp4"]
            rows.append(
                ("`ffmpeg -f concat -c copy`", lambda: subprocess.run(ff, cwd=d, check=True))
            )
        results = [(name, median_s(fn, args.runs)) for name, fn in rows]
        base = results[2][1]
        size = (r / "c00.mp4").stat().st_size * args.clips / 1e6
        print(
            f"{args.clips} x {args.seconds} s 1280x720 24 fps H.264 ({size:.1f} MB), "
            f"median of {args.runs}"
        )
        print("| join | median | real time | vs plain remux |")
        print("|---|---|---|---|")
        for name, s in results:
            print(f"| {name} | {s * 1000:.0f} ms | {video_s / s:.0f}x | {s / base:.2f} |")
        bench_fade(args.runs, args.fade_s, d)


if __name__ == "__main__":
    main()
