"""Hover texts: a clip's compiled prompt and request, an asset, a setting, a package."""

from __future__ import annotations

import json
import re
from typing import Any

from ..api.spec import CONTRACT
from ..syntax import nodes as n
from .analysis import Analysis
from .complete import setting_values

_WORD = re.compile(r"[A-Za-z0-9_:.+\-]+")


def _word_at(text: str, offset: int) -> tuple[str, int]:
    start = offset
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_:.+-"):
        start -= 1
    m = _WORD.match(text, start)
    return (m.group(), start) if m else ("", start)


def hover(a: Analysis, offset: int) -> str | None:
    """Markdown for the thing at ``offset``, or None."""
    tree = a.tree
    if tree is None:
        return None
    occ = a.occurrence_at(offset)
    if occ is not None:
        for kind in occ.kinds:
            text = _symbol(a, kind, occ.name)
            if text is not None:
                return text
    inline = _inline_ref(a, tree, offset)
    if inline is not None:
        return inline
    return _setting(tree, offset)


def _member_lines(a: Analysis, name: str) -> list[str] | None:
    sb = a.checked.storyboard
    member = sb.cast.get(name) if sb is not None else None
    if member is None:
        return None
    lines = [f"**{member.kind} `{name}`**", ""]
    if member.look is not None:
        lines.append(f"look: {member.look}")
    for asset in member.refs:
        lines.append(f"- ref `{asset.name}`: `{asset.url}`")
    brought = [c.name for c in sb.clips if member in c.cast] if sb is not None else []
    lines += ["", "In clips: " + ", ".join(f"`{c}`" for c in brought) if brought else "In no clip."]
    return lines


def _inline_ref(a: Analysis, tree: n.Storyboard, offset: int) -> str | None:
    """A member's inline ``ref "https://..."``: the image asset it declares."""
    sb = a.checked.storyboard
    for member in sb.cast.values() if sb is not None else ():
        for asset in member.refs:
            span = asset.decl.url.span
            if (
                asset.decl.span is span
                and span.file == a.path
                and span.start_pos <= offset < span.end_pos
            ):
                return (
                    f"**image asset `{asset.name}`** (inline, of {member.kind} `{member.name}`)"
                    f"\n\nURL: `{asset.url}`"
                )
    return None


def _symbol(a: Analysis, kind: str, name: str) -> str | None:
    if kind == "clip":
        return clip_hover(a, name)
    sb = a.checked.storyboard
    if kind == "asset":
        asset = sb.assets.get(name) if sb is not None else None
        if asset is None:
            return None
        lines = [f"**asset `{name}`** — {asset.kind}", "", f"URL: `{asset.url}`"]
        if asset.decl.span.file != a.path:
            lines.append(f"declared in `{asset.decl.span.file}`")
        uses = _asset_uses(a, name)
        if uses:
            lines += ["", "Used in:"] + [f"- {u}" for u in uses]
        else:
            lines += ["", "Not used by any clip."]
        return "\n".join(lines)
    if kind in ("character", "product"):
        lines_ = _member_lines(a, name)
        return "\n".join(lines_) if lines_ is not None else None
    if kind == "package":
        pkg = sb.packages.get(name) if sb is not None else None
        if pkg is None:
            return None
        lines = [f"**package `{name}`**" + (" (built in)" if pkg.builtin else ""), ""]
        for s in pkg.style:
            lines.append(f"- style: {s.value.strip()}")
        if pkg.keep:
            lines.append("- keep: " + ", ".join(i.name for i in pkg.keep))
        if pkg.avoid:
            lines.append("- avoid: " + ", ".join(i.name for i in pkg.avoid))
        return "\n".join(lines)
    return None


def _asset_uses(a: Analysis, name: str) -> list[str]:
    out: list[str] = []
    compiled = a.compiled()
    if compiled is not None:
        for c in compiled.clips:
            for r in c.references:
                if r.name == name:
                    out.append(f"`{c.name}`: {r.role} → `{r.field}` ({r.phrase})")
    if out:
        return out
    sb = a.checked.storyboard
    for clip in sb.clips if sb is not None else ():
        for role in clip.roles:
            if getattr(role.source, "name", None) == name:
                out.append(f"`{clip.name}`: {role.role}")
    return out


def request_summary(payload: Any) -> list[str]:
    lines = []
    for key in ("mode", "quality_tier", "channel", "duration", "resolution", "aspect_ratio"):
        if key in payload:
            lines.append(f"- {key}: `{payload[key]}`")
    for field in ("image_url", "end_image_url"):
        if field in payload:
            lines.append(f"- {field}: `{payload[field]}`")
    return lines


def clip_hover(a: Analysis, name: str) -> str | None:
    """The compiled prompt and a summary of the request of clip ``name``."""
    tree = a.tree
    if tree is None or not any(c.name.name == name for c in tree.clips):
        return None
    clip = a.compiled_clip(name)
    if clip is None:
        return f"**clip `{name}`** — not compiled: the file has errors"
    from ..render.pricing import PriceTable

    payload = clip.payload
    lines = [f"**clip `{name}`**", ""]
    lines += request_summary(payload)
    for i, url in enumerate(payload.get("media_urls", ()) or ()):
        role = next((r for r in clip.references if r.field == f"media_urls[{i}]"), None)
        what = f" — {role.role} ({role.name})" if role is not None else ""
        lines.append(f"- media_urls[{i}]: `{url}`{what}")
    try:
        credits = PriceTable().estimate(payload)
        lines.append(f"- estimated credits: **{credits}** (an estimate, not a price)")
    except Exception:
        pass
    if not clip.valid:
        lines.append("- **not valid**: see the diagnostics")
    lines += ["", "Prompt:", "", "```text", clip.prompt, "```"]
    return "\n".join(lines)


def _setting(tree: n.Storyboard, offset: int) -> str | None:
    for item in tree.items:
        settings: tuple[n.Setting, ...] = ()
        if isinstance(item, n.Defaults):
            settings = item.settings
        elif isinstance(item, n.ClipDecl):
            settings = tuple(i for i in item.items if isinstance(i, n.Setting))
        for s in settings:
            if s.span.start_pos <= offset <= s.span.end_pos:
                return setting_hover(s.key.name, s.value.text)
    return None


def setting_hover(key: str, value: str | None = None) -> str | None:
    field = n.SETTING_KEYS.get(key)
    if field is None:
        return None
    lines = [f"**`{key}`** → API field `{field}`"]
    if value is not None:
        lines.append(f"value: `{value}`")
    allowed = setting_values(key)
    if key == "duration":
        lines.append(
            f"allowed: {CONTRACT.duration_min}s to {CONTRACT.duration_max}s, whole seconds"
        )
    elif key == "seed":
        lines.append(f"allowed: {CONTRACT.seed_min} to {CONTRACT.seed_max} (-1: random)")
    elif allowed:
        lines.append("allowed: " + ", ".join(f"`{v}`" for v in allowed))
    if key == "resolution":
        lines.append(
            "only with tier `pro`: " + ", ".join(f"`{r}`" for r in CONTRACT.pro_only_resolutions)
        )
    default = CONTRACT.defaults.get(field)
    if default is not None:
        lines.append(f"API default: `{json.dumps(default)}`")
    return "\n\n".join(lines)
