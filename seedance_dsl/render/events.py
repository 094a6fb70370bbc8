"""What a render reports: events, per-clip results and the final summary.

The renderer calls one ``on_event(RenderEvent)`` callback; :mod:`.progress` turns the
events into a live view, plain lines or JSON lines.  Nothing here holds an API key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ..syntax.diagnostics import Diagnostic

__all__ = [
    "EXIT_BUDGET",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_STORYBOARD",
    "EXIT_USAGE",
    "ClipResult",
    "ClipStatus",
    "EventSink",
    "RenderEvent",
    "RenderSummary",
    "diagnostics_json",
]

#: Exit codes of ``seedance render`` (docs/rendering.md).
EXIT_OK = 0  # every clip rendered (or reused)
EXIT_FAILED = 1  # some clips failed or are stuck (the others are rendered)
EXIT_STORYBOARD = 1  # the storyboard has errors (as in `check`): nothing was submitted
EXIT_USAGE = 2  # usage, configuration or state errors: nothing was submitted
EXIT_INTERRUPTED = 3  # Ctrl-C / SIGTERM / lost connection: state saved, re-run resumes
EXIT_BUDGET = 4  # --max-credits reached or the server said insufficient_credits (402)

#: waiting: needs another clip; ready: may be submitted; submitting; rendering;
#: downloading; done (rendered now); reused (rendered before); failed (task failed or
#: the server refused the request); skipped (an input clip did not render);
#: over_budget (refused by --max-credits); no_credits (not submitted after a 402);
#: interrupted (the run stopped first); stuck (its task stayed processing past the
#: ceiling: kept, the next run polls it again).
ClipStatus = Literal[
    "waiting",
    "ready",
    "submitting",
    "rendering",
    "downloading",
    "done",
    "reused",
    "failed",
    "skipped",
    "over_budget",
    "no_credits",
    "interrupted",
    "stuck",
]

#: the statuses that end a clip with a video (done, reused) or without one (the rest)
TERMINAL: frozenset[str] = frozenset(
    {"done", "reused", "failed", "skipped", "over_budget", "no_credits", "interrupted", "stuck"}
)
#: terminal without a video: a clip that needs this one's output is skipped
UNFINISHED: frozenset[str] = TERMINAL - {"done", "reused"}


@dataclass(frozen=True, slots=True)
class RenderEvent:
    """One thing that happened.  ``t``: seconds since the render started."""

    kind: str
    t: float
    clip: str | None = None
    status: ClipStatus | None = None
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"event": self.kind, "t": round(self.t, 3)}
        if self.clip is not None:
            out["clip"] = self.clip
        if self.status is not None:
            out["status"] = self.status
        if self.message:
            out["message"] = self.message
        out.update(self.data)
        return out


EventSink = Callable[[RenderEvent], None]


@dataclass(slots=True)
class ClipResult:
    clip: str
    status: ClipStatus
    reason: str = ""
    task_id: str | None = None
    credits_used: int = 0
    credits_refunded: int = 0
    credits_estimate: int = 0
    video_path: str | None = None
    frame_path: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    location: str | None = None  # file:line:col of the .shot source of a refused field
    diagnostic: str | None = None  # the refusal drawn at that source line
    render_s: float | None = None
    requests: int = 0
    #: ``credits_used`` was charged by an earlier run (this run resumed its task)
    charged_earlier: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "clip": self.clip,
            "status": self.status,
            "reason": self.reason,
            "task_id": self.task_id,
            "credits_used": self.credits_used,
            "credits_refunded": self.credits_refunded,
            "video": self.video_path,
            "last_frame": self.frame_path,
            "error": (
                {"code": self.error_code, "message": self.error_message}
                if self.error_code or self.error_message
                else None
            ),
            "location": self.location,
            "diagnostic": self.diagnostic,
            "render_s": None if self.render_s is None else round(self.render_s, 3),
            "requests": self.requests,
            "charged_by_earlier_run": self.charged_earlier,
        }


@dataclass(slots=True)
class RenderSummary:
    storyboard: str
    server: str
    out_dir: str | None
    manifest: str | None
    clips: list[ClipResult]
    wall_s: float
    submits: int = 0
    polls: int = 0
    rate_limited: int = 0  # 429 answers received
    busy: int = 0  # 503 answers received
    interrupted: bool = False
    budget_stopped: bool = False
    credits_stopped: bool = False
    usage_error: bool = False  # e.g. the server refused the API key: nothing can proceed
    message: str = ""
    #: the storyboard's warnings, as `seedance check --format json` writes them
    diagnostics: list[dict[str, Any]] = field(default_factory=list)

    @property
    def credits_used(self) -> int:
        return sum(c.credits_used for c in self.clips)

    @property
    def credits_refunded(self) -> int:
        return sum(c.credits_refunded for c in self.clips)

    @property
    def credits_charged_this_run(self) -> int:
        """Credits charged for tasks this run submitted (a resumed task was paid before)."""
        return sum(c.credits_used for c in self.clips if not c.charged_earlier)

    @property
    def credits_charged_earlier(self) -> int:
        """Credits earlier runs were charged for the tasks this run resumed."""
        return sum(c.credits_used for c in self.clips if c.charged_earlier)

    @property
    def exit_code(self) -> int:
        if self.usage_error:
            return EXIT_USAGE
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.budget_stopped or self.credits_stopped:
            return EXIT_BUDGET
        if any(c.status not in ("done", "reused") for c in self.clips):
            return EXIT_FAILED
        return EXIT_OK

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.clips:
            out[c.status] = out.get(c.status, 0) + 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "event": "summary",
            "storyboard": self.storyboard,
            "server": self.server,
            "exit_code": self.exit_code,
            "ok": self.exit_code == EXIT_OK,
            "message": self.message,
            "counts": self.counts(),
            "credits_used": self.credits_used,
            "credits_charged_this_run": self.credits_charged_this_run,
            "credits_charged_earlier_runs": self.credits_charged_earlier,
            "credits_refunded": self.credits_refunded,
            "requests": {
                "submits": self.submits,
                "polls": self.polls,
                "rate_limited_429": self.rate_limited,
                "busy_503": self.busy,
            },
            "wall_s": round(self.wall_s, 3),
            "out_dir": self.out_dir,
            "manifest": self.manifest,
            "clips": [c.to_json() for c in self.clips],
            "diagnostics": self.diagnostics,
        }


def diagnostics_json(diagnostics: Sequence[Diagnostic]) -> list[dict[str, Any]]:
    """Diagnostics as ``seedance check --format json`` writes them."""
    from ..syntax.report import diagnostic_json

    return [diagnostic_json(d) for d in diagnostics]
