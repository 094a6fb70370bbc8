"""``seedance cut``: one MP4 of a storyboard's rendered clips, in storyboard order.

Reads the render's ``manifest.json`` (``renders/<storyboard>/``, or ``.../sandbox/``
with ``--sandbox``, or ``--renders DIR``), joins the clips by stream copy when their
streams match (no re-encode) and by re-encoding otherwise, and optionally writes the
sequence as an OpenTimelineIO timeline.  Never writes over a clip's video, nor over a
file that is not an earlier cut (docs/cut.md).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

from ..cut.provenance import CUT_COMMENT_PREFIX
from ..errors import UsageError
from .exit_codes import exit_help


@click.command(
    "cut",
    short_help="Join the rendered clips into one video (and an editing timeline).",
    epilog=exit_help("cut"),
)
@click.argument("file", type=click.Path(path_type=str))
@click.option(
    "--take",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Which take of every clip to use.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    help="The video to write. Default: final.mp4 in the render directory.",
)
@click.option(
    "--sandbox", is_flag=True, help="Cut the --sandbox renders (renders/<storyboard>/sandbox/)."
)
@click.option(
    "--renders",
    "renders",
    type=click.Path(path_type=Path),
    default=None,
    help="The render directory (what `render --out` was). Default: "
    "renders/<storyboard>[/sandbox]/.",
)
@click.option(
    "--timeline",
    "timeline",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write the sequence as an OpenTimelineIO timeline (.otio, .otioz).",
)
@click.option("--reencode", is_flag=True, help="Re-encode even when stream copy is possible.")
@click.option(
    "--gaps",
    is_flag=True,
    help="A clip not rendered yet becomes a slate of its length (re-encodes) instead of an error.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, or one JSON object (also when the cut fails).",
)
def cut(
    file: str,
    take: int,
    out: Path | None,
    sandbox: bool,
    renders: Path | None,
    timeline: Path | None,
    reencode: bool,
    gaps: bool,
    fmt: str,
) -> None:
    """Join the rendered clips of FILE into one MP4, in storyboard order: by stream
    copy when every clip's codec, size, pixel format and frame rate match (frames
    untouched), by re-encoding (H.264/AAC) otherwise."""
    from ..errors import SeedanceDSLError

    if fmt != "json":
        _cut(file, take, out, sandbox, renders, timeline, reencode, gaps, fmt)
        return
    try:
        report = _cut(file, take, out, sandbox, renders, timeline, reencode, gaps, fmt)
    except SeedanceDSLError as exc:
        click.echo(json.dumps(_error_json(file, exc), indent=2, ensure_ascii=False))
        raise SystemExit(exc.exit_code) from None
    except KeyboardInterrupt:
        from .exit_codes import EXIT_INTERRUPTED

        error = {"kind": "interrupted", "message": "interrupted", "help": "run it again"}
        doc = {"tool": "seedance cut", "ok": False, "exit_code": EXIT_INTERRUPTED, "error": error}
        click.echo(json.dumps(doc, indent=2))
        raise SystemExit(EXIT_INTERRUPTED) from None
    click.echo(json.dumps(report, indent=2, ensure_ascii=False))


def _error_json(file: str, exc: Any) -> dict[str, Any]:
    """The JSON of a cut that failed: the file envelope of check/compile/render for a
    storyboard that cannot be read, else ``error`` = the error's kind, message, help
    (plus ``clip`` for a clip not rendered, ``diagnostics`` for a storyboard with
    errors)."""
    from ..cut.assemble import ClipNotRendered
    from ..render.commands import StoryboardFileError

    doc: dict[str, Any] = {"tool": "seedance cut", "ok": False, "exit_code": exc.exit_code}
    if isinstance(exc, StoryboardFileError):
        from ._common import file_error_json

        return doc | file_error_json("cut", exc.file, exc.diagnostic)
    error = exc.to_json()
    if isinstance(exc, ClipNotRendered):
        error["clip"] = exc.clip
    doc["error"] = error
    return doc


def _load(file: str) -> Any:
    """The compiled storyboard; one with errors is :class:`CompileFailed` saying that
    no video was written (exit 1), an unreadable file a usage error (exit 2)."""
    from ..render.commands import CompileFailed, load_storyboard

    try:
        return load_storyboard(file)
    except CompileFailed as exc:
        errors = sum(1 for d in exc.diagnostics if d.is_error)
        exc.message = f"{file} has {errors} error(s); nothing was cut (no video written)"
        exc.cli_help = f"run `seedance check {file}` for details, fix them, then cut again"
        raise


def _cut(
    file: str,
    take: int,
    out: Path | None,
    sandbox: bool,
    renders: Path | None,
    timeline: Path | None,
    reencode: bool,
    gaps: bool,
    fmt: str,
) -> dict[str, Any]:
    from ..render.identity import default_out_dir, server_namespace

    t0 = time.perf_counter()
    sb = _load(file)  # exit 2 for an unreadable file, 1 for a storyboard with errors
    server = server_namespace(sandbox=sandbox)
    rdir = renders if renders is not None else default_out_dir(file, server)
    manifest = _read_manifest(rdir / "manifest.json")
    if manifest and isinstance(manifest.get("server"), str):
        server = manifest["server"]
    from ..cut.assemble import cut_edits, plan_inputs

    flags = " --sandbox" if sandbox else ""
    flags += f" --out {renders}" if renders is not None else ""

    def command(clip: str) -> str:
        t = f" --take {take}" if take else ""
        return f"seedance render {file} --clip {clip}{t}{flags}"

    edits = _cut_block(sb, cut_edits)  # the storyboard's `cut { ... }` block, if any
    order = [e.clip for e in edits] if edits is not None else [c.name for c in sb.clips]
    inputs = plan_inputs(
        order,
        manifest,
        take=take,
        command=command,
        sources={c.name: str(c.span) for c in sb.clips},
        shots={c.name: _shots(c.context) for c in sb.clips},
        lookup=_db_lookup(file, server, sb),
        gaps={c.name: _seconds(c.payload.get("duration")) for c in sb.clips} if gaps else None,
        edits={e.clip: e for e in edits} if edits is not None else None,
    )
    from ..cut.assemble import ClipNotRendered

    for inp in inputs:
        if inp.gap_s is None and not Path(inp.path).is_file():
            exc = ClipNotRendered(inp.clip, inp.source, command(inp.clip))
            exc.message = f"the video of clip {inp.clip!r} ({inp.path}) is missing"
            raise exc
    if timeline is not None:
        from ..cut.timeline import check_timeline_format

        check_timeline_format(timeline)  # before any video is written
    suffix = f".take{take}" if take else ""
    dest = out if out is not None else rdir / f"final{suffix}.mp4"
    _check_dest(dest, inputs, manifest)

    from ..cut import media
    from ..cut.assemble import copy_blocker, edited

    probed = {n: media.probe(i.path) for n, i in enumerate(inputs) if i.gap_s is None}
    like = next(iter(probed.values()))
    infos = [
        edited(probed[n] if i.gap_s is None else media.slate_info(i.clip, i.gap_s, like), i)
        for n, i in enumerate(inputs)
    ]
    blocker = "--reencode" if reencode else copy_blocker(infos)
    tags = _tags(sb, inputs, take)
    if blocker is None:
        media.join_copy([i.path for i in inputs], dest, tags=tags)
        how = "stream copy"
    else:
        media.join_reencode(infos, dest, tags=tags)
        how = f"re-encoding ({blocker})"
    if timeline is not None:
        from ..cut.timeline import write_timeline

        write_timeline(timeline, sb.title, inputs, infos)
    total = sum(i.frames / float(i.rate) for i in infos if i.rate)
    total -= sum(i.fade_s or 0 for i in infos[1:])  # a crossfade overlaps two clips
    from ._common import verbosity

    elapsed = time.perf_counter() - t0
    if fmt != "json" and verbosity() >= 0:
        click.echo(f"cut {len(inputs)} clip(s), {total:.2f} s, by {how} in {elapsed:.2f} s: {dest}")
        if timeline is not None:
            click.echo(f"timeline: {timeline}")
    return {
        "tool": "seedance cut",
        "ok": True,
        "exit_code": 0,
        "storyboard": sb.path,
        "out": str(dest),
        "timeline": str(timeline) if timeline is not None else None,
        "method": "copy" if blocker is None else "reencode",
        "reencode_reason": blocker,
        "duration_s": round(total, 6),
        "elapsed_s": round(elapsed, 3),
        "take": take,
        "clips": [
            {
                "clip": i.clip,
                "path": i.path or None,
                "task_id": i.task_id,
                "source": i.source,
                "gap_s": i.gap_s,
                "trim": list(i.trim) if i.trim is not None else None,
                "fade_s": i.fade_s,
            }
            for i in inputs
        ],
    }


def _cut_block(sb: Any, cut_edits: Any) -> Any:
    """The entries of the storyboard's (checked) ``cut`` block, or None without one."""
    from ..syntax.parser import parse_text

    text = sb.sources.get(sb.path)
    if text is None:
        return None
    tree, _ = parse_text(text, sb.path)
    return cut_edits(tree) if tree is not None else None


