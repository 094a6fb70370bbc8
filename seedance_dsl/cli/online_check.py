"""``seedance check --online``: probe every remote asset URL of the checked storyboards
(:func:`seedance_dsl.assets.online.preflight_sync`: bounded concurrency, one timeout
per probe) and report each problem at the asset's URL (``SHOT270``..``SHOT276``)."""

from __future__ import annotations

from dataclasses import replace

from ..check import CheckResult
from ..syntax.diagnostics import Diagnostic
from ..syntax.nodes import Span

__all__ = ["ONLINE_CODES", "online_diagnostics", "with_online"]

#: ``AssetProblem.reason`` of a remote URL -> its diagnostic code.
ONLINE_CODES = {
    "unreachable": "SHOT270",
    "timeout": "SHOT271",
    "http_status": "SHOT272",
    "wrong_type": "SHOT273",
    "no_range": "SHOT274",
    "too_large": "SHOT275",
    "not_allowed": "SHOT276",
    "unreadable": "SHOT276",
}


def online_diagnostics(result: CheckResult, *, allow_loopback: bool = False) -> list[Diagnostic]:
    """The problems of the remote asset URLs of ``result`` (none when it has no model)."""
    sb = result.storyboard
    if sb is None:
        return []
    from ..assets.model import AssetProblem
    from ..assets.online import ProbeOK, ProbeTarget, preflight_sync
    from ..render.redaction import install_log_filter

    install_log_filter()  # a probed presigned URL's query never reaches the log

    inline = [a for m in sb.cast.values() for a in m.refs]  # a member's `ref "https://..."`
    every = {a.name: a for a in [*sb.assets.values(), *inline]}
    remote = [a for a in every.values() if not a.is_local and a.url.strip()]
    if not remote:
        return []
    spans: dict[str, Span] = {a.name: a.decl.url.span for a in remote}
    targets = [ProbeTarget(a.name, a.kind, a.url) for a in remote]
    out: list[Diagnostic] = []
    for got in preflight_sync(targets, allow_loopback=allow_loopback):
        problems = list(got.warnings) if isinstance(got, ProbeOK) else [got]
        for p in problems:
            assert isinstance(p, AssetProblem)
            code = ONLINE_CODES.get(p.reason, "SHOT270")
            out.append(Diagnostic(code, p.severity, p.message, spans.get(p.name), help=p.help))
    return out


def with_online(result: CheckResult, *, allow_loopback: bool = False) -> CheckResult:
    """``result`` with the online diagnostics added, in source order."""
    extra = online_diagnostics(result, allow_loopback=allow_loopback)
    if not extra:
        return result
    diags = sorted(
        [*result.diagnostics, *extra],
        key=lambda d: (d.span.file, d.span.start_pos) if d.span else ("", -1),
    )
    return replace(result, diagnostics=tuple(diags))
