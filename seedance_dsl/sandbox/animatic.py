"""Animatics: a clip's prompt drawn as a real H.264 MP4 and its last frame as a PNG.

The sandbox cannot generate video, so each task's output is the cheapest useful
preview of the clip: one title card per shot (its text, its camera move, its time
range) with a running timecode, a progress bar and a viewfinder rectangle that acts
out the camera move.  The video has exactly the clip's duration and the requested
aspect ratio; the resolution is capped (:class:`~.settings.AnimaticSettings`).

Shots are read from the prompt as the compiler writes them ("Shot 1 (0–3 s): …",
one per line) and tolerantly from other prompts ("Shot 1: … Shot 2: …"); a prompt
without shots is shown as one card with the prompt wrapped.

``av`` is imported only when a video is encoded (in a worker thread).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .media import LoadedMedia, MediaInputs
from .settings import RESOLUTION_SHORT_SIDE, AnimaticSettings

if TYPE_CHECKING:
    from PIL import Image, ImageFont

__all__ = [
    "AnimaticJob",
    "Shot",
    "camera_motion",
    "frame_size",
    "parse_shots",
    "render_animatic",
]


@dataclass(frozen=True, slots=True)
class Shot:
    """One shot as read from a prompt, with its place on the clip's timeline."""

    number: int
    text: str
    camera: str | None
    start: float
    end: float


# "Shot 2 (3–8 s):", "shot 2 (3-8s).", "Shot 2 (5 s) —", "Shot 2:"
_SHOT_RE = re.compile(
    r"\bshot\s+(?P<num>\d{1,3})\s*(?:\((?P<paren>[^)\n]{0,40})\))?\s*[:.\-–—]",
    re.IGNORECASE,
)
_RANGE_RE = re.compile(
    r"^\s*(?P<a>\d+(?:\.\d+)?)\s*s?\s*(?:[–—-]|to)\s*(?P<b>\d+(?:\.\d+)?)\s*s?\s*$",
    re.IGNORECASE,
)
_LENGTH_RE = re.compile(r"^\s*(?P<d>\d+(?:\.\d+)?)\s*s(?:ec(?:onds?)?)?\s*$", re.IGNORECASE)
_CAMERA_LABEL_RE = re.compile(
    r"(?:^|[\s,;.(])camera(?:\s+(?:move|movement|motion|work))?\s*[:：]\s*(?P<cam>[^.;\n]+)",
    re.IGNORECASE,
)
_CAMERA_WORD_RE = re.compile(r"\bcamera\b", re.IGNORECASE)
_CAMERA_MOVES = (
    "dolly",
    "push-in",
    "push in",
    "pull-out",
    "pull out",
    "pull back",
    "pan",
    "tilt",
    "zoom",
    "tracking",
    "track",
    "truck",
    "crane",
    "pedestal",
    "orbit",
    "arc shot",
    "handheld",
    "hand-held",
    "steadicam",
    "static",
    "locked-off",
    "aerial",
    "drone",
    "whip",
    "close-up",
    "wide shot",
    "over-the-shoulder",
)
_MOVE_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(m) for m in _CAMERA_MOVES) + r")",
    re.IGNORECASE,
)
_CLAUSE_ENDS = ".;,\n"


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause (between ``.;,`` or line ends) around ``text[start:end]``; linear time."""
    left = max(text.rfind(c, 0, start) for c in _CLAUSE_ENDS) + 1
    ends = [i for i in (text.find(c, end) for c in _CLAUSE_ENDS) if i >= 0]
    return left, min(ends, default=len(text))


def _split_camera(text: str) -> tuple[str, str | None]:
    """The shot's text without its camera clause, and the camera clause."""
    m = _CAMERA_LABEL_RE.search(text)
    if m is not None:
        cam = m.group("cam")
        start, end = m.span()
    else:
        kw = _CAMERA_WORD_RE.search(text) or _MOVE_RE.search(text)
        if kw is None:
            return text.strip(), None
        start, end = _clause(text, *kw.span())
        cam = text[start:end]
    rest = (text[:start] + text[end:]).strip()
    rest = re.sub(r"\s+([,.;])", r"\1", rest)
    rest = re.sub(r"[,;]\s*[,;.]", ".", rest)
    rest = re.sub(r"(?<!\.)\.\.(?!\.)", ".", rest).strip(" ,;")
    return rest or text.strip(), cam.strip(" ,;:.") or None


