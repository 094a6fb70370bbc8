"""The prose lints: a stage of the checker's, run on the prose of each clip.

What the prompt guide says about the storyboard's own words, checked where they are
written: raw ids, URLs and in-app labels (G4: SHOT403, SHOT404), asset names in prose
(G3/G4: SHOT405), one camera move per shot (S1: SHOT406) and spoken lines in a clip
with audio off (S4: SHOT407).  :func:`clip_prose_diagnostics` is the stage; the
compiler's planner (:func:`seedance_dsl.compiler.build.plan_clip`) runs it once per clip
after building the clip's template context, so ``check`` and ``compile`` report the
same lints.  It needs to know only which assets the clip supplies, by name, and how
the prompt calls each (:class:`Supplied`): nothing of the compiler's internals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Protocol

from ..syntax import nodes
from ..syntax.diagnostics import Diagnostic, Label
from ..syntax.diagnostics import diagnostic as _diag
from ..syntax.nodes import Span
from .model import CheckedStoryboard, ResolvedClip

__all__ = [
    "Supplied",
    "asset_name_pattern",
    "clip_prose_diagnostics",
    "prompt_problems",
    "prose_diagnostics",
]


class Supplied(Protocol):
    """An asset a clip supplies: its role and how the prompt names it (S3)."""

    @property
    def role(self) -> str: ...

    @property
    def phrase(self) -> str: ...


#: G4: ``asset://`` URLs, other URLs, raw ids (``img_42``, ``asset_9f3``) and in-app
#: labels (``@图片1``, ``@image2``), in one pass; the first alternative wins at a position.
_G4_PATTERN = (
    r"(?P<scheme>\basset://\S*)"
    r"|(?P<url>\bhttps?://\S+)"
    r"|(?P<id>\b(?:asset|img|image|vid|video|file|media|sd2)_[A-Za-z0-9]*\d[A-Za-z0-9_]*\b)"
    r"|(?P<label>@\s*(?:图片|图像|照片|视频|音频|image|img|picture|photo|video|vid|audio)\s*\d+)"
)
_g4: list[
    re.Pattern[str]
] = []  # compiled on first use (not at import: `check` imports this module)


def _g4_pattern() -> re.Pattern[str]:
    if not _g4:
        _g4.append(re.compile(_G4_PATTERN, re.IGNORECASE))
    return _g4[0]


def prompt_problems(text: str) -> list[tuple[str, str]]:
    """G4 problems in a piece of prose: ``(code, offending fragment)`` pairs.

    Finds ``asset://`` URLs and raw asset ids (SHOT403), URLs (SHOT403: assets go in
    payload fields, G2) and in-app labels like ``@图片1`` (SHOT404).
    """
    if "://" not in text and "@" not in text and "_" not in text:
        return []  # the common case, without running the pattern
    return [
        ("SHOT404" if m.lastgroup == "label" else "SHOT403", m.group(0))
        for m in _g4_pattern().finditer(text)
    ]


#: An asset name with a digit or an underscore is an identifier, never an ordinary word.
_ID_LIKE = re.compile(r"[\d_]")


def _name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(set(names), key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ordered)) + r")(?![\w-])")


def _word_span(text: nodes.Text, start: int, end: int) -> Span:
    """The span of ``text.value[start:end]`` in the source when the literal is written on
    one line without escapes (its source is the value in quotes); else the literal's."""
    sp = text.span
    if sp.line == sp.end_line and sp.end_pos - sp.start_pos == len(text.value) + 2:
        return Span(
            sp.file,
            sp.line,
            sp.column + 1 + start,
            sp.line,
            sp.column + 1 + end,
            sp.start_pos + 1 + start,
            sp.start_pos + 1 + end,
        )
    return sp


