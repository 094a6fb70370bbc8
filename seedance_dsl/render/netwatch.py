"""The network watch: how long the server has gone without a useful answer.

A render gives up (exit 3, state saved) after ``grace_s`` without any useful answer —
sooner (``first_contact_grace_s``) while the server has not answered once in this run
(a wrong base URL, a server that is not running).  The silence counts from when the
failing call was *sent*, and a call still in progress counts too (a server that keeps
a connection open without answering is silent).  Sans-IO: the clock is injected.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["NetworkWatch"]


class NetworkWatch:
    def __init__(
        self, clock: Callable[[], float], *, grace_s: float, first_contact_grace_s: float
    ) -> None:
        self._clock = clock
        self.grace_s = grace_s
        self.first_contact_grace_s = first_contact_grace_s
        self.fail_since: float | None = None
        self.answered = False  # has the server answered anything in this run?
        self.last_error = ""
        self.last_ok = float("-inf")  # when the server last gave a useful answer
        self._calls: dict[object, float] = {}  # submits/polls in progress: started at

    def grace(self) -> float:
        if self.answered:
            return self.grace_s
        return min(self.grace_s, self.first_contact_grace_s)

    def ok(self) -> None:
        """A useful answer (a refusal that is the server's decision counts too)."""
        self.fail_since = None
        self.answered = True
        self.last_ok = float(self._clock())

    def fail(self, what: str, since: float | None = None) -> bool:
        """A call got no useful answer (``what`` says how); the silence counts from
        ``since`` (when it was sent).  True when this starts an outage (say it once)."""
        self.last_error = what
        start = max(float(self._clock()) if since is None else since, self.last_ok)
        if self.fail_since is None or start < self.fail_since:
            first = self.fail_since is None
            self.fail_since = start
            return first
        return False

    def begin(self) -> object:
        """A call starts (known as in progress until :meth:`end`)."""
        token = object()
        self._calls[token] = float(self._clock())
        return token

    def end(self, token: object) -> None:
        del self._calls[token]

    def silent_since(self) -> float | None:
        """Since when the server has given no useful answer, if it is failing or a call
        to it is in progress; ``None`` while all is well."""
        starts = list(self._calls.values())
        if self.fail_since is not None:
            starts.append(self.fail_since)
        if not starts:
            return None
        return max(min(starts), self.last_ok)

    def silence_message(self, silent_s: float) -> str:
        grace = self.grace()
        env = "SEEDANCE_OUTAGE_TIMEOUT" if self.answered else "SEEDANCE_FIRST_ANSWER_TIMEOUT"
        last = self.last_error or "a request still without an answer"
        did = "refused every request" if last.startswith("HTTP ") else "did not answer"
        return (
            f"the server {did} for {grace:g} s (last: {last}; {silent_s:.1f} s without a "
            f"useful answer); check the base URL and the network, or set {env} to wait "
            "longer; state saved, run again to resume"
        )
