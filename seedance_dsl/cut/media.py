"""The PyAV side of a cut: probe the clips, then join them by stream copy or re-encode.

Every output is written to a temporary file beside its destination and renamed into
place, so a failed cut leaves no half file.  Timestamps: each input is rebased so that
its *video* starts where the previous clip's video ended; its audio moves by the same
amount, so the two stay in sync.  An AAC track starts with priming samples (a negative
start, or packets that overlap the previous clip's last ones after rebasing): audio
packets that would go back in time are dropped on copy, and on re-encode each clip's
audio is cut or padded with silence to its video's length.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import av
import av.container
import av.stream

from .._files import create_temp_beside
from ..provenance import read_tags
from .assemble import SLATE, CutError, StreamInfo

__all__ = ["crossfade", "join_copy", "join_reencode", "probe", "read_tags", "slate_info"]

if TYPE_CHECKING:  # numpy is imported by the crossfade only (not on the stream-copy path)
    import numpy as np
    import numpy.typing as npt

    #: audio as the cut mixes it: float32 samples, one row per channel (left, right)
    Samples: TypeAlias = npt.NDArray[np.float32]


def slate_info(clip: str, seconds: float, like: StreamInfo) -> StreamInfo:
    """A slate standing for ``clip`` (not rendered yet), at ``like``'s size and rate."""
    rate = like.rate if like.rate > 0 else Fraction(24)
    return StreamInfo(
        path="",
        video_codec=SLATE,
        width=like.width,
        height=like.height,
        pix_fmt="yuv420p",
        time_base=1 / rate,
        rate=rate,
        frames=max(1, round(Fraction(seconds) * rate)),
        duration_s=seconds,
        extra={"clip": clip},
    )


def probe(path: str) -> StreamInfo:
    """What ``path``'s first video stream (and first audio stream) are."""
    try:
        with av.open(path) as f:
            if not f.streams.video:
                raise CutError(f"{path} has no video stream", help="render the clip again")
            v = f.streams.video[0]
            cc = v.codec_context
            rate = v.average_rate or v.guessed_rate or Fraction(0)
            frames = v.frames
            tb = v.time_base or Fraction(1, 1)
            if v.duration is not None:
                dur = float(v.duration * tb)
            elif f.duration is not None:
                dur = f.duration / av.time_base
            else:
                dur = 0.0
            if not frames:
                frames = sum(1 for p in f.demux(v) if p.size)
            a = f.streams.audio[0] if f.streams.audio else None
            return StreamInfo(
                path=path,
                video_codec=cc.name,
                width=cc.width,
                height=cc.height,
                pix_fmt=cc.pix_fmt or "",
                time_base=tb,
                rate=Fraction(rate),
                frames=frames,
                duration_s=dur,
                extradata=bytes(cc.extradata or b""),
                audio_codec=a.codec_context.name if a else None,
                sample_rate=a.codec_context.sample_rate if a else None,
                channels=a.codec_context.channels if a else None,
                audio_extradata=bytes(a.codec_context.extradata or b"") if a else b"",
            )
    except (av.error.FFmpegError, OSError) as exc:
        raise CutError(
            f"cannot read the video {path}: {exc}",
            help="render the clip again (`seedance render FILE --clip NAME --take N`)",
        ) from exc


def _why(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) and exc.strerror else None) or str(exc)


@contextlib.contextmanager
def _atomic_output(dest: Path) -> Iterator[str]:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = create_temp_beside(dest, ".mp4")
    os.close(fd)
    try:
        yield str(tmp)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _open_out(tmp: str, tags: Mapping[str, str]) -> av.container.OutputContainer:
    out = av.open(tmp, "w", format="mp4")
    for k, val in tags.items():
        out.metadata[k] = val
    return out


def join_copy(
    paths: Sequence[str],
    dest: Path,
    *,
    tags: Mapping[str, str],
    on_clip: Callable[[int], None] | None = None,
) -> None:
    """Remux ``paths`` (identical stream parameters: :func:`.assemble.copy_blocker`) into
    ``dest``, packets untouched, timestamps rebased clip after clip."""
    try:
        with _atomic_output(dest) as tmp:
            out = _open_out(tmp, tags)
            try:
                _copy_into(out, paths, on_clip)
            finally:
                out.close()
    except (av.error.FFmpegError, OSError) as exc:
        raise CutError(
            f"the cut {dest} could not be written: {_why(exc)}",
            help="choose a writable --out (a folder that exists or can be made, with space)",
        ) from exc


