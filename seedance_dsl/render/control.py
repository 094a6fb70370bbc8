"""The scheduler's sans-IO core: how many tasks in flight, what credits are committed,
and which request goes next.  No clock of its own, no network, no database: the
runner (:mod:`.runner`) feeds it the time and applies what it decides, and the tests
drive it with a fake clock (tests/render/test_scheduler_core.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from .lifecycle import Phase

__all__ = [
    "SLOW_START",
    "ConcurrencyController",
    "CreditLedger",
    "Decision",
    "Refuse",
    "Schedulable",
    "Start",
    "Wait",
    "next_action",
]

#: tasks submitted at once before the server has accepted any
SLOW_START = 4


class ConcurrencyController:
    """The number of tasks kept in flight (the only place that changes it).

    Slow start: as many submits at once as this server accepted before (at least
    :data:`SLOW_START`), one more per accepted submit until the first 503.  A ``503``
    lowers it to what the server accepted; each task rendered from its own submit
    raises it by ``1/limit`` (additive increase), never above ``ceiling``
    (``--concurrency``).  The ``on_*`` methods return a new "accepted in flight"
    figure to remember for the next run, or ``None``.
    """

    def __init__(self, ceiling: int, learned: float = 0.0) -> None:
        self.ceiling = max(1, ceiling)
        self.cap = float(min(self.ceiling, max(SLOW_START, int(learned))))
        self.slow_start = True
        self.accepted_max = int(learned)

    @property
    def limit(self) -> int:
        """Tasks that may be in flight now."""
        return int(self.cap)

    def on_accepted(self, in_flight: int) -> int | None:
        """A submit was accepted; ``in_flight`` counts it."""
        if self.slow_start:
            self.cap = min(float(self.ceiling), self.cap + 1.0)
        if in_flight > self.accepted_max:
            self.accepted_max = in_flight
            return in_flight
        return None

    def on_busy(self, others: int) -> int | None:
        """A submit got 503 while ``others`` other tasks were in flight."""
        self.cap = float(max(1, min(int(self.cap), others)))
        self.slow_start = False
        if 1 <= others < self.accepted_max:
            # the server's limit is lower than we believed: start lower next time
            self.accepted_max = others
            return others
        return None

    def on_rendered(self) -> None:
        """A task rendered from this run's own submit: additive increase."""
        self.cap = min(float(self.ceiling), self.cap + 1.0 / self.cap)


class CreditLedger:
    """Credits charged by this run's submits and reserved by submits not answered yet
    (the only place that counts them); ``max_credits`` is ``--max-credits``."""

    def __init__(self, max_credits: int | None = None) -> None:
        self.max_credits = max_credits
        self.spent = 0
        self._reserved: dict[str, int] = {}

    @property
    def reserved(self) -> int:
        return sum(self._reserved.values())

    def reserve(self, clip: str, estimate: int) -> None:
        self._reserved[clip] = estimate

    def release(self, clip: str) -> None:
        self._reserved.pop(clip, None)

    def charge(self, credits: int) -> None:
        self.spent += credits

    def settle(self, final: int, charged: int) -> None:
        """The task's final ``credits_used`` replaces what its submit said."""
        self.spent += final - charged

    def refund(self, credits: int) -> None:
        self.spent -= credits

    def admits(self, estimate: int) -> bool:
        if self.max_credits is None:
            return True
        return self.spent + self.reserved + estimate <= self.max_credits

    def committed_text(self) -> str:
        spent, reserved = self.spent, self.reserved
        text = f"{spent + reserved} committed so far"
        if reserved:
            text += f": {spent} charged + ~{reserved} in submits not answered yet"
        return text


class Schedulable(Protocol):
    """What :func:`next_action` reads of a clip."""

    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def next_poll_at(self) -> float: ...
    @property
    def retry_at(self) -> float: ...
    @property
    def estimate(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Start:
    """Send this request now: ``kind`` is ``"poll"`` or ``"submit"``."""

    kind: str
    clip: Schedulable


@dataclass(frozen=True, slots=True)
class Refuse:
    """Do not submit ``clip``: ``phase`` is ``over_budget`` or ``no_credits``."""

    clip: Schedulable
    phase: Phase


@dataclass(frozen=True, slots=True)
class Wait:
    """Nothing is due: sleep this long (``inf``: until something happens)."""

    seconds: float


Decision = Start | Refuse | Wait


def next_action(
    clips: Iterable[Schedulable],
    now: float,
    *,
    cap: int,
    ledger: CreditLedger,
    stopping: bool = False,
    credits_stopped: bool = False,
) -> Decision:
    """The next request: a poll that is due (the oldest first; polls free slots and
    unblock dependent clips), else the submit of a ready clip within the cap and the
    credit budget, else how long until something is due.  A ready clip that may never
    be submitted is a :class:`Refuse` (apply it and ask again)."""
    clips = list(clips)
    wake = float("inf")
    due: Schedulable | None = None
    for c in clips:
        if c.status == Phase.RENDERING:
            if c.next_poll_at <= now and (due is None or c.next_poll_at < due.next_poll_at):
                due = c
            wake = min(wake, c.next_poll_at)
    if due is not None:
        return Start("poll", due)
    if stopping:
        return Wait(wake - now)
    in_flight = sum(1 for c in clips if c.status in (Phase.SUBMITTING, Phase.RENDERING))
    for c in clips:
        if c.status != Phase.READY:
            continue
        if credits_stopped:
            return Refuse(c, Phase.NO_CREDITS)
        if c.retry_at > now:
            wake = min(wake, c.retry_at)
            continue
        if in_flight >= cap:
            break
        if not ledger.admits(c.estimate):
            return Refuse(c, Phase.OVER_BUDGET)
        return Start("submit", c)
    return Wait(wake - now)
