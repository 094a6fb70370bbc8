"""Build the preview page: gather what the compiler and the last render know, write
``index.html`` and a ``media/`` folder beside it (docs/preview.md)."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..syntax.nodes import Span
from .graph import Edge, graph_svg

__all__ = ["PreviewResult", "build_preview", "default_preview_dir"]

_MEDIA_SUFFIXES = {"video": (".mp4",), "last_frame": (".png", ".jpg", ".jpeg", ".webp")}
_EDGE_WHAT = {"image_url": "start", "end_image_url": "end"}


@dataclass(frozen=True, slots=True)
class PreviewResult:
    page: Path  # the index.html written
    clips: int
    rendered: int  # clips with a video on the page
    errors: int  # error diagnostics of the storyboard
    #: the files the page was made from (the storyboard, its imports, the manifest):
    #: what ``--watch`` watches
    inputs: tuple[Path, ...] = ()


def default_preview_dir(storyboard_path: str | Path, *, sandbox: bool) -> Path:
    """``renders/<storyboard>/preview/`` (``renders/<storyboard>/sandbox/preview/``)."""
    from ..render.identity import SANDBOX_SERVER, default_out_dir

    return default_out_dir(storyboard_path, SANDBOX_SERVER if sandbox else "") / "preview"


def _where(span: Span | None) -> str | None:
    if span is None:
        return None
    return f"{span.file}:{span.line}" if span.line else span.file


def _seconds(value: Any) -> float | None:
    try:
        return float(str(value))
    except (TypeError, ValueError):
        return None


def _timecode(s: float) -> str:
    m, sec = divmod(s, 60)
    return f"{int(m):02d}:{sec:05.2f}"


def _load_manifest(render_dir: Path) -> dict[str, Any] | None:
    from ..render.manifest_file import read_manifest

    return read_manifest(render_dir / "manifest.json")


def _copy_media(
    entry: Mapping[str, Any], kind: str, render_dir: Path, media: Path, clip: str
) -> str | None:
    """Copy a rendered file into ``media/`` and return its page-relative path.  Only a
    file inside the render folder, with the expected suffix, is taken (a manifest is
    data, not a list of files to publish)."""
    files = entry.get("files")
    info = files.get(kind) if isinstance(files, dict) else None
    raw = info.get("path") if isinstance(info, dict) else None
    if not isinstance(raw, str):
        return None
    src = Path(raw)
    candidates = [src] if src.is_absolute() else [Path.cwd() / src, render_dir / src.name]
    root = render_dir.resolve()
    for cand in candidates:
        real = cand.resolve()
        if real.is_file() and real.is_relative_to(root) and real.suffix in _MEDIA_SUFFIXES[kind]:
            take = _take(entry)
            name = f"{clip}.take{take}.{'last_frame' if kind == 'last_frame' else 'video'}"
            dest = media / (name + real.suffix)
            st = real.stat()
            if not (
                dest.exists()
                and dest.stat().st_size == st.st_size
                and dest.stat().st_mtime >= st.st_mtime
            ):
                shutil.copyfile(real, dest)
            return f"media/{dest.name}"
    return None


def _add_takes(
    rendered: dict[str, list[dict[str, Any]]], path: str | Path, server: str, rdir: Path
) -> None:
    """Add to ``rendered`` (clip -> manifest entries of the last run) every other finished
    take the state database knows for this server, newest record per take, as entries of
    the manifest's shape; sorted by take.  Read only; a database that is missing, busy
    or damaged adds nothing (the manifest still shows the last run)."""
    from ..errors import SeedanceDSLError
    from ..render.state import StateDB

    try:
        if not StateDB.exists_for(path):
            return
        with StateDB.for_storyboard(path, readonly=True) as db:
            records = db.history(server, Path(path).name)
    except (SeedanceDSLError, OSError):
        return
    root = rdir.resolve()
    newest: dict[tuple[str, int], Any] = {}
    for rec in records:  # oldest first: a later record of a take replaces an earlier one
        if rec.state in ("done", "completed") and rec.video_path:
            video = Path(rec.video_path)
            where = video if video.is_absolute() else Path.cwd() / video
            if where.resolve().is_relative_to(root):  # a render of this folder only
                newest[(rec.clip, rec.take)] = rec
    for (clip, take), rec in newest.items():
        entries = rendered.setdefault(clip, [])
        if any(_take(e) == take for e in entries):
            continue  # the manifest's entry of that take (the same render)
        files: dict[str, Any] = {"video": {"path": rec.video_path}}
        if rec.frame_path:
            files["last_frame"] = {"path": rec.frame_path}
        entries.append(
            {
                "clip": clip,
                "status": "done",
                "take": take,
                "task_id": rec.task_id,
                "seed": rec.seed,
                "credits_used": rec.credits_used,
                "timings": {"render_s": rec.render_s},
                "files": files,
            }
        )
    for entries in rendered.values():
        entries.sort(key=_take)


def _take(entry: Mapping[str, Any]) -> int:
    """The take number of a manifest entry: a non-negative int, else 0 (it is part of a
    file name in media/, so nothing else from the manifest gets there)."""
    take = entry.get("take")
    return take if isinstance(take, int) and not isinstance(take, bool) and take >= 0 else 0


class _Sources:
    """The ``.shot`` files the page links to, listed at its end with one anchor per line
    (``#src0-L12``), so a prompt line's link works offline."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = texts
        self._ids: dict[str, int] = {}

    @property
    def texts(self) -> Mapping[str, str]:
        return self._texts

    def href(self, span: Span | None) -> str | None:
        if span is None or span.line <= 0 or span.file not in self._texts:
            return None
        n = self._ids.setdefault(span.file, len(self._ids))
        return f"#src{n}-L{span.line}"

    def listing(self) -> list[dict[str, Any]]:
        return [
            {"id": n, "file": file, "lines": self._texts[file].split("\n")}
            for file, n in sorted(self._ids.items(), key=lambda kv: kv[1])
        ]


def _link(span: Span, sources: _Sources) -> dict[str, Any]:
    """A link to a ``.shot`` line: its anchor on the page, the full ``file:line`` (the
    link's title) and ``name.shot:line`` (its text, short enough for a phone)."""
    return {
        "where": _where(span),
        "short": f"{Path(span.file).name}:{span.line}",
        "href": sources.href(span),
    }


def _prompt_lines(clip: Any, resolved: Any, sources: _Sources) -> list[dict[str, Any]]:
    """Each line of the prompt with the ``.shot`` lines it comes from (:mod:`.lines`)."""
    from .lines import prompt_sources

    lines = []
    for text, src in zip(
        clip.prompt.split("\n"),
        prompt_sources(clip.prompt, resolved, clip, sources.texts),
        strict=True,
    ):
        links = [_link(sp, sources) for sp in src.spans]
        lines.append({"text": text, "kind": src.kind, "where": links[0]["where"], "links": links})
    return lines


def _ref_label(r: Any) -> str:
    """``start frame · image_url``, ``character · media_urls[0] (image 1)``."""
    role = f"{r.role} frame" if r.role in ("start", "end") else r.role
    pos = f" ({r.kind} {r.position})" if r.position else ""
    return f"{role} · {r.field}{pos}"


def _thumb(r: Any, outputs: Mapping[str, Mapping[str, str | None]]) -> dict[str, Any]:
    """How a reference is shown: an earlier clip's output from ``media/`` once rendered
    (its last frame as an image, its video with the last frame as poster), else a
    placeholder naming that clip; a remote asset as a placeholder with its link (the page
    loads nothing from the network)."""
    out = r.output
    if out is not None:
        have = outputs.get(out.clip, {})
        what = "last frame" if out.output == "last_frame" else "video"
        return {
            "type": "output",
            "clip": out.clip,
            "what": what,
            "frame": have.get("last_frame"),
            "video": have.get("video") if out.output == "video" else None,
            "ready": bool(have.get(out.output)),
        }
    return {"type": "remote" if r.url.startswith(("http://", "https://")) else "other"}


def _clip_of(diag_span: Span | None, clips: Sequence[Any]) -> str | None:
    if diag_span is None:
        return None
    for c in clips:
        s = c.span
        if s.file == diag_span.file and s.start_pos <= diag_span.start_pos <= s.end_pos:
            return str(c.name)
    return None


def build_preview(
    path: str | Path,
    *,
    out_dir: str | Path | None = None,
    sandbox: bool = False,
    render_dir: str | Path | None = None,
    template: str | None = None,
    prices: str | Path | None = None,
    live_reload: bool = False,
) -> PreviewResult:
    """Write the preview page of the storyboard ``path``; return where and what.

    ``live_reload`` (``--watch``) adds a script, served by :mod:`.watch` from the page's
    own origin, that reloads the page when it is written again."""
    from ..check import resolve_file
    from ..compiler import compile_result
    from ..compiler.output import to_json
    from ..render.identity import SANDBOX_SERVER, default_out_dir
    from ..render.pricing import PriceTable
    from .page import render_page

    checked = resolve_file(str(path))  # the checker's model: spans of every word
    compiled = compile_result(checked, str(path), template=template)
    model = checked.storyboard
    resolved = {c.name: c for c in model.clips} if model is not None else {}
    sources = _Sources(compiled.sources)
    outputs: dict[str, dict[str, str | None]] = {}  # clip -> {"video", "last_frame"}: media/ paths
    doc = to_json(compiled)
    table = PriceTable.from_env_or(prices)
    rdir = (
        Path(render_dir)
        if render_dir is not None
        else default_out_dir(path, SANDBOX_SERVER if sandbox else "")
    )
    out = Path(out_dir) if out_dir is not None else default_preview_dir(path, sandbox=sandbox)
    media = out / "media"
    try:
        media.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"cannot create the preview folder {media}: {exc.strerror}",
            help="pass a writable folder with --out",
        ) from None
    manifest = _load_manifest(rdir)
    rendered: dict[str, list[dict[str, Any]]] = {}
    if manifest is not None:
        for entry in manifest.get("clips", []):
            if isinstance(entry, dict) and isinstance(entry.get("clip"), str):
                rendered.setdefault(entry["clip"], []).append(entry)
    server = manifest.get("server") if manifest else None
    if not isinstance(server, str):
        from ..render.identity import server_namespace

        server = SANDBOX_SERVER if sandbox else server_namespace()
    _add_takes(rendered, path, server, rdir)

    by_clip: dict[str, list[dict[str, Any]]] = {}
    general: list[dict[str, Any]] = []
    for d, dj in zip(compiled.diagnostics, doc["diagnostics"], strict=False):
        owner = _clip_of(d.span, compiled.clips)
        item = {**dj, "where": _where(d.span)}
        (by_clip.setdefault(owner, []) if owner else general).append(item)

    edges: list[Edge] = []
    cards: list[dict[str, Any]] = []
    total_s = 0.0
    est_total = 0
    charged_total = 0
    for clip, cj in zip(compiled.clips, doc["clips"], strict=True):
        body = clip.payload
        duration = _seconds(body.get("duration"))
        total_s += duration or 0.0
        estimate = table.estimate(body)
        est_total += estimate
        for slot in clip.slots:
            what = slot.output.replace("_", " ")
            where = _EDGE_WHAT.get(slot.field)
            if where is not None:
                phrase = f"{where}s on the {what} of"
            else:
                phrase = f"uses (media_urls[{slot.index}]) the {what} of"
            edges.append(Edge(slot.clip, clip.name, what, phrase))
        shots = []
        rc = resolved.get(clip.name)
        shot_spans = [sh.span for sh in rc.shots] if rc is not None else []
        for k, sh in enumerate(clip.context.get("shots", ()) or ()):
            start, end = _seconds(sh.get("start")), _seconds(sh.get("end"))
            if duration and start is not None and end is not None:
                left, width = 100 * start / duration, 100 * (end - start) / duration
            else:
                left, width = None, None
            shots.append(
                {
                    "number": sh.get("number"),
                    "start": _timecode(start) if start is not None else None,
                    "end": _timecode(end) if end is not None else None,
                    "left": left,
                    "width": width,
                    "text": sh.get("action") or " ".join(sh.get("texts") or []) or "",
                    "href": sources.href(shot_spans[k]) if k < len(shot_spans) else None,
                }
            )
        refs = [
            {
                "role": r.role,
                "kind": r.kind,
                "field": r.field,
                "index": r.position,
                "name": r.name,
                "phrase": r.phrase,
                "url": r.url,
                "remote": r.url.startswith(("http://", "https://")),
                "where": _where(r.span),
                "href": sources.href(r.span),
                "label": _ref_label(r),
                "thumb": _thumb(r, outputs),
            }
            for r in clip.references
        ]
        takes: list[dict[str, Any]] = []
        for entry in rendered.get(clip.name, []):
            video = _copy_media(entry, "video", rdir, media, clip.name)
            frame = _copy_media(entry, "last_frame", rdir, media, clip.name)
            used = entry.get("credits_used")
            if isinstance(used, int) and entry.get("status") == "done":
                charged_total += used
            timings = entry.get("timings") if isinstance(entry.get("timings"), dict) else {}
            takes.append(
                {
                    "take": _take(entry),
                    "status": entry.get("status"),
                    "reason": entry.get("reason"),
                    "error": entry.get("error"),
                    "task_id": entry.get("task_id"),
                    "seed": entry.get("seed"),
                    "credits": used,
                    "render_s": timings.get("render_s") if isinstance(timings, dict) else None,
                    "video": video,
                    "frame": frame,
                }
            )
        for t in sorted(takes, key=lambda t: int(t["take"])):  # take 0 first
            if t["video"] or t["frame"]:
                outputs[clip.name] = {"video": t["video"], "last_frame": t["frame"]}
                break
        cards.append(
            {
                "name": clip.name,
                "anchor": f"clip-{clip.name}",
                "valid": clip.valid,
                "where": _where(clip.span),
                "mode": body.get("mode"),
                "tier": body.get("quality_tier"),
                "duration": duration,
                "resolution": body.get("resolution"),
                "aspect": body.get("aspect_ratio"),
                "seed": body.get("seed"),
                "estimate": estimate,
                "shots": shots,
                "prompt_where": _where(clip.source_map.get("prompt")),
                "prompt_lines": _prompt_lines(clip, resolved.get(clip.name), sources),
                "href": sources.href(clip.span),
                "references": refs,
                "depends_on": list(clip.depends_on),
                "diagnostics": by_clip.get(clip.name, []),
                "takes": takes,
                "key": cj.get("idempotency_key"),
            }
        )
    names = [c.name for c in compiled.clips]
    errors = sum(1 for d in compiled.diagnostics if d.is_error)
    context = {
        "title": compiled.title or Path(path).stem,
        "file": str(path),
        "source_hash": compiled.source_hash,
        "server": manifest.get("server") if manifest else None,
        "render_dir": str(rdir),
        "rendered_at": manifest.get("written_at") if manifest else None,
        "cards": cards,
        "general": general,
        "graph": graph_svg(names, edges),
        "edges": edges,
        "total_s": total_s,
        "total_tc": _timecode(total_s),
        "estimate": est_total,
        "charged": charged_total if manifest else None,
        "prices": table.source,
        "errors": errors,
        "live_reload": live_reload,
        "sources": sources.listing(),  # after every card: the files they link to
    }
    page = out / "index.html"
    from ..render.manifest import atomic_write_text

    try:
        atomic_write_text(page, render_page(context))
    except OSError as exc:
        raise UsageError(
            f"cannot write {page}: {exc.strerror}", help="pass a writable folder with --out"
        ) from None
    return PreviewResult(
        page=page,
        clips=len(cards),
        rendered=sum(1 for c in cards if any(t["video"] for t in c["takes"])),
        errors=errors,
        inputs=(*(Path(f) for f in compiled.sources), rdir / "manifest.json"),
    )
