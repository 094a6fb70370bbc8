"""What the renderer expects of a task's render time, per kind of clip.

A kind is (quality tier, resolution, duration).  The expectation comes from the render
times the state database learned on this server (:mod:`.polling` turns it into poll
times); a kind never rendered borrows the server's other renders, with a wider spread.
``floor`` is the longest a task of the kind has been seen processing in this run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..api.spec import CONTRACT
from .polling import Expectation, expectation_from
from .state import StateDB

__all__ = ["ExpKey", "RenderTimes", "kind_of"]

ExpKey = tuple[str, str, int]


def kind_of(payload: Mapping[str, Any]) -> ExpKey:
    """The kind of a request: (quality tier, resolution, duration in seconds)."""
    d = CONTRACT.defaults
    tier = str(payload.get("quality_tier") or d["quality_tier"])
    res = str(payload.get("resolution") or d["resolution"])
    try:
        dur = int(str(payload.get("duration") or d["duration"]))
    except ValueError:
        dur = 0
    return (tier, res, dur)


class RenderTimes:
    def __init__(self, db: StateDB, server: str) -> None:
        self._db = db
        self._server = server
        self._cache: dict[ExpKey, Expectation] = {}
        self._floor: dict[ExpKey, float] = {}

    def expectation(self, key: ExpKey) -> Expectation:
        exp = self._cache.get(key)
        if exp is None:
            samples = [s for *_, s in self._db.render_times(self._server, *key, limit=20)]
            if not samples:
                samples = [s for *_, s in self._db.render_times(self._server, limit=20)]
                exp = expectation_from(samples)
                if exp.expected_s is not None:
                    # another kind of clip: a wider spread
                    exp = Expectation(
                        exp.expected_s, max(exp.spread_s, 0.25 * exp.expected_s), exp.samples
                    )
            else:
                exp = expectation_from(samples)
            self._cache[key] = exp
        return exp

    def learn(self, key: ExpKey, render_s: float) -> None:
        """A render timed from its own first submit teaches the estimate."""
        self._db.add_render_time(self._server, *key, render_s)
        self._cache.pop(key, None)

    def floor(self, key: ExpKey) -> float:
        return self._floor.get(key, 0.0)

    def seen_processing(self, key: ExpKey, elapsed: float) -> None:
        self._floor[key] = max(self._floor.get(key, 0.0), elapsed)
