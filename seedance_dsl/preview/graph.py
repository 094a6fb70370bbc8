"""The dependency graph of a storyboard's clips as an inline SVG (no script, no fonts).

Clips are laid out in columns by depth (a clip sits one column right of the deepest clip
it depends on) and rows in storyboard order; an edge goes from the clip whose output is
used to the clip that uses it, labelled with how (``last frame``, ``video``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

__all__ = ["Edge", "graph_svg"]

_W, _H, _GX, _GY, _PAD = 150, 40, 90, 22, 12


@dataclass(frozen=True, slots=True)
class Edge:
    source: str  # the clip whose output is used
    target: str  # the clip that uses it
    kind: str  # what is used: "last frame", "video"
    phrase: str  # "starts on the last frame of", "uses the video of (media_urls[0])"


def _depths(names: Sequence[str], deps: Mapping[str, Sequence[str]]) -> dict[str, int]:
    depth: dict[str, int] = {}
    for name in names:  # storyboard order: a clip depends only on earlier clips
        depth[name] = 1 + max((depth.get(d, 0) for d in deps.get(name, ())), default=-1)
    return depth


def graph_svg(names: Sequence[str], edges: Sequence[Edge]) -> str:
    """An ``<svg>`` element (a string of escaped markup) of the clips and their edges."""
    deps: dict[str, list[str]] = {}
    for e in edges:
        deps.setdefault(e.target, []).append(e.source)
    depth = _depths(names, deps)
    rows: dict[int, int] = {}
    pos: dict[str, tuple[int, int]] = {}
    for name in names:
        col = depth[name]
        row = rows.get(col, 0)
        rows[col] = row + 1
        pos[name] = (_PAD + col * (_W + _GX), _PAD + row * (_H + _GY))
    width = _PAD * 2 + (max(depth.values(), default=0) + 1) * (_W + _GX) - _GX
    height = _PAD * 2 + max(rows.values(), default=1) * (_H + _GY) - _GY
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="graph-title">',
        f'<title id="graph-title">{escape(_summary(names, edges))}</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="currentColor"/>'
        "</marker></defs>",
    ]
    for e in edges:
        if e.source not in pos or e.target not in pos:
            continue
        sx, sy = pos[e.source]
        tx, ty = pos[e.target]
        x1: float = sx + _W
        x2: float = tx
        y1, y2 = sy + _H / 2, ty + _H / 2
        if tx <= sx:  # same column (cannot happen with depths, kept safe)
            x1, x2 = sx + _W / 2, tx + _W / 2
        mx = (x1 + x2) / 2
        out.append(
            f'<g class="edge"><path d="M{x1},{y1} C{mx},{y1} {mx},{y2} {x2 - 2},{y2}" '
            f'fill="none" stroke="currentColor" marker-end="url(#arrow)"/>'
            f'<text x="{mx}" y="{(y1 + y2) / 2 - 4}" text-anchor="middle" class="edge-label">'
            f"{escape(e.kind)}</text></g>"
        )
    for name in names:
        x, y = pos[name]
        label = name if len(name) <= 18 else name[:17] + "…"
        out.append(
            f'<a href={quoteattr("#clip-" + name)}><g class="node">'
            f'<rect x="{x}" y="{y}" width="{_W}" height="{_H}" rx="6"/>'
            f'<text x="{x + _W / 2}" y="{y + _H / 2 + 5}" text-anchor="middle">'
            f"{escape(label)}</text></g></a>"
        )
    out.append("</svg>")
    return "".join(out)


def _summary(names: Sequence[str], edges: Sequence[Edge]) -> str:
    if not edges:
        return f"{len(names)} clips, none depends on another"
    parts = [f"{e.target} {e.phrase} {e.source}" for e in edges]
    return "Clip dependencies: " + "; ".join(parts)