def _seconds(value: object) -> float:
    try:
        return float(str(value))
    except ValueError:
        return 5.0  # the API's default duration


def _read_manifest(path: Path) -> dict[str, Any] | None:
    from ..render.manifest_file import read_manifest

    return read_manifest(path)


def _db_lookup(file: str, server: str, sb: Any) -> Any:
    """``(clip, take) -> {"path", "seed", "task_id"}`` from the state database (read
    only), or ``None`` when there is no database."""
    from ..render.identity import storyboard_id
    from ..render.state import StateDB

    if not StateDB.exists_for(file):
        return None
    sid = storyboard_id(sb)

    def lookup(clip: str, take: int) -> dict[str, Any] | None:
        with StateDB.for_storyboard(file, readonly=True) as db:
            rec = db.latest_done(server, sid, clip, take)
        if rec is None or not rec.video_path:
            return None
        return {"path": rec.video_path, "seed": rec.seed, "task_id": rec.task_id}

    return lookup


def _shots(context: Any) -> tuple[tuple[float, float, str], ...]:
    shots: list[tuple[float, float, str]] = []
    for s in (context or {}).get("shots", []) or []:
        try:
            start, end = float(s["start"]), float(s["end"])
        except (KeyError, TypeError, ValueError):
            continue
        words = [str(s[k]) for k in ("subject", "action", "scene", "camera") if s.get(k)]
        shots.append((start, end, "; ".join(words)))
    return tuple(shots)


