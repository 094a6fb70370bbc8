"""``seedance trace VIDEO``: which storyboard, clip, take and task a video came from."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import UsageError
from .exit_codes import exit_help


@click.command(
    "trace",
    short_help="Show which storyboard, clips and tasks a video came from.",
    epilog=exit_help("trace"),
)
@click.argument("video", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text, or one JSON object.",
)
def trace(video: Path, fmt: str) -> None:
    """Trace VIDEO: a `seedance cut` output or a rendered clip, from its MP4 tags (or a
    clip without them from the manifest.json of its render directory). No network."""
    from ..cut.provenance import trace as trace_
    from ..errors import SeedanceDSLError

    try:
        if not video.is_file():
            raise UsageError(f"{video} is not a file", help="give the path of a video")
        info = trace_(video)
    except SeedanceDSLError as exc:
        if fmt != "json":
            raise
        click.echo(json.dumps({"error": exc.to_json()}, indent=2, ensure_ascii=False))
        raise SystemExit(exc.exit_code) from exc
    if fmt == "json":
        click.echo(json.dumps(info, indent=2, ensure_ascii=False))
        return
    lines = [f"{video}: a seedance {info['kind']}"]
    lines.append(f"  storyboard: {info.get('storyboard')} ({info.get('title')})")
    lines.append(f"  source hash: {info.get('source_hash')}")
    lines.append(f"  take: {info.get('take')}")
    if info["kind"] == "cut":
        for c in info.get("clips", []):
            lines.append(f"  clip {c.get('clip')}: task {c.get('task_id')}, {c.get('source')}")
    else:
        lines.append(f"  clip {info.get('clip')}: task {info.get('task_id')}, {info.get('source')}")
        lines.append(f"  seed: {info.get('seed')}")
    click.echo("\n".join(lines))