def parse_shots(prompt: str, duration: float) -> list[Shot]:
    """The shots of ``prompt`` laid out on ``[0, duration]``.

    Explicit ranges ("(0–3 s)") are used as given (clamped to the clip); lengths
    ("(3 s)") are laid end to end; shots without either share the time left equally.
    Never empty: a prompt without shots becomes one shot holding the whole prompt.
    """
    matches = list(_SHOT_RE.finditer(prompt))
    if not matches:
        text, cam = _split_camera(" ".join(prompt.split()))
        return [Shot(1, text, cam, 0.0, float(duration))]

    raw: list[tuple[int, str, str | None, tuple[float, float] | None, float | None]] = []
    for i, m in enumerate(matches):
        body_end = matches[i + 1].start() if i + 1 < len(matches) else len(prompt)
        body = prompt[m.end() : body_end]
        if i + 1 == len(matches) or "\n" in body:
            body = body.split("\n", 1)[0]
        text, cam = _split_camera(" ".join(body.split()))
        paren = m.group("paren") or ""
        rng: tuple[float, float] | None = None
        length: float | None = None
        if (r := _RANGE_RE.match(paren)) is not None:
            a, b = float(r.group("a")), float(r.group("b"))
            if b > a:
                rng = (a, b)
        elif (d := _LENGTH_RE.match(paren)) is not None and float(d.group("d")) > 0:
            length = float(d.group("d"))
        raw.append((int(m.group("num")), text, cam, rng, length))

    shots: list[Shot] = []
    cursor = 0.0
    untimed = [r for r in raw if r[3] is None and r[4] is None]
    timed_total = sum(r[4] or 0.0 for r in raw)
    if all(r[3] is not None for r in raw):
        share = 0.0
    else:
        share = max(duration - timed_total - cursor, 0.0) / len(untimed) if untimed else 0.0
    for num, text, cam, rng, length in raw:
        if rng is not None:
            start, end = rng
        else:
            start = cursor
            end = cursor + (length if length is not None else share)
        start = min(max(start, 0.0), duration)
        end = min(max(end, start), duration)
        cursor = end
        shots.append(Shot(num, text or f"Shot {num}", cam, start, end))
    shots.sort(key=lambda s: s.start)
    # No gaps: a shot lasts until the next one starts, the last until the end.
    fixed: list[Shot] = []
    for i, s in enumerate(shots):
        start = 0.0 if i == 0 else s.start
        end = shots[i + 1].start if i + 1 < len(shots) else float(duration)
        fixed.append(Shot(s.number, s.text, s.camera, start, max(end, start)))
    return fixed


def frame_size(aspect_ratio: str, resolution: str, settings: AnimaticSettings) -> tuple[int, int]:
    """(width, height) in pixels of the animatic of a request; both even."""
    if aspect_ratio == "adaptive":
        aspect_ratio = settings.adaptive_aspect
    aw, ah = (int(x) for x in aspect_ratio.split(":"))
    short = min(RESOLUTION_SHORT_SIDE.get(resolution, 720), settings.max_short_side)
    ratio = aw / ah
    if ratio >= 1:
        w, h = short * ratio, float(short)
    else:
        w, h = float(short), short / ratio
    if settings.max_long_side is not None:
        scale = min(1.0, settings.max_long_side / max(w, h))
        w, h = w * scale, h * scale
    return max(2, round(w / 2) * 2), max(2, round(h / 2) * 2)


def label_text(aspect_ratio: str, resolution: str, duration: int, size: tuple[int, int]) -> str:
    """The label in the corner of every frame: the size really drawn, and what was asked.

    ``16:9 · 1280×720 · 5 s`` when the frames are the resolution's own size, else
    ``16:9 · 160×90 (4k asked) · 5 s``.
    """
    w, h = size
    nominal = RESOLUTION_SHORT_SIDE.get(resolution)
    asked = "" if nominal == min(w, h) else f" ({resolution} asked)"
    return f"{aspect_ratio} · {w}×{h}{asked} · {duration} s"


