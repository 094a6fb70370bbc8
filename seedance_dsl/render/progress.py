"""Progress people can read: a live view on a terminal, plain lines, or JSON lines.

* :class:`LiveProgress` (a terminal): a rich live table, one line per clip (waiting,
  submitting, rendering with elapsed and expected time, downloading, done, failed,
  skipped), overall progress and credits; at the end a summary table and the paths of
  the videos.
* :class:`PlainProgress` (not a terminal): one line per event.
* :class:`JsonProgress` (``--format json``): one JSON object per line per event, then
  the summary object.
* :class:`QuietProgress` (``seedance -q render``): no progress, no warnings; at the end
  the clips that did not render (stderr) and the one-line result (stdout).

``seedance -v render`` adds a line for every request, retry and poll of the client
(:meth:`Progress.client_event`, :func:`client_event_text`) to the live and the plain
views; JSON lines are the same at every verbosity.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import IO, TYPE_CHECKING, Any

from .events import TERMINAL, UNFINISHED, RenderEvent, RenderSummary

if TYPE_CHECKING:
    from ..client.policy import ClientEvent

__all__ = [
    "JsonProgress",
    "LiveProgress",
    "PlainProgress",
    "Progress",
    "QuietProgress",
    "client_event_text",
    "make_progress",
]

_QUIET_KINDS = frozenset({"polled", "ready"})
#: events whose message becomes the detail of the clip's row in the live table
_DETAIL_KINDS = frozenset(
    {
        "failed",
        "skipped",
        "over_budget",
        "no_credits",
        "busy",
        "stuck",
        "interrupted",
        "completed",
        "input_renewed",
        "outputs_renewed",
    }
)


def rel(path: str | None) -> str:
    """``path`` relative to the working directory when it is below it."""
    if not path:
        return ""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
    except ValueError:
        return path


class Progress:
    """Receives events (``__call__``) and the final summary (:meth:`finish`)."""

    def start(self) -> None:
        """Called before the first event."""

    def __call__(self, event: RenderEvent) -> None:
        raise NotImplementedError

    def finish(self, summary: RenderSummary) -> None:
        raise NotImplementedError

    def error(self, payload: dict[str, Any], text: str) -> None:
        """An error that ends the command before or instead of a summary."""
        print(text, file=sys.stderr)

    def close(self) -> None:
        """Stop any live display (idempotent)."""

    def client_event(self, event: ClientEvent) -> None:
        """A request, retry or poll of the client (shown at ``-v`` only)."""


def _without_query(url: str) -> str:
    """A path or URL without its query and fragment (a signed download URL's token)."""
    return url.split("?", 1)[0].split("#", 1)[0]


_WAITS = {
    "retry": "retrying",
    "rate_limited": "HTTP 429 rate limited",
    "service_busy": "HTTP 503 busy",
    "conflict_wait": "HTTP 409 still running",
}


def client_event_text(event: ClientEvent) -> str:
    """One line for one client event: ``http: POST /path -> HTTP 202 (attempt 1, ...)``.

    Built from the method, path, status, codes and waits only: never a header, so never
    the API key; a URL loses its query string."""
    where = f"{event.method} {_without_query(event.path)}"
    k = event.kind
    if k == "request":
        answer = f"HTTP {event.status}" if event.status is not None else f"no answer ({event.code})"
        tail = f", request {event.request_id}" if event.request_id else ""
        return f"http: {where} -> {answer} (attempt {event.attempt}{tail})"
    if k == "poll":
        return f"http: poll {where}: {event.detail} (poll {event.attempt})"
    if k == "download_resume":
        return f"http: {where}: download resumes at byte {event.detail}"
    what = _WAITS.get(k, k)
    why = ", ".join(str(x) for x in (event.code, event.detail) if x)
    wait = f"next attempt in {event.wait_s:.1f} s" if event.wait_s is not None else "giving up"
    return f"http: {where}: {what}" + (f" ({why})" if why else "") + f", {wait}"


class JsonProgress(Progress):
    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stdout

    def _write(self, obj: dict[str, Any]) -> None:
        self.stream.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
        self.stream.flush()

    def __call__(self, event: RenderEvent) -> None:
        self._write(event.to_json())

    def finish(self, summary: RenderSummary) -> None:
        self._write(summary.to_json())

    def error(self, payload: dict[str, Any], text: str) -> None:
        self._write({"event": "error", **payload})


def _describe(event: RenderEvent) -> str:
    d = event.data
    k = event.kind
    if k == "start":
        return f"{event.message} -> {rel(d.get('out_dir'))} (server {d.get('server')})"
    if k == "submitting":
        return f"submitting (~{d.get('credits_estimate')} credits, estimate)"
    if k == "submitted":
        exp = d.get("expected_s")
        tail = f", expected {exp:.1f} s" if isinstance(exp, int | float) else ""
        return f"rendering as task {d.get('task_id')} ({d.get('credits_used')} credits{tail})"
    if k == "completed":
        return event.message
    if k == "downloading":
        return f"downloading {rel(d.get('video'))}"
    if k in ("done", "reused") and d.get("video"):
        return f"{k}: {rel(d.get('video'))}" + (f" ({event.message})" if k == "reused" else "")
    if k == "failed":
        text = event.message
        if d.get("location"):
            text = f"{d['location']}: {text}"
        return "FAILED: " + text
    return f"{k}: {event.message}" if event.message else k


def _print_warnings(event: RenderEvent) -> None:
    """The storyboard's warnings, drawn as `seedance check` draws them, on stderr."""
    text = str(event.data.get("text") or event.message)
    print(text + "\n", file=sys.stderr, flush=True)


class PlainProgress(Progress):
    """One line per event, for logs and pipes."""

    def __init__(self, stream: IO[str] | None = None, *, verbose: bool = False) -> None:
        self.stream = stream or sys.stdout
        self.verbose = verbose
        self._t0 = time.monotonic()

    def client_event(self, event: ClientEvent) -> None:
        if self.verbose:
            t = time.monotonic() - self._t0
            self.stream.write(f"[{t:7.1f}s] {client_event_text(event)}\n")
            self.stream.flush()

    def __call__(self, event: RenderEvent) -> None:
        if event.kind == "start":  # the renderer's clock: client lines on the same scale
            self._t0 = time.monotonic() - event.t
        if event.kind in _QUIET_KINDS and not self.verbose:
            return
        if event.kind == "warnings":
            _print_warnings(event)
            return
        who = f"{event.clip}: " if event.clip else ""
        self.stream.write(f"[{event.t:7.1f}s] {who}{_describe(event)}\n")
        if event.data.get("diagnostic"):
            self.stream.write(str(event.data["diagnostic"]) + "\n")
        self.stream.flush()

    def finish(self, summary: RenderSummary) -> None:
        self.stream.write(summary_text(summary))
        self.stream.flush()


def credits_text(summary: RenderSummary) -> str:
    """What this run charged (and, apart, what earlier runs charged for the tasks it
    resumed), and what was refunded."""
    text = f"{summary.credits_charged_this_run} credits charged by this run"
    if summary.credits_charged_earlier:
        text += (
            f" (and {summary.credits_charged_earlier} by earlier runs, for the tasks resumed here)"
        )
    return text + f", {summary.credits_refunded} refunded"


def totals_text(summary: RenderSummary) -> str:
    """The last line of a summary: counts, credits, requests, time (always well formed)."""
    counts = ", ".join(f"{n} {s}" for s, n in sorted(summary.counts().items()))
    if not counts:
        return f"no clips: there is nothing to render in {summary.storyboard}"
    return (
        f"{counts}; {credits_text(summary)}; "
        f"{summary.submits} submits + {summary.polls} polls, {summary.rate_limited} x 429; "
        f"{summary.wall_s:.1f} s"
    )


def outputs_text(summary: RenderSummary) -> str | None:
    """Where the videos are; ``None`` when this run left none."""
    videos = [c.video_path for c in summary.clips if c.video_path]
    if not videos:
        return None
    return f"videos in {rel(summary.out_dir)}/ (manifest: {rel(summary.manifest)})"


def summary_text(summary: RenderSummary) -> str:
    lines = [""]
    if summary.clips:
        lines.append(f"{'clip':<20} {'status':<12} {'credits':>7}  detail")
    for c in summary.clips:
        detail = rel(c.video_path) or c.reason or ""
        if c.status == "failed" and c.location:
            detail = f"{c.location}: {c.reason}"
        credits = f"{c.credits_used - c.credits_refunded}"
        lines.append(f"{c.clip:<20} {c.status:<12} {credits:>7}  {detail}")
    if summary.clips:
        lines.append("")
    lines.append(totals_text(summary))
    if summary.message:
        lines.append(summary.message)
    where = outputs_text(summary)
    if where:
        lines.append(where)
    lines.append("")
    return "\n".join(lines)


class QuietProgress(Progress):
    """``seedance -q render``: nothing while it runs; then the clips that did not render
    (with their reason and source line) on stderr and the one-line result on stdout."""

    def __init__(self, stream: IO[str] | None = None, err: IO[str] | None = None) -> None:
        self.stream = stream or sys.stdout
        self.err = err or sys.stderr

    def __call__(self, event: RenderEvent) -> None:
        return None

    def finish(self, summary: RenderSummary) -> None:
        for c in summary.clips:
            if c.status not in UNFINISHED:
                continue
            reason = f"{c.location}: {c.reason}" if c.location else c.reason
            self.err.write(f"{c.clip}: {c.status}" + (f": {reason}" if reason else "") + "\n")
            if c.diagnostic:
                self.err.write(c.diagnostic + "\n")
        if summary.message:
            self.err.write(summary.message + "\n")
        self.err.flush()
        self.stream.write(totals_text(summary) + "\n")
        self.stream.flush()


class LiveProgress(Progress):
    """A rich live table on a terminal (at ``-v`` the client's requests scroll above it)."""

    def __init__(self, *, verbose: bool = False) -> None:
        from rich.console import Console

        self.verbose = verbose
        self.console = Console()
        self.rows: dict[str, dict[str, Any]] = {}
        self.credits = 0
        self.header = ""
        self.notice = ""  # a network problem being retried, until the server answers again
        self._live: Any = None
        self._t0 = time.monotonic()
        self._events_t0 = self._t0  # the renderer's clock, once its "start" event came

    def start(self) -> None:
        from rich.live import Live

        self._live = Live(
            console=self.console,
            refresh_per_second=4,
            transient=True,
            get_renderable=self._render,  # re-drawn 4 times a second: elapsed times move
        )
        self._live.__enter__()

    def close(self) -> None:
        if self._live is not None:
            live, self._live = self._live, None
            live.__exit__(None, None, None)

    def client_event(self, event: ClientEvent) -> None:
        if self.verbose:
            from rich.text import Text

            t = time.monotonic() - self._events_t0
            self.console.print(Text(f"[{t:7.1f}s] {client_event_text(event)}", style="dim"))

    def __call__(self, event: RenderEvent) -> None:
        d = event.data
        if event.kind == "warnings":
            _print_warnings(event)  # above the live table (rich redirects stderr)
            return
        if event.kind == "network":
            self.notice = event.message
        elif event.kind in ("submitted", "resumed", "completed", "done"):
            self.notice = ""
        if event.kind == "start":
            self._events_t0 = time.monotonic() - event.t
            self.header = event.message
            for name in d.get("clips", []):
                self.rows[name] = {"status": "waiting", "detail": "", "since": None}
        if event.clip is not None:
            row = self.rows.setdefault(event.clip, {"status": "waiting", "detail": ""})
            row["status"] = event.status or row["status"]
            if event.kind == "submitted":
                row["since"] = time.monotonic()
                row["expected"] = d.get("expected_s")
                row["detail"] = f"task {d.get('task_id')}"
                self.credits += int(d.get("credits_used") or 0)
            elif event.kind == "resumed":
                row["since"] = time.monotonic()
                row["detail"] = event.message
            elif event.kind in ("done", "reused"):
                row["detail"] = rel(d.get("video")) or event.message
            elif event.kind in _DETAIL_KINDS:
                row["detail"] = event.message
        if self._live is not None:
            self._live.refresh()

    def _render(self) -> Any:
        from rich.table import Table
        from rich.text import Text

        styles = {
            "done": "green",
            "reused": "green",
            "failed": "red",
            "skipped": "yellow",
            "over_budget": "yellow",
            "no_credits": "yellow",
            "rendering": "cyan",
            "downloading": "blue",
            "submitting": "magenta",
            "interrupted": "yellow",
            "stuck": "yellow",
        }
        table = Table(title=Text(self.header or "seedance render"), expand=False)
        table.add_column("clip")
        table.add_column("status")
        table.add_column("time", justify="right")
        table.add_column("detail", overflow="fold")
        finished = 0
        for name, row in self.rows.items():
            status = row["status"]
            finished += status in TERMINAL
            t = ""
            if status == "rendering" and row.get("since") is not None:
                el = time.monotonic() - row["since"]
                exp = row.get("expected")
                t = f"{el:.1f}s" + (f" / ~{exp:.1f}s" if isinstance(exp, int | float) else "")
            # a Text, not markup: no style tag to get wrong, and a detail with [brackets]
            # in it (a server message) is shown as written
            table.add_row(
                name, Text(status, style=styles.get(status, "")), t, Text(str(row["detail"]))
            )
        table.caption = Text(
            f"{finished}/{len(self.rows)} clips finished · {self.credits} credits charged · "
            f"{time.monotonic() - self._t0:.0f}s" + (f"\n{self.notice}" if self.notice else "")
        )
        return table

    def finish(self, summary: RenderSummary) -> None:
        # Everything that comes from the storyboard, the server or the file system is
        # printed as plain Text: a reason like "media_urls[0] ..." is not rich markup.
        from rich.markup import escape
        from rich.table import Table
        from rich.text import Text

        self.close()
        if not summary.clips:
            self.console.print(totals_text(summary), markup=False, highlight=False)
            return
        table = Table(title=Text(f"seedance render: {summary.storyboard}"))
        table.add_column("clip")
        table.add_column("status")
        table.add_column("credits", justify="right")
        table.add_column("video / reason", overflow="fold")
        for c in summary.clips:
            style = "green" if c.status in ("done", "reused") else "red"
            detail = rel(c.video_path) or c.reason
            if c.status == "failed" and c.location:
                detail = f"{c.location}: {c.reason}"
            table.add_row(
                Text(c.clip),
                Text(c.status, style=style),
                str(c.credits_used - c.credits_refunded),
                Text(detail or ""),
            )
        self.console.print(table)
        self.console.print(totals_text(summary), markup=False, highlight=False)
        for c in summary.clips:
            if c.diagnostic:
                self.console.print(c.diagnostic, markup=False, highlight=False)
        if summary.message:
            self.console.print(summary.message, markup=False, highlight=False)
        if outputs_text(summary):
            self.console.print(
                f"videos in [bold]{escape(str(rel(summary.out_dir)))}/[/] "
                f"(manifest {escape(str(rel(summary.manifest)))})",
                highlight=False,
            )
        elif summary.manifest:
            self.console.print(
                f"no videos made; manifest: {rel(summary.manifest)}", markup=False, highlight=False
            )

    def error(self, payload: dict[str, Any], text: str) -> None:
        self.close()
        print(text, file=sys.stderr)


def make_progress(fmt: str, *, tty: bool | None = None, verbosity: int = 0) -> Progress:
    """The view for ``--format fmt`` at ``verbosity`` (-1 quiet, 0 normal, 1+ verbose;
    JSON does not depend on it)."""
    if fmt == "json":
        return JsonProgress()
    if verbosity < 0:
        return QuietProgress()
    if tty is None:
        tty = sys.stdout.isatty()
    verbose = verbosity > 0
    return LiveProgress(verbose=verbose) if tty else PlainProgress(verbose=verbose)
