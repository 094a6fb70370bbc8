"""A clip's lifecycle as data: its phases, the events that move it, and one table.

Every change of a clip's status in a render goes through :func:`step`: the table says
which phases an event may leave, the phase it enters, and the state the clip's record
in the state database takes with it (``None``: the record is not written).  An event
from a phase the table does not list is a bug and raises :class:`IllegalTransition`
(never a silent skip), so the two state machines — the clip's status in this run and
its record's state across runs — cannot drift apart.  Sans-IO: no clock, no database.

Record states (:mod:`.state`): ``intent`` (written before the submit is sent),
``submitted`` (the server accepted it: a task id), ``completed`` (the task rendered:
its output URLs), ``done`` (the files are downloaded), ``failed`` (the task failed, or
is gone), ``rejected`` (the server refused the submit: nothing was charged).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "TERMINAL_PHASES",
    "TRANSITIONS",
    "Event",
    "IllegalTransition",
    "Phase",
    "RecordState",
    "Transition",
    "step",
]


class Phase(StrEnum):
    """A clip's status in this run (the ``ClipStatus`` strings of :mod:`.events`)."""

    WAITING = "waiting"
    READY = "ready"
    SUBMITTING = "submitting"
    RENDERING = "rendering"
    DOWNLOADING = "downloading"
    DONE = "done"
    REUSED = "reused"
    FAILED = "failed"
    SKIPPED = "skipped"
    OVER_BUDGET = "over_budget"
    NO_CREDITS = "no_credits"
    INTERRUPTED = "interrupted"
    STUCK = "stuck"


class RecordState(StrEnum):
    """The state of a clip's record in the state database."""

    INTENT = "intent"
    SUBMITTED = "submitted"
    COMPLETED = "completed"
    DONE = "done"
    FAILED = "failed"
    REJECTED = "rejected"


class Event(StrEnum):
    """What happened to a clip (an action's outcome, or a decision of the scheduler)."""

    # preparation: the inputs exist, the request is resolved
    SKIP = "skip"  # an input clip did not render
    INVALID = "invalid"  # the resolved request breaks an API rule
    INPUT_EXPIRED = "input_expired"  # an earlier clip's output URL expired, not renewable
    REUSE = "reuse"  # rendered and downloaded before: the files are in place
    REFETCH = "refetch"  # rendered before: fetch the files again
    RERENDER = "rerender"  # an earlier in-process sandbox's outputs are gone: again
    RESUME = "resume"  # a task of an earlier run is in flight: poll it
    RESEND = "resend"  # an earlier submit got no answer: re-send, same key
    NEW = "new"  # to be submitted
    # dispatch
    DISPATCH = "dispatch"  # the submit starts
    OVER_BUDGET = "over_budget"  # --max-credits would be exceeded
    NO_CREDITS = "no_credits"  # not submitted: the server said 402 before
    # the submit's answer
    ACCEPTED = "accepted"
    REFUSED = "refused"  # 400, 404, a final 409, an unexpected answer
    CREDITS_EXHAUSTED = "credits_exhausted"  # 402
    BUSY = "busy"  # 503: back to ready, fewer in flight
    RETRY_LATER = "retry_later"  # no answer, 409 still running, 401 (the run stops)
    GIVE_UP = "give_up"  # the server keeps answering 409 for this key
    # polls
    COMPLETED = "completed"
    TASK_FAILED = "task_failed"
    NO_OUTPUT = "no_output"  # completed without a video URL
    GONE = "gone"  # 404 twice
    LOST = "lost"  # 404 once: the server may have lost it; submit again, same key
    STUCK = "stuck"  # still processing past the ceiling
    # downloads
    DOWNLOADED = "downloaded"
    REFETCHED = "refetched"
    DOWNLOAD_FAILED = "download_failed"
    # the run stops
    INTERRUPT = "interrupt"


TERMINAL_PHASES: frozenset[Phase] = frozenset(
    {
        Phase.DONE,
        Phase.REUSED,
        Phase.FAILED,
        Phase.SKIPPED,
        Phase.OVER_BUDGET,
        Phase.NO_CREDITS,
        Phase.INTERRUPTED,
        Phase.STUCK,
    }
)


@dataclass(frozen=True, slots=True)
class Transition:
    sources: frozenset[Phase]
    target: Phase
    #: the record state written with this transition (``None``: the record is untouched)
    record: RecordState | None = None


def _t(
    sources: Phase | frozenset[Phase], target: Phase, record: RecordState | None = None
) -> Transition:
    return Transition(
        sources if isinstance(sources, frozenset) else frozenset({sources}), target, record
    )


P, R = Phase, RecordState

#: the one table of a clip's lifecycle
TRANSITIONS: dict[Event, Transition] = {
    Event.SKIP: _t(P.WAITING, P.SKIPPED),
    Event.INVALID: _t(P.WAITING, P.FAILED),
    Event.INPUT_EXPIRED: _t(P.WAITING, P.FAILED),
    Event.REUSE: _t(P.WAITING, P.REUSED),
    Event.REFETCH: _t(P.WAITING, P.DOWNLOADING),
    Event.RERENDER: _t(P.WAITING, P.READY, R.INTENT),
    Event.RESUME: _t(P.WAITING, P.RENDERING),
    Event.RESEND: _t(P.WAITING, P.READY),
    Event.NEW: _t(P.WAITING, P.READY),
    Event.DISPATCH: _t(P.READY, P.SUBMITTING),
    Event.OVER_BUDGET: _t(P.READY, P.OVER_BUDGET),
    Event.NO_CREDITS: _t(P.READY, P.NO_CREDITS),
    Event.ACCEPTED: _t(P.SUBMITTING, P.RENDERING, R.SUBMITTED),
    Event.REFUSED: _t(P.SUBMITTING, P.FAILED, R.REJECTED),
    Event.CREDITS_EXHAUSTED: _t(P.SUBMITTING, P.NO_CREDITS, R.REJECTED),
    Event.BUSY: _t(P.SUBMITTING, P.READY),
    Event.RETRY_LATER: _t(P.SUBMITTING, P.READY),
    Event.GIVE_UP: _t(P.SUBMITTING, P.FAILED),
    Event.COMPLETED: _t(P.RENDERING, P.DOWNLOADING, R.COMPLETED),
    Event.TASK_FAILED: _t(P.RENDERING, P.FAILED, R.FAILED),
    Event.NO_OUTPUT: _t(P.RENDERING, P.FAILED),
    Event.GONE: _t(P.RENDERING, P.FAILED, R.FAILED),
    Event.LOST: _t(P.RENDERING, P.READY, R.INTENT),
    Event.STUCK: _t(P.RENDERING, P.STUCK),
    Event.DOWNLOADED: _t(P.DOWNLOADING, P.DONE, R.DONE),
    Event.REFETCHED: _t(P.DOWNLOADING, P.REUSED, R.DONE),
    Event.DOWNLOAD_FAILED: _t(P.DOWNLOADING, P.FAILED),
    Event.INTERRUPT: _t(frozenset(set(Phase) - TERMINAL_PHASES), P.INTERRUPTED),
}


class IllegalTransition(RuntimeError):
    """An event from a phase the lifecycle table does not allow (a bug, not a user's or
    a server's mistake)."""


def step(phase: str, event: Event) -> Transition:
    """The transition ``event`` makes from ``phase`` (raises :class:`IllegalTransition`)."""
    t = TRANSITIONS[event]
    if phase not in t.sources:
        allowed = ", ".join(sorted(t.sources))
        raise IllegalTransition(f"{event} from {phase}: allowed only from {allowed}")
    return t