def camera_motion(camera: str | None) -> str:
    """The kind of move to act out: in, out, left, right, up, down, orbit, shake, static."""
    if not camera:
        return "static"
    c = camera.lower()
    table = (
        (("pull out", "pull-out", "pull back", "zoom out", "dolly out", "dolly-out"), "out"),
        (("dolly", "push", "zoom in", "zoom-in", "close-up"), "in"),
        (("orbit", "arc", "circl"), "orbit"),
        (("handheld", "hand-held", "shak"), "shake"),
        (("pan left", "truck left", "track left", "tracking left"), "left"),
        (("pan", "truck", "track", "whip"), "right"),
        (("tilt down", "crane down", "pedestal down", "descend"), "down"),
        (("tilt", "crane", "pedestal", "rise", "aerial", "drone"), "up"),
        (("zoom",), "in"),
    )
    for words, kind in table:
        if any(w in c for w in words):
            return kind
    return "static"


@dataclass(frozen=True, slots=True)
class AnimaticJob:
    """Everything a worker needs to draw one task's outputs."""

    task_id: str
    prompt: str
    duration: int
    aspect_ratio: str
    resolution: str
    video_path: Path
    frame_path: Path
    #: the request's start/end frame and reference URLs (drawn when they can be fetched)
    media: MediaInputs = field(default_factory=MediaInputs)


_PALETTE = (
    (28, 40, 64),
    (64, 34, 40),
    (30, 58, 46),
    (58, 46, 24),
    (44, 32, 66),
    (24, 56, 64),
)


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    return ImageFont.load_default(size=max(size, 6))


_ASCII = str.maketrans(
    {"–": "-", "—": "-", "−": "-", "…": "...", "“": '"', "”": '"', "‘": "'", "’": "'", "×": "x"}
)


def _drawable(text: str) -> str:
    """Text the built-in font can draw: typographic marks and accents folded to ASCII.

    Characters of other scripts are kept (the font shows them as boxes).
    """
    import unicodedata

    text = text.translate(_ASCII)
    if text.isascii():
        return text
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if not unicodedata.combining(c))


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if not line or font.getlength(candidate) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def _timecode(t: float) -> str:
    minutes, seconds = divmod(max(t, 0.0), 60.0)
    return f"{int(minutes):02d}:{seconds:05.2f}"


