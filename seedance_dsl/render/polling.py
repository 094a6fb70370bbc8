"""When to poll a task: pure logic, no clock of its own (times are seconds after submit).

The aim is to notice a completed task promptly while spending as few requests as
possible: the account's rate limit counts polls and submits alike.

* **Known render time** (learned from earlier renders against the same server, stored
  in the state database): the first poll goes out at the expected time plus 0.75
  spreads, when the task is most likely done; then polls follow every
  ``step_fraction`` (4 %) of the expected time, so a completion is noticed within
  about 2 % of the render time on average; once the task is well overdue (expected + 3
  spreads) the interval grows geometrically (the server is slow today).  With render
  times spread +-10 %, this costs about 1.25 polls per clip and notices completion a
  median 5 % of the render time late (simulated; docs/benchmarks.md has measurements).
  The run's *tail* (its last clips in flight, with requests to spare: the renderer
  decides) is polled first at expected - ``tail_first_spreads`` (1) spreads and then
  every ``tail_step_fraction`` (2 %) instead, so the clip that ends the run is noticed
  within a step of completing.
* **Unknown render time** (first render against a server, a *cold* run): one clip per
  kind (tier x resolution x duration) is the *probe*: it is polled from a tenth of
  ``typical_render_s`` (:data:`TYPICAL_RENDER_S`, the hosted service's typical render
  time, scaled like every other time for a sandbox) on, each interval ``probe_growth``
  (20 %) of the time elapsed, so its completion is noticed at most 20 % late; the
  other clips of the kind are not polled at all until the probe has completed and its
  render time (from the server's ``updated_at``) is known, then they follow the known
  schedule — or, when the window cannot afford two polls for each of them, one poll
  at expected + ``scarce_first_spreads`` (2) spreads that finds them done.  The
  request budget is spent on one clip per kind, not on every clip.
  Clips without a probe (a resumed run) poll at ``first_poll_s``, then each interval a
  fraction of the elapsed time (geometric), capped at ``max_interval_s``.  A clip of the
  same kind still processing at ``t`` seconds in this run moves every similar clip's
  next poll past ``t`` (``floor``).

:func:`measure_render_time` turns what was observed into a sample for the next time.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

__all__ = [
    "TYPICAL_RENDER_S",
    "Expectation",
    "PollPolicy",
    "expectation_from",
    "measure_render_time",
]


@dataclass(frozen=True, slots=True)
class Expectation:
    """What is known about a task's render time (seconds), from ``samples`` renders."""

    expected_s: float | None
    spread_s: float
    samples: int

    @property
    def known(self) -> bool:
        return self.expected_s is not None


UNKNOWN = Expectation(None, 0.0, 0)

#: A typical render time of the hosted service (seconds from submit to a completed 5 s
#: clip at the default tier and resolution; docs/rendering.md).  Only where a cold
#: run's probe starts polling: its own render time replaces it at once.
TYPICAL_RENDER_S = 90.0