def _copy_into(
    out: av.container.OutputContainer,
    paths: Sequence[str],
    on_clip: Callable[[int], None] | None,
) -> None:
    ov: Any = None
    oa: Any = None
    offset_s = Fraction(0)  # where this clip's video starts in the cut, in seconds
    last_dts: dict[str, int] = {}
    for n, path in enumerate(paths):
        with av.open(path) as f:
            v = f.streams.video[0]
            a = f.streams.audio[0] if f.streams.audio else None
            if ov is None:
                ov = out.add_stream_from_template(v)
                if a is not None:
                    oa = out.add_stream_from_template(a)
            vtb = v.time_base or Fraction(1, 1)
            anchor_s = Fraction(v.start_time or 0) * vtb
            rate = Fraction(v.average_rate or v.guessed_rate or 0)
            frame_ticks = round(1 / (rate * vtb)) if rate else 0
            # per stream: (its output stream, "v"/"a", the shift of its timestamps)
            plan: dict[int, tuple[Any, str, int]] = {
                v.index: (ov, "v", round((offset_s - anchor_s) / vtb))
            }
            if a is not None and oa is not None:
                atb = a.time_base or Fraction(1, 1)
                plan[a.index] = (oa, "a", round((offset_s - anchor_s) / atb))
            end_ticks = round(offset_s / vtb)
            for pkt in f.demux(*[st for st in (v, a) if st is not None and st.index in plan]):
                if pkt.dts is None and pkt.pts is None:
                    continue  # the demuxer's flush packet
                target, key, shift = plan[pkt.stream.index]
                pts = pkt.pts + shift if pkt.pts is not None else None
                dts = pkt.dts + shift if pkt.dts is not None else pts
                if dts is not None and key in last_dts and dts <= last_dts[key]:
                    if key == "v":
                        dts = last_dts[key] + 1
                    else:
                        continue  # AAC priming overlapping the previous clip's end
                if key == "v" and pts is not None:
                    end_ticks = max(end_ticks, pts + (pkt.duration or frame_ticks))
                pkt.pts, pkt.dts = pts, dts
                if dts is not None:
                    last_dts[key] = dts
                pkt.stream = target
                out.mux(pkt)
            offset_s = Fraction(end_ticks) * vtb
        if on_clip is not None:
            on_clip(n)


def join_reencode(
    infos: Sequence[StreamInfo],
    dest: Path,
    *,
    tags: Mapping[str, str],
    crf: int = 18,
    on_clip: Callable[[int], None] | None = None,
) -> None:
    """Decode ``infos`` and encode one H.264 (+ AAC) file at the first clip's size and
    frame rate: frames scaled to that size, re-timed by their time (a clip at another
    frame rate has its frames repeated or dropped), each clip's audio cut or padded with
    silence to its video's length."""
    first = infos[0]
    rate = first.rate if first.rate > 0 else Fraction(24)
    has_audio = any(i.audio_codec for i in infos)
    sr = next((i.sample_rate for i in infos if i.sample_rate), 48000) or 48000
    try:
        with _atomic_output(dest) as tmp:
            out = _open_out(tmp, tags)
            try:
                vs: Any = out.add_stream("libx264", rate=rate)
                vs.width, vs.height, vs.pix_fmt = first.width, first.height, "yuv420p"
                vs.codec_context.time_base = 1 / rate
                vs.options = {"crf": str(crf), "bf": "0"}
                as_: Any = None
                resampler: Any = None
                if has_audio:
                    as_ = out.add_stream("aac", rate=sr)
                    as_.layout = "stereo"
                    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=sr)
                frame_no = 0
                samples = 0
                if any(i.fade_s for i in infos[1:]):
                    _join_faded(out, vs, as_, resampler, infos, rate, sr, on_clip)
                    infos = ()  # done: only the encoders' flush is left
                for n, info in enumerate(infos):
                    frame_no = _encode_video(out, vs, info, rate, frame_no)
                    if as_ is not None:
                        samples = _encode_audio(
                            out, as_, resampler, info, sr, frame_no / rate, samples
                        )
                    if on_clip is not None:
                        on_clip(n)
                for pkt in vs.encode(None):
                    out.mux(pkt)
                if as_ is not None:
                    for pkt in as_.encode(None):
                        out.mux(pkt)
            finally:
                out.close()
    except (av.error.FFmpegError, OSError) as exc:
        raise CutError(
            f"the cut {dest} could not be written: {_why(exc)}",
            help="choose a writable --out (a folder that exists or can be made, with space)",
        ) from exc


