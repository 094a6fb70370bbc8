"""The ``cut { ... }`` block: each entry names a clip once, trims inside the clip, fades
shorter than both neighbours, at most one block (SHOT230..SHOT234)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from ..syntax import nodes as n
from ..syntax.diagnostics import Label
from ..syntax.parser import did_you_mean, duration_millis
from .model import ResolvedClip

#: the API's default clip duration, when neither the clip nor its shots say
DEFAULT_CLIP_MS = 5000


class _Reports(Protocol):
    def error(self, code: str, message: str, span: n.Span | None, **kw: object) -> None: ...


def clip_millis(clip: ResolvedClip) -> int:
    """How long ``clip`` lasts: its ``duration`` setting (its own or the defaults'), else
    its shots' total when every shot has a duration, else the API's default."""
    dur = clip.settings.get("duration")
    if dur is not None:
        ms = duration_millis(dur.value.text)
        if ms:
            return ms
    shots = clip.shots
    if shots and all(s.duration is not None for s in shots):
        return sum(s.duration.millis for s in shots if s.duration is not None)
    return DEFAULT_CLIP_MS


def cut_block(tree: n.Storyboard) -> n.CutDecl | None:
    """The storyboard's (first) ``cut`` block, or None."""
    return next((i for i in tree.items if isinstance(i, n.CutDecl)), None)


def _s(ms: int) -> str:
    return f"{ms / 1000:g}s"


def check_cut(ctx: _Reports, tree: n.Storyboard, clips: Sequence[ResolvedClip]) -> None:
    blocks = [i for i in tree.items if isinstance(i, n.CutDecl)]
    for extra in blocks[1:]:
        ctx.error(
            "SHOT234",
            "a second `cut` block",
            extra.span,
            labels=(Label(blocks[0].span, "the first `cut` block"),),
            help="a storyboard has one cut: merge the blocks",
        )
    if not blocks:
        return
    by_name: Mapping[str, ResolvedClip] = {c.name: c for c in clips}
    seen: dict[str, n.Span] = {}
    prev_ms: int | None = None  # the kept length of the entry before (None: none/unknown)
    for index, entry in enumerate(blocks[0].entries):
        name = entry.clip.name
        clip = by_name.get(name)
        if clip is None:
            ctx.error(
                "SHOT230",
                f"unknown clip `{name}` in the cut{did_you_mean(name, tuple(by_name))}",
                entry.clip.span,
                help="name a clip of this storyboard (declared with `clip NAME { ... }`)",
            )
            prev_ms = None
            continue
        if name in seen:
            ctx.error(
                "SHOT231",
                f"clip `{name}` is in the cut twice",
                entry.clip.span,
                labels=(Label(seen[name], "first here"),),
                help="a cut uses each clip once: remove one of the entries",
            )
        seen.setdefault(name, entry.clip.span)
        total = clip_millis(clip)
        kept = total
        if entry.trim is not None:
            a, b = entry.trim.start.millis, entry.trim.end.millis
            if a >= b or b > total:
                why = "keeps nothing" if a >= b else f"ends after the clip ({_s(total)})"
                ctx.error(
                    "SHOT232",
                    f"trim {_s(a)}..{_s(b)} of clip `{name}` {why}",
                    entry.trim.span,
                    help=f"trim START..END with START < END <= {_s(total)}, e.g. trim 0s..{_s(total)}",
                )
            else:
                kept = b - a
        if entry.fade is not None:
            f = entry.fade.millis
            if index == 0:
                ctx.error(
                    "SHOT233",
                    f"clip `{name}` is the first of the cut: there is nothing to fade from",
                    entry.fade.span,
                    help="remove the fade, or put the clip after another one",
                )
            elif f >= kept or (prev_ms is not None and f >= prev_ms):
                short = kept if prev_ms is None else min(kept, prev_ms)
                ctx.error(
                    "SHOT233",
                    f"a fade of {_s(f)} into clip `{name}` is not shorter than both clips "
                    f"({_s(short)})",
                    entry.fade.span,
                    help=f"make the fade shorter than {_s(short)}",
                )
        prev_ms = kept