def _check_dest(dest: Path, inputs: Any, manifest: dict[str, Any] | None) -> None:
    """Refuse to write over a clip's video (or last frame) or a file that is not a cut."""
    taken = {Path(i.path).resolve() for i in inputs}
    for e in (manifest or {}).get("clips", []) or []:
        for f in ((e or {}).get("files") or {}).values():
            if isinstance(f, dict) and isinstance(f.get("path"), str):
                taken.add(Path(f["path"]).resolve())
    if dest.resolve() in taken:
        raise UsageError(
            f"--out {dest} is a rendered clip's file: a cut never writes over a render",
            help="give the cut another name (--out final.mp4)",
        )
    if dest.exists():
        from ..cut.media import read_tags

        if dest.is_dir() or not read_tags(dest).get("comment", "").startswith(CUT_COMMENT_PREFIX):
            raise UsageError(
                f"{dest} exists and is not an earlier cut, so it is left alone",
                help="choose another --out, or move that file away",
            )


def _tags(sb: Any, inputs: Any, take: int) -> dict[str, str]:
    """The cut's provenance, in the MP4's comment and description tags."""
    doc = {
        "storyboard": sb.path,
        "title": sb.title,
        "source_hash": sb.source_hash,
        "take": take,
        "clips": [
            {"clip": i.clip, "task_id": i.task_id, "source": i.source}
            | ({"gap_s": i.gap_s} if i.gap_s is not None else {})
            for i in inputs
        ],
    }
    from ..provenance import provenance_tags

    return provenance_tags(
        f"{CUT_COMMENT_PREFIX} of {Path(sb.path).name} (take {take})", doc, sb.title
    )
