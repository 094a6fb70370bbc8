"""Settings of the sandbox: keys, timing, faults, prices and the animatic renderer.

Plain frozen dataclasses (no I/O, no heavy imports): the CLI maps its flags onto
them and tests build them with :meth:`SandboxSettings.for_tests`.  Every duration is
given in *nominal* seconds and multiplied by ``time_scale`` when used
(:meth:`SandboxSettings.scaled`), so a test can shrink a 20 s render and a 60 s
rate-limit window to a fraction of a second without changing anything else.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..api.spec import CONTRACT
from ..limits import limit

__all__ = [
    "DEFAULT_KEY",
    "DEFAULT_KEY_CREDITS",
    "AnimaticSettings",
    "PriceTable",
    "SandboxSettings",
]

#: The key `seedance sandbox serve` and the fixtures create unless told otherwise.
DEFAULT_KEY = "sk_test_sandbox"
DEFAULT_KEY_CREDITS = 1_000_000


@dataclass(frozen=True, slots=True)
class AnimaticSettings:
    """How the animatic MP4 of a clip is drawn.

    The frame size follows the request's ``aspect_ratio`` and ``resolution``: the short
    side is the resolution's nominal height (720, 1080, 1080, 2160), capped at
    ``max_short_side``; ``max_long_side`` (if set) shrinks the frame further, keeping
    the aspect ratio.  Both sides are rounded to even numbers (H.264 needs them).
    The video always lasts exactly ``duration`` seconds: ``duration * fps`` frames.
    """

    #: frames per second of the MP4 (whole number; the duration stays exact).
    fps: int = 12
    #: cap on the short side in pixels (720 → a 1080p or 4k request is drawn at 720 px).
    max_short_side: int = 720
    #: optional cap on the long side (the cheap test mode uses 160).
    max_long_side: int | None = None
    #: the aspect ratio drawn for ``aspect_ratio: adaptive`` (no input to adapt to).
    adaptive_aspect: str = "16:9"
    #: threads that draw animatics (renders never run in a request handler).
    workers: int = 2
    #: x264 preset and constant rate factor.
    preset: str = "ultrafast"
    crf: int = 28

    @classmethod
    def cheap(cls) -> AnimaticSettings:
        """The mode of the test suite and benchmarks: 2 fps, 160 px on the long side."""
        return cls(fps=2, max_short_side=720, max_long_side=160, workers=2)

    def __post_init__(self) -> None:
        if self.fps < 1:
            raise ValueError("animatic fps must be at least 1")
        if self.max_short_side < 16:
            raise ValueError("animatic max_short_side must be at least 16 pixels")
        if self.max_long_side is not None and self.max_long_side < 16:
            raise ValueError("animatic max_long_side must be at least 16 pixels")
        if self.workers < 1:
            raise ValueError("animatic workers must be at least 1")
        if self.adaptive_aspect not in CONTRACT.aspect_ratios or self.adaptive_aspect == "adaptive":
            raise ValueError(f"adaptive_aspect must be a fixed ratio; got {self.adaptive_aspect!r}")


#: Nominal short side in pixels of every resolution of the contract.
RESOLUTION_SHORT_SIDE: Mapping[str, int] = MappingProxyType(
    {"720p": 720, "1080p": 1080, "1080p-plus": 1080, "4k": 2160}
)


@dataclass(frozen=True, slots=True)
class PriceTable:
    """The sandbox's own price list (an assumption: the provider publishes none).

    ``credits = ceil(per_second[tier] * duration * resolution_factor[resolution])``.
    The defaults reproduce the one documented figure (standard, 5 s, 720p → 30).
    """

    per_second: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({"mini": 3.0, "standard": 6.0, "pro": 12.0})
    )
    resolution_factor: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType(
            {"720p": 1.0, "1080p": 1.5, "1080p-plus": 2.0, "4k": 4.0}
        )
    )

    def price(self, quality_tier: str, duration_s: int, resolution: str) -> int:
        raw = self.per_second[quality_tier] * duration_s * self.resolution_factor[resolution]
        return math.ceil(raw - 1e-9)


@dataclass(frozen=True, slots=True)
class SandboxSettings:
    """Everything that shapes one sandbox server (see docs/sandbox.md)."""

    #: API key → starting credit balance; each key is its own account.
    keys: Mapping[str, int] = field(
        default_factory=lambda: {DEFAULT_KEY: DEFAULT_KEY_CREDITS}, repr=False
    )
    #: multiplies every duration: render time, rate-limit window, Retry-After, latency.
    time_scale: float = 1.0
    #: nominal seconds from submit to a finished task (before time_scale).
    render_time_s: float = 20.0
    #: ± fraction of random variation of the render time.
    render_jitter: float = 0.1
    #: requests per window per account (every authenticated request counts).
    rate_limit_requests: int = CONTRACT.rate_limit_requests
    rate_limit_window_s: float = CONTRACT.rate_limit_window_s
    #: tasks one account may have in ``processing`` at once (more → 503 service_busy).
    max_concurrent_tasks: int = 4
    #: fraction of created tasks that end ``failed`` (credits refunded).
    fail_fraction: float = 0.0
    #: fraction of POSTs answered 503 service_busy / 500 internal_error (nothing created).
    post_503_fraction: float = 0.0
    post_500_fraction: float = 0.0
    #: fraction of POSTs that create and charge the task, then close the connection
    #: without answering.
    drop_after_commit_fraction: float = 0.0
    #: nominal seconds added to every API request (after the Idempotency-Key is reserved).
    added_latency_s: float = 0.0
    #: seed of every random choice (faults, jitter, output seeds).
    seed: int = 0
    #: serve GET /_sandbox/inspect (request counts, credits, tasks per Idempotency-Key).
    inspection: bool = False
    #: nominal seconds an output URL stays valid (``None``: unsigned URLs that never
    #: expire).  Set, each ``video_url`` / ``last_frame_url`` carries ``Expires=<epoch>``
    #: and a ``Signature``; a GET after the expiry (or with a bad signature) gets ``403``.
    output_url_ttl_s: float | None = None
    #: with ``output_url_ttl_s``: each GET of a task signs its output URLs anew (a fresh
    #: expiry, as a service that re-signs on demand); ``False``: the URLs signed when the
    #: task completed, so a re-fetch of an old task returns the same expired URLs.
    output_url_resign: bool = True
    animatic: AnimaticSettings = field(default_factory=AnimaticSettings)
    prices: PriceTable = field(default_factory=PriceTable)
    #: where animatics are written; ``None`` → a temporary directory removed on stop.
    output_dir: Path | None = None
    #: largest accepted request body in bytes (a larger ``Content-Length`` is refused
    #: before the body is read; a chunked body as soon as it passes the limit).
    max_body_bytes: int = field(default_factory=lambda: int(limit("sandbox_body_bytes")))
    #: largest request line + headers in bytes (larger: ``400``).
    max_header_bytes: int = field(default_factory=lambda: int(limit("sandbox_header_bytes")))
    #: real seconds (not scaled) a connection may stay silent before its first request
    #: or between keep-alive requests; then the sandbox closes it.
    idle_timeout_s: float = field(default_factory=lambda: limit("sandbox_idle_timeout"))
    #: real seconds from the first byte of a request to the end of its headers.
    header_timeout_s: float = field(default_factory=lambda: limit("sandbox_header_timeout"))
    #: real seconds from the end of the headers to the end of the body (else ``400``).
    body_timeout_s: float = field(default_factory=lambda: limit("sandbox_body_timeout"))
    #: connections served at once; lowered further to stay below the process's
    #: file-descriptor limit (see :func:`~.connections.connection_cap`).  The next
    #: ones get ``503 service_busy`` (a few) or are closed at once (beyond those).
    max_connections: int = field(default_factory=lambda: int(limit("sandbox_max_connections")))

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("the sandbox needs at least one API key")
        for key, credits in self.keys.items():
            if not key or any(c.isspace() for c in key):
                raise ValueError("sandbox API keys must be non-empty and without spaces")
            if credits < 0:
                raise ValueError("a starting balance cannot be negative")
        if self.time_scale <= 0:
            raise ValueError("time_scale must be positive")
        for name in (
            "fail_fraction",
            "post_503_fraction",
            "post_500_fraction",
            "drop_after_commit_fraction",
            "render_jitter",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1; got {value}")
        if self.post_503_fraction + self.post_500_fraction > 1.0:
            raise ValueError("post_503_fraction + post_500_fraction must not exceed 1")
        if self.render_time_s < 0 or self.added_latency_s < 0:
            raise ValueError("render_time_s and added_latency_s cannot be negative")
        if self.rate_limit_requests < 1 or self.rate_limit_window_s <= 0:
            raise ValueError("the rate limit needs at least 1 request per positive window")
        if self.output_url_ttl_s is not None and not self.output_url_ttl_s > 0:
            raise ValueError("output_url_ttl_s must be positive (or None: no expiry)")
        if self.max_concurrent_tasks < 1:
            raise ValueError("max_concurrent_tasks must be at least 1")
        for name in ("max_body_bytes", "max_header_bytes", "max_connections"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        for name in ("idle_timeout_s", "header_timeout_s", "body_timeout_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")

    @property
    def api_key(self) -> str:
        """The first key (the one to print and to use by default)."""
        return next(iter(self.keys))

    def scaled(self, seconds: float) -> float:
        """Real seconds of a nominal duration."""
        return seconds * self.time_scale

    def replace(self, **changes: Any) -> SandboxSettings:
        return replace(self, **changes)

    @classmethod
    def for_tests(cls, **overrides: Any) -> SandboxSettings:
        """Fast settings for test suites: time × 0.01, cheap animatics, inspection on.

        A 20 s render takes 0.2 s, the 60 s rate-limit window 0.6 s.
        """
        base: dict[str, Any] = {
            "time_scale": 0.01,
            "inspection": True,
            "animatic": AnimaticSettings.cheap(),
        }
        base.update(overrides)
        return cls(**base)