def expectation_from(samples: Sequence[float], *, min_spread: float = 0.03) -> Expectation:
    """Median and a robust spread (IQR/1.35, at least ``min_spread`` of the median).

    With one or two samples the spread is taken as 10 % of the median.
    """
    values = sorted(s for s in samples if s > 0)
    if not values:
        return UNKNOWN
    med = statistics.median(values)
    if len(values) < 3:
        spread = 0.10 * med
    else:
        q = statistics.quantiles(values, n=4, method="inclusive")
        spread = (q[2] - q[0]) / 1.35
    return Expectation(med, max(spread, min_spread * med), len(values))


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """Tunable poll schedule (all in seconds; ``*_fraction`` of the expected render time)."""

    #: Never poll a task more often than this.
    min_interval_s: float = 0.5
    #: Never wait longer than this between two polls of one task.
    max_interval_s: float = 30.0
    #: Unknown render time: the first poll, and the geometric growth of the intervals.
    first_poll_s: float = 2.0
    growth: float = 0.5
    #: Known render time: first poll at expected + ``first_spread`` spreads ...
    first_spread: float = 0.75
    #: ... then one poll every ``step_fraction`` of the expected time ...
    step_fraction: float = 0.04
    #: ... until expected + ``overdue_spreads`` spreads, then geometric back-off.
    overdue_spreads: float = 3.0
    #: The run's tail (its last clips in flight, with requests to spare in the window):
    #: one poll every ``tail_step_fraction`` of the expected time (at least
    #: ``min_interval_s``): the clip that ends the run is noticed sooner.
    tail_step_fraction: float = 0.02
    #: ... and a tail clip's first poll goes out at expected - ``tail_first_spreads``
    #: spreads: polling it from before it is likely done, it is noticed a step after
    #: it completes, not at a first poll well past most completions.
    tail_first_spreads: float = 1.0
    #: Clips released by a cold run's probe when the window cannot afford a second poll
    #: for each of them: their one poll goes out at expected + ``scarce_first_spreads``
    #: spreads.  The render time then rests on one or two samples (the spread taken as
    #: 10 % of it) while renders jitter by +-10 %: polled at +0.75 spreads, the clips
    #: slower than a fast probe were still processing and their second polls waited
    #: for the next window (12 clips, fake clock: 10 runs of 60 at 2.8x the slowest
    #: render; at 2 spreads none, the median 1.04x -> 1.11x; docs/benchmarks.md).
    scarce_first_spreads: float = 2.0
    #: Cold run: the probe's first poll at ``probe_start`` x ``typical_render_s`` ...
    typical_render_s: float = TYPICAL_RENDER_S
    probe_start: float = 0.1
    #: ... then each interval this fraction of the time elapsed (noticed <= 20 % late).
    probe_growth: float = 0.2

    def scaled(self, factor: float) -> PollPolicy:
        """The same policy for a server whose clock runs ``1/factor`` times as fast: the
        durations scale, the fractions and spreads do not."""
        return replace(
            self,
            min_interval_s=self.min_interval_s * factor,
            max_interval_s=self.max_interval_s * factor,
            first_poll_s=self.first_poll_s * factor,
            typical_render_s=self.typical_render_s * factor,
        )

    def probe_first_poll(self) -> float:
        """Cold run: seconds after the submit at which to poll a kind's probe first."""
        return max(self.min_interval_s, self.probe_start * self.typical_render_s)

    def probe_next_poll(self, elapsed: float) -> float:
        """Cold run: the probe's next poll, the last one (at ``elapsed``) having found it
        still processing."""
        step = min(self.max_interval_s, max(self.min_interval_s, self.probe_growth * elapsed))
        return elapsed + step

    def first_poll(
        self, exp: Expectation, floor: float = 0.0, *, tail: bool = False, scarce: bool = False
    ) -> float:
        """Seconds after the submit at which to poll a new task first (``tail``: one of
        the run's last, with requests to spare: from before it is likely done;
        ``scarce``: one poll must do, see :attr:`scarce_first_spreads`)."""
        if exp.expected_s is None:
            first = self.first_poll_s
            if floor > 0:
                first = max(first, floor + self._unknown_step(floor))
            return first
        lead = -self.tail_first_spreads if tail else self.first_spread
        if scarce and not tail:
            lead = self.scarce_first_spreads
        return max(exp.expected_s + lead * exp.spread_s, floor, self.min_interval_s)

    def next_poll(
        self, exp: Expectation, elapsed: float, floor: float = 0.0, *, tail: bool = False
    ) -> float:
        """Seconds after the submit for the next poll, the last one (at ``elapsed``) having
        found the task still processing; ``tail``: the task is one of the run's last and
        the budget has room, so the steps are ``tail_step_fraction`` of the expected time."""
        if exp.expected_s is None:
            base = max(elapsed, floor)
            return base + self._unknown_step(base)
        e = exp.expected_s
        fraction = self.tail_step_fraction if tail else self.step_fraction
        step = max(self.min_interval_s, fraction * e)
        overdue_at = e + self.overdue_spreads * exp.spread_s
        if elapsed + step > overdue_at:
            late = max(elapsed - overdue_at, 0.0)
            step = max(step, self.growth * late)
        step = min(step, max(self.max_interval_s, self.min_interval_s))
        return max(elapsed + step, floor)

    def _unknown_step(self, elapsed: float) -> float:
        return min(self.max_interval_s, max(self.min_interval_s, self.growth * elapsed))


def _parse_ts(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def measure_render_time(
    *,
    lower_s: float,
    upper_s: float,
    created_at: str | None = None,
    updated_at: str | None = None,
) -> float:
    """The render time of one task, from what was observed.

    ``lower_s``: the task was still processing this long after the submit was answered
    (0 if it was never seen processing); ``upper_s``: it was seen completed this long
    after the submit was sent.  The server's own ``created_at``/``updated_at`` are used
    when they fall inside these bounds (they are exact); otherwise the value is clamped
    into the bounds, and without server times the midpoint is taken (the upper bound
    alone would push the next estimate later with every render).
    """
    upper_s = max(upper_s, lower_s)
    created, updated = _parse_ts(created_at), _parse_ts(updated_at)
    if created is not None and updated is not None and updated >= created:
        return min(max(updated - created, lower_s), upper_s)
    if lower_s > 0:
        return (lower_s + upper_s) / 2
    return upper_s * 0.9