def _encode_video(out: Any, vs: Any, info: StreamInfo, rate: Fraction, frame_no: int) -> int:
    """Encode ``info``'s frames from output frame ``frame_no`` on; the next frame number."""
    if info.video_codec == SLATE:
        return _encode_slate(out, vs, info, rate, frame_no)
    for img in _video_frames(vs, info, rate):
        _emit(out, vs, img, frame_no)
        frame_no += 1
    return frame_no


def _video_frames(vs: Any, info: StreamInfo, rate: Fraction) -> Iterator[Any]:
    """``info``'s frames (its trim's), one per output frame slot at ``rate``."""
    want = max(1, round(Fraction(info.frames) / info.rate * rate)) if info.rate else info.frames
    same_rate = info.rate == rate
    written = 0
    last: Any = None
    with av.open(info.path) as f:
        v = f.streams.video[0]
        tb = v.time_base or Fraction(1, 1)
        start = v.start_time or 0
        # a trim keeps the frames from its start on, re-timed to begin at 0
        skip = Fraction(info.trim[0]) if info.trim is not None else Fraction(0)
        for frame in f.decode(v):
            if written >= want:
                break
            t = Fraction((frame.pts or start) - start) * tb - skip
            if t < -1 / (2 * rate):
                continue
            img = frame.reformat(width=vs.width, height=vs.height, format="yuv420p")
            # emit this frame for every output slot whose time it reaches
            while written < want and (same_rate or Fraction(written) / rate <= t + 1 / (2 * rate)):
                if (
                    not same_rate
                    and last is not None
                    and Fraction(written) / rate < t - 1 / (2 * rate)
                ):
                    yield last
                else:
                    yield img
                written += 1
                if same_rate:
                    break
            last = img
    while written < want and last is not None:  # the tail of a clip at a lower rate
        yield last
        written += 1


def _encode_slate(out: Any, vs: Any, info: StreamInfo, rate: Fraction, frame_no: int) -> int:
    """A dark card naming the clip, as long as the clip will be."""
    frame = _slate_frame(vs, info)
    want = max(1, round(Fraction(info.duration_s) * rate))
    for i in range(want):
        _emit(out, vs, frame, frame_no + i)
    return frame_no + want