def _card(shot: Shot, index: int, count: int, size: tuple[int, int], caption: str) -> Image.Image:
    """The still part of a shot's frames."""
    from PIL import Image, ImageDraw

    w, h = size
    img = Image.new("RGB", size, _PALETTE[index % len(_PALETTE)])
    draw = ImageDraw.Draw(img)
    unit = min(w, h)
    margin = max(2, unit // 20)
    small = _font(max(6, unit // 22))
    big = _font(max(7, unit // 11))
    body = _font(max(6, unit // 16))
    draw.text((margin, margin), "SANDBOX ANIMATIC", fill=(200, 200, 200), font=small)
    caption = _drawable(caption)
    cap_w = small.getlength(caption)
    draw.text((w - margin - cap_w, margin), caption, fill=(200, 200, 200), font=small)
    y = margin * 2 + unit // 18
    title = f"SHOT {index + 1}/{count}   {shot.start:.1f}-{shot.end:.1f} s"
    draw.text((margin, y), title, fill=(255, 255, 255), font=big)
    y += int(unit / 11 * 1.4)
    line_h = int(max(6, unit // 16) * 1.3)
    footer = h - margin * 3 - unit // 10
    camera_line = _drawable(f"CAMERA: {shot.camera or 'unspecified'}")
    cam_lines = _wrap(camera_line, body, w - 2 * margin)[:2]
    room = max(1, (footer - y - line_h * len(cam_lines)) // line_h)
    lines = _wrap(_drawable(shot.text), body, w - 2 * margin)
    if len(lines) > room:
        lines = lines[:room]
        lines[-1] = lines[-1].rstrip(".,;") + " ..."
    for line in lines:
        draw.text((margin, y), line, fill=(235, 235, 235), font=body)
        y += line_h
    for line in cam_lines:
        draw.text((margin, y), line, fill=(255, 214, 120), font=body)
        y += line_h
    return img


def _dim(bg: tuple[int, int, int]) -> tuple[int, int, int]:
    """A colour 40 % of the way from the background to white: visible, not in the way."""
    r, g, b = (int(c + (255 - c) * 0.4) for c in bg)
    return (r, g, b)


def _draw_moving(
    img: Image.Image, shot: Shot, t: float, duration: float, index: int
) -> Image.Image:
    """A copy of the card with the viewfinder, the timecode and the progress bar at ``t``."""
    import math

    from PIL import ImageDraw

    frame = img.copy()
    draw = ImageDraw.Draw(frame)
    w, h = frame.size
    unit = min(w, h)
    margin = max(2, unit // 20)
    span = max(shot.end - shot.start, 1e-6)
    p = min(max((t - shot.start) / span, 0.0), 1.0)

    # Viewfinder: a rectangle with the frame's aspect, moved as the camera moves.
    kind = camera_motion(shot.camera)
    scale, dx, dy = 0.5, 0.0, 0.0
    if kind == "in":
        scale = 0.7 - 0.4 * p
    elif kind == "out":
        scale = 0.3 + 0.4 * p
    elif kind in ("left", "right"):
        dx = (0.25 - 0.5 * p) * (1 if kind == "left" else -1)
    elif kind in ("up", "down"):
        dy = (0.2 - 0.4 * p) * (1 if kind == "up" else -1)
    elif kind == "orbit":
        dx, dy = 0.2 * math.cos(2 * math.pi * p), 0.15 * math.sin(2 * math.pi * p)
    elif kind == "shake":
        dx, dy = 0.02 * math.sin(t * 23.0), 0.02 * math.cos(t * 17.0)
    cx, cy = w * (0.5 + dx), h * (0.55 + dy)
    rw, rh = w * scale * 0.5, h * scale * 0.5
    draw.rectangle(
        (cx - rw / 2, cy - rh / 2, cx + rw / 2, cy + rh / 2),
        outline=_dim(_PALETTE[index % len(_PALETTE)]),
        width=max(1, unit // 120),
    )

    # Progress bar over the whole clip, and the timecode.
    bar_h = max(2, unit // 40)
    y0 = h - margin - bar_h
    draw.rectangle((margin, y0, w - margin, y0 + bar_h), fill=(80, 80, 80))
    filled = margin + (w - 2 * margin) * min(t / duration, 1.0)
    draw.rectangle((margin, y0, filled, y0 + bar_h), fill=(255, 255, 255))
    font = _font(max(6, unit // 14))
    tc = f"{_timecode(t)} / {_timecode(duration)}"
    draw.text(
        (w - margin - font.getlength(tc), y0 - margin - max(6, unit // 14)),
        tc,
        fill=(255, 255, 255),
        font=font,
    )
    return frame


def hold_seconds(duration: float) -> float:
    """How long a clip shows its start (end) frame alone before (after) its cards; as
    long again is a cross-fade."""
    return min(1.0, duration / 5)


def _fit(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``img`` scaled to cover ``size`` and centre-cropped (an image of another aspect
    ratio fills the frame, as the service's first frame would)."""
    from PIL import Image, ImageOps

    return ImageOps.fit(img.convert("RGB"), size, Image.Resampling.BICUBIC)


def _tag(img: Image.Image, text: str) -> Image.Image:
    """A small label in the top-left corner of a start or end frame."""
    from PIL import ImageDraw

    out = img.copy()
    draw = ImageDraw.Draw(out)
    unit = min(out.size)
    font = _font(max(6, unit // 24))
    pad = max(1, unit // 80)
    w = font.getlength(text)
    h = max(6, unit // 24)
    draw.rectangle((0, 0, w + 2 * pad, h + 2 * pad), fill=(0, 0, 0))
    draw.text((pad, pad), text, fill=(255, 255, 255), font=font)
    return out


def _thumbnails(
    card: Image.Image, refs: tuple[tuple[str, Image.Image | None, str], ...]
) -> Image.Image:
    """``card`` with a labelled thumbnail of each reference, right to left along the
    bottom (above the progress bar); a reference the sandbox does not fetch (a public
    URL) is a grey box with its host name."""
    from PIL import ImageDraw

    if not refs:
        return card
    out = card.copy()
    draw = ImageDraw.Draw(out)
    w, h = out.size
    unit = min(w, h)
    margin = max(2, unit // 20)
    th = max(8, unit // 5)
    tw = max(8, th * 16 // 9)
    font = _font(max(6, unit // 28))
    x = w - margin - tw
    y = h - margin * 3 - th - max(2, unit // 40)
    for label, pic, host in refs:
        if x < margin:
            break
        if pic is not None:
            out.paste(_fit(pic, (tw, th)), (x, y))
        else:
            draw.rectangle((x, y, x + tw, y + th), fill=(90, 90, 90))
            draw.text((x + 2, y + th // 2), _drawable(host)[:24], fill=(220, 220, 220), font=font)
        draw.rectangle((x, y, x + tw - 1, y + th - 1), outline=(255, 255, 255))
        draw.rectangle(
            (x, y, x + font.getlength(label) + 4, y + max(6, unit // 28) + 3), fill=(0, 0, 0)
        )
        draw.text((x + 2, y + 1), label, fill=(255, 214, 120), font=font)
        x -= tw + margin // 2
    return out


def _with_media(
    frame: Image.Image,
    t: float,
    duration: float,
    start: Image.Image | None,
    end: Image.Image | None,
) -> Image.Image:
    """The frame at ``t`` with the start frame over its opening and the end frame over
    its close: alone for :func:`hold_seconds`, then cross-faded with the cards."""
    from PIL import Image

    hold = hold_seconds(duration)
    if end is not None and t >= duration - hold - 1e-9:
        return end
    if start is not None and t < hold:
        return start
    if start is not None and t < 2 * hold:
        return Image.blend(start, frame, (t - hold) / hold)
    if end is not None and t > duration - 2 * hold:
        return Image.blend(frame, end, (t - (duration - 2 * hold)) / hold)
    return frame


def render_animatic(
    job: AnimaticJob, settings: AnimaticSettings, media: LoadedMedia | None = None
) -> None:
    """Draw ``job``'s MP4 and last-frame PNG (written atomically, via temporary names).

    ``media`` (the request's pictures, :func:`~.media.load_media`) makes the clip open on
    its start frame, close on its end frame and show its references as thumbnails."""
    import av

    size = frame_size(job.aspect_ratio, job.resolution, settings)
    label = label_text(job.aspect_ratio, job.resolution, job.duration, size)
    shots = parse_shots(job.prompt, float(job.duration))
    cards: dict[int, Image.Image] = {}  # drawn when first shown (a shot may get no frame)
    fps = settings.fps
    n_frames = job.duration * fps

    media = media or LoadedMedia()
    start = _tag(_fit(media.start, size), "START FRAME") if media.start is not None else None
    end = _tag(_fit(media.end, size), "END FRAME") if media.end is not None else None

    tmp_video = job.video_path.with_name(job.video_path.name + ".part")
    tmp_frame = job.frame_path.with_name(job.frame_path.name + ".part")
    container = av.open(str(tmp_video), mode="w", format="mp4")
    try:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, fps)
        stream.codec_context.time_base = Fraction(1, fps)
        stream.options = {"preset": settings.preset, "crf": str(settings.crf), "bf": "0"}
        last = None
        shot_i = 0
        for i in range(n_frames):
            t = i / fps
            while shot_i + 1 < len(shots) and t >= shots[shot_i + 1].start:
                shot_i += 1
            if shot_i not in cards:
                card = _card(shots[shot_i], shot_i, len(shots), size, label)
                cards[shot_i] = _thumbnails(card, media.refs)
            last = _draw_moving(cards[shot_i], shots[shot_i], t, float(job.duration), shot_i)
            last = _with_media(last, t, float(job.duration), start, end)
            frame = av.VideoFrame.from_image(last)  # type: ignore[no-untyped-call]
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    finally:
        container.close()
    assert last is not None
    last.save(tmp_frame, format="PNG")
    os.replace(tmp_frame, job.frame_path)
    os.replace(tmp_video, job.video_path)