def prose_diagnostics(
    text: nodes.Text,
    names: re.Pattern[str] | None,
    refs: Mapping[str, Supplied] | None = None,
) -> list[Diagnostic]:
    """G4/G3 checks of one prose literal of the storyboard.

    SHOT405 (an asset's name in prose): a name that looks like an identifier (a digit or
    an underscore) is an error wherever it appears; a name that is also an ordinary word
    (`fox`, `alley`) is a warning only where the prose can mean the asset — in a clip
    that supplies it as a character reference (``refs``: the clip's assets by name) —
    since anywhere else the word means the word.  The word is underlined, not the
    whole string."""
    out: list[Diagnostic] = []
    for code, fragment in prompt_problems(text.value):
        if code == "SHOT404":
            out.append(
                _diag(
                    code,
                    f"in-app label `{fragment}` in prose: the API does not know it (G4)",
                    text.span,
                    help="use the asset's name as a shot field (`subject <asset>`); the "
                    "compiler then describes it by role and position (S3)",
                )
            )
        else:
            out.append(
                _diag(
                    code,
                    f"`{fragment}` in prose: raw ids and URLs never go into the prompt (G4)",
                    text.span,
                    help="declare the asset, give it a role in the clip (`start`, `ref ... as "
                    "character`); the compiler sends its URL and describes it in words",
                )
            )
    if names is not None:
        for m in names.finditer(text.value):
            name = m.group(1)
            id_like = bool(_ID_LIKE.search(name))
            ref = refs.get(name) if refs is not None else None
            if not id_like and (ref is None or ref.role != "character"):
                continue  # an ordinary word where the asset cannot be meant
            if ref is None or ref.role == "character":
                help_ = (
                    f'write `subject {name}` (or `say {name} "..."`) so the compiler names '
                    "it by role, or rephrase, or rename the asset"
                )
            else:
                help_ = (
                    f'the prompt calls this asset "{ref.phrase}": write that, or describe '
                    "what it shows in your own words, or rename the asset"
                )
            out.append(
                _diag(
                    "SHOT405",
                    f"asset name `{name}` written in prose; the model never sees asset "
                    "names (G3, G4)"
                    + ("" if id_like else "; if you mean the ordinary word, rename the asset"),
                    _word_span(text, m.start(1), m.end(1)),
                    severity="error" if id_like else "warning",
                    help=help_,
                )
            )
            break  # one name per literal is enough
    return out


def asset_name_pattern(checked: CheckedStoryboard) -> re.Pattern[str] | None:
    """The pattern of the storyboard's asset names in prose (SHOT405); build it once
    per storyboard."""
    return _name_pattern(checked.assets)


def _style_literals(clip: ResolvedClip) -> list[nodes.Text]:
    """The style literals of the clip's packages, each distinct line once (as the
    compiler's style list has them)."""
    seen: set[str] = set()
    out: list[nodes.Text] = []
    for use in clip.uses:
        for s in use.package.style:
            line = " ".join(s.value.split())
            if line not in seen:
                seen.add(line)
                out.append(s)
    return out


def _shot_lints(
    clip: ResolvedClip,
    number: int,
    shot: nodes.Shot,
    names: re.Pattern[str] | None,
    supplied: Mapping[str, Supplied],
    audio_off: Span | None,
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    cameras: list[nodes.ShotField] = []
    for item in shot.items:
        if isinstance(item, nodes.Dialogue):
            if isinstance(item.speaker, nodes.Text):
                out += prose_diagnostics(item.speaker, names, supplied)
            out += prose_diagnostics(item.line, None)
            if audio_off is not None:
                out.append(
                    _diag(
                        "SHOT407",
                        "a spoken line in a clip with audio off will not be heard (S4)",
                        item.span,
                        severity="warning",
                        labels=[Label(audio_off, "audio is off here")],
                        help="turn `audio on`, or remove the line",
                    )
                )
            continue
        if isinstance(item.value, nodes.Text):
            out += prose_diagnostics(item.value, names, supplied)
        if item.key == "camera":
            cameras.append(item)
    if len(cameras) > 1:
        out.append(
            _diag(
                "SHOT406",
                f"shot {number} of clip `{clip.name}` has {len(cameras)} camera moves; "
                "Seedance follows one per shot best (S1)",
                cameras[1].span,
                severity="warning",
                labels=[Label(cameras[0].span, "first camera move")],
                help="split the shot in two, each with one `camera`",
            )
        )
    return out


def clip_prose_diagnostics(
    clip: ResolvedClip,
    names: re.Pattern[str] | None,
    supplied: Mapping[str, Supplied],
    *,
    audio_off: Span | None = None,
) -> list[Diagnostic]:
    """The prose lints of one clip: its shots, its own text and its packages' style.
    ``names`` is :func:`asset_name_pattern`, ``supplied`` the clip's assets by name and
    ``audio_off`` the span of the `audio off` that silences the clip (None: audio on)."""
    out: list[Diagnostic] = []
    for i, shot in enumerate(clip.shots):
        out += _shot_lints(clip, i + 1, shot, names, supplied, audio_off)
    for t in clip.texts:
        if isinstance(t.text, nodes.Text):
            out += prose_diagnostics(t.text, names, supplied)
    for s in _style_literals(clip):
        out += prose_diagnostics(s, names, supplied)
    return out