def _slate_frame(vs: Any, info: StreamInfo) -> Any:
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (vs.width, vs.height), (24, 24, 28))
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=max(8, vs.height // 14))
    text = f"{info.extra.get('clip')}\nnot rendered yet ({info.duration_s:g} s)"
    draw.multiline_text(
        (vs.width // 2, vs.height // 2),
        text,
        fill=(230, 230, 230),
        font=font,
        anchor="mm",
        align="center",
    )
    return av.VideoFrame.from_image(img)  # type: ignore[no-untyped-call]


def _emit(out: Any, vs: Any, img: Any, pts: int) -> None:
    new = img.reformat(format="yuv420p")
    new.pts = pts
    new.time_base = vs.codec_context.time_base
    for pkt in vs.encode(new):
        out.mux(pkt)


def _encode_audio(
    out: Any, as_: Any, resampler: Any, info: StreamInfo, sr: int, end_s: Fraction, samples: int
) -> int:
    """Encode ``info``'s audio (or silence) up to ``end_s`` (its video's end in the cut)."""
    target = round(end_s * sr)
    need = target - samples
    fifo = av.AudioFifo()
    skip = round(info.trim[0] * sr) if info.trim is not None else 0  # a trim's start
    if info.audio_codec and need > 0:
        with av.open(info.path) as f:
            for frame in f.decode(f.streams.audio[0]):
                for r in resampler.resample(frame):
                    r.pts = None
                    fifo.write(r)
                if skip and fifo.samples:
                    k = min(skip, fifo.samples)
                    fifo.read(k)
                    skip -= k
                if not skip and fifo.samples >= need:
                    break
    done = 0
    step = 1024
    while done < need:
        n = min(step, need - done)
        fr = fifo.read(n) if fifo.samples >= n else None
        if fr is None:
            fr = av.AudioFrame(format="fltp", layout="stereo", samples=n)
            for plane in fr.planes:
                plane.update(bytes(plane.buffer_size))
        fr.sample_rate = sr
        fr.pts = samples + done
        fr.time_base = Fraction(1, sr)
        for pkt in as_.encode(fr):
            out.mux(pkt)
        done += n
    return target


def _join_faded(
    out: Any,
    vs: Any,
    as_: Any,
    resampler: Any,
    infos: Sequence[StreamInfo],
    rate: Fraction,
    sr: int,
    on_clip: Callable[[int], None] | None,
) -> None:
    """Encode ``infos`` with crossfades: a clip with ``fade_s`` overlaps the clip before
    by that long, its first frames a linear blend of the two (and its audio mixed into
    the other's, linearly, over the same time)."""
    from collections import deque

    frame_no = apts = 0
    pending: list[Any] = []  # the tail of the clip before, held back to blend
    atail: Samples | None = None  # the end of the clip before's audio, to mix
    for n, info in enumerate(infos):
        nxt = infos[n + 1] if n + 1 < len(infos) else None
        hold = round(Fraction(nxt.fade_s) * rate) if nxt is not None and nxt.fade_s else 0
        frames = (
            _slate_frames(vs, info, rate)
            if info.video_codec == SLATE
            else _video_frames(vs, info, rate)
        )
        buf: deque[Any] = deque()
        count = 0
        for img in frames:
            if count < len(pending):
                img = _blend(pending[count], img, (count + 1) / (len(pending) + 1))
            count += 1
            buf.append(img)
            if len(buf) > hold:
                _emit(out, vs, buf.popleft(), frame_no)
                frame_no += 1
        pending = list(buf)
        if as_ is not None:
            length = round(Fraction(count) / rate * sr)
            audio = _audio_samples(info, resampler, sr, length)
            if atail is not None:
                crossfade(atail, audio)
            keep = round(Fraction(hold) / rate * sr)
            cut_at = max(0, length - keep)
            apts = _write_audio(out, as_, audio[:, :cut_at], sr, apts)
            atail = audio[:, cut_at:]
        if on_clip is not None:
            on_clip(n)
    for img in pending:  # the last clip holds nothing back, so this is empty
        _emit(out, vs, img, frame_no)
        frame_no += 1
    if as_ is not None and atail is not None and atail.shape[1]:
        _write_audio(out, as_, atail, sr, apts)


def _slate_frames(vs: Any, info: StreamInfo, rate: Fraction) -> Iterator[Any]:
    img = _slate_frame(vs, info)
    for _ in range(max(1, round(Fraction(info.duration_s) * rate))):
        yield img


def _blend(a: Any, b: Any, w: float) -> Any:
    """``a`` faded into ``b``: ``w`` of ``b`` (0..1)."""
    from PIL import Image

    mixed = Image.blend(a.to_image(), b.to_image(), w)
    return av.VideoFrame.from_image(mixed)  # type: ignore[no-untyped-call]


def crossfade(tail: Samples, head: Samples) -> None:
    """Mix ``tail`` (the end of the clip before) into the start of ``head``, in place:
    over the k = min(len) samples the weight of ``head`` rises linearly from 1/(k+1) to
    k/(k+1) (the same weights as the frames' blend).  One array operation per channel
    row, not a Python loop per sample."""
    import numpy as np

    k = min(tail.shape[1], head.shape[1])
    if k <= 0:
        return
    w = np.arange(1, k + 1, dtype=np.float64) / (k + 1)
    mixed = tail[:, :k] * (1 - w) + head[:, :k] * w
    head[:, :k] = mixed.astype(np.float32)


def _audio_samples(info: StreamInfo, resampler: Any, sr: int, length: int) -> Samples:
    """``length`` samples of ``info``'s audio (from its trim's start; silence when it has
    none or runs short), as a (2, length) float32 array."""
    import numpy as np

    skip = round(info.trim[0] * sr) if info.trim is not None else 0
    chunks: list[Samples] = []
    have = 0
    if info.audio_codec and info.video_codec != SLATE:
        with av.open(info.path) as f:
            for frame in f.decode(f.streams.audio[0]):
                for r in resampler.resample(frame):
                    block = np.asarray(r.to_ndarray(), dtype=np.float32)[:2, : r.samples]
                    chunks.append(block)
                    have += block.shape[1]
                if have >= skip + length:
                    break
    out = np.zeros((2, length), dtype=np.float32)
    if chunks:
        got = np.concatenate(chunks, axis=1)[:, skip : skip + length]
        out[:, : got.shape[1]] = got
    return out


def _write_audio(out: Any, as_: Any, samples: Samples, sr: int, pts: int) -> int:
    """Encode the (2, n) samples from ``pts`` on; the next pts."""
    import numpy as np

    step = 1024
    total = samples.shape[1]
    for start in range(0, total, step):
        n = min(step, total - start)
        block = np.ascontiguousarray(samples[:, start : start + n], dtype=np.float32)
        fr = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
        fr.sample_rate = sr
        fr.pts = pts
        fr.time_base = Fraction(1, sr)
        pts += n
        for pkt in as_.encode(fr):
            out.mux(pkt)
    return pts
