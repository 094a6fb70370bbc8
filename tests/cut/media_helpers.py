"""Small MP4s made with PyAV for the cut's tests (H.264, and optionally an AAC track)."""

from __future__ import annotations

import hashlib
import math
from array import array
from fractions import Fraction
from pathlib import Path

import av


def make_mp4(
    path: Path,
    *,
    width: int = 64,
    height: int = 48,
    fps: int = 12,
    frames: int = 12,
    audio_hz: float | None = None,
    sample_rate: int = 44100,
    shade: int = 0,
) -> Path:
    """``frames`` frames of changing grey (``shade`` offsets them); with ``audio_hz``, a
    stereo AAC sine tone as long as the video."""
    with av.open(str(path), "w", format="mp4") as out:
        vs = out.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
        vs.codec_context.time_base = Fraction(1, fps)
        vs.options = {"bf": "0", "crf": "20"}
        a = None
        if audio_hz is not None:
            a = out.add_stream("aac", rate=sample_rate)
            a.layout = "stereo"
        for i in range(frames):
            fr = av.VideoFrame(width, height, "yuv420p")
            for n, plane in enumerate(fr.planes):
                value = (shade + i * 9) % 256 if n == 0 else 128
                plane.update(bytes([value]) * plane.buffer_size)
            fr.pts = i
            for pkt in vs.encode(fr):
                out.mux(pkt)
        for pkt in vs.encode(None):
            out.mux(pkt)
        if a is not None and audio_hz is not None:
            total = round(frames / fps * sample_rate)
            step = 1024
            for start in range(0, total, step):
                n = min(step, total - start)
                wave = array(
                    "f",
                    (
                        0.3 * math.sin(2 * math.pi * audio_hz * (start + k) / sample_rate)
                        for k in range(n)
                    ),
                )
                fr = av.AudioFrame(format="fltp", layout="stereo", samples=n)
                for plane in fr.planes:
                    plane.update(wave.tobytes() + bytes(plane.buffer_size - len(wave) * 4))
                fr.sample_rate = sample_rate
                fr.pts = start
                for pkt in a.encode(fr):
                    out.mux(pkt)
            for pkt in a.encode(None):
                out.mux(pkt)
    return path


def frame_digests(path: Path) -> list[str]:
    """One digest of the decoded picture (every plane's bytes) per video frame."""
    with av.open(str(path)) as f:
        return [
            hashlib.sha256(b"".join(bytes(p) for p in fr.planes)).hexdigest()
            for fr in f.decode(video=0)
        ]


def packet_bytes(path: Path, kind: str = "video") -> list[bytes]:
    with av.open(str(path)) as f:
        streams = f.streams.video if kind == "video" else f.streams.audio
        return [bytes(p) for p in f.demux(streams[0]) if p.size]


def audio_packets(path: Path) -> list[tuple[int, int]]:
    """``(pts, duration)`` of every audio packet, in file order."""
    with av.open(str(path)) as f:
        return [
            (p.pts, p.duration) for p in f.demux(f.streams.audio[0]) if p.size and p.pts is not None
        ]


def video_facts(path: Path) -> tuple[int, float, Fraction, tuple[int, int]]:
    """(decoded frames, duration in seconds, frame rate, size)."""
    with av.open(str(path)) as f:
        v = f.streams.video[0]
        n = sum(1 for _ in f.decode(v))
        dur = float(v.duration * v.time_base) if v.duration else f.duration / av.time_base
        return n, dur, Fraction(v.average_rate), (v.codec_context.width, v.codec_context.height)
