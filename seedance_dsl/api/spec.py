"""The one table of the Seedance 2 API contract.

Every endpoint path, allowed value, range and default that the compiler, the client
and the sandbox use comes from here (``../shared/spec/api.md``).  The provider's
paths and allowed values drift between versions of its docs, so nothing else in the
code base spells them as literals: read them off :data:`SEEDANCE2`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """One documented error code and the HTTP status that carries it."""

    code: str
    status: int
    meaning: str


@dataclass(frozen=True, slots=True)
class ApiContract:
    """One version of the provider's contract."""

    name: str
    default_base_url: str
    submit_path: str
    task_path: str  # contains "{id}"
    task_id_prefix: str
    model: str

    modes: tuple[str, ...]
    quality_tiers: tuple[str, ...]
    channels: tuple[str, ...]
    aspect_ratios: tuple[str, ...]
    resolutions: tuple[str, ...]
    pro_only_resolutions: tuple[str, ...]
    pro_tier: str

    duration_min: int
    duration_max: int
    prompt_min_chars: int
    prompt_max_chars: int
    media_urls_max: int
    seed_min: int
    seed_max: int
    seed_unsupported_channels: tuple[str, ...]
    seed_unsupported_tiers: tuple[str, ...]

    #: Server-side defaults of every optional field (what the provider assumes when omitted).
    defaults: Mapping[str, object]
    #: Fields a client must never send (llms.txt).
    forbidden_fields: tuple[str, ...]
    #: URL schemes rejected outright (llms.txt: ``asset://``).
    forbidden_url_schemes: tuple[str, ...]

    rate_limit_requests: int
    rate_limit_window_s: float

    errors: tuple[ErrorCode, ...]
    task_statuses: tuple[str, ...]
    terminal_statuses: tuple[str, ...]

    #: The only price the provider documents: (tier, duration s, resolution) -> credits.
    documented_prices: Mapping[tuple[str, int, str], int] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def task_url_path(self, task_id: str) -> str:
        return self.task_path.format(id=task_id)

    def error_status(self, code: str) -> int:
        for e in self.errors:
            if e.code == code:
                return e.status
        raise KeyError(code)

    def error_code_for_status(self, status: int) -> str | None:
        for e in self.errors:
            if e.status == status:
                return e.code
        return None


SEEDANCE2: Final = ApiContract(
    name="seedance2",
    default_base_url="https://seedance2ai.io",
    submit_path="/api/v1/video/seedance2",
    task_path="/api/v1/tasks/{id}",
    task_id_prefix="sd2_",
    model="seedance2",
    modes=("text-to-video", "image-to-video", "media-to-video"),
    quality_tiers=("mini", "standard", "pro"),
    channels=("standard", "real", "wild"),
    aspect_ratios=("1:1", "21:9", "4:3", "3:4", "16:9", "9:16", "adaptive"),
    resolutions=("720p", "1080p", "1080p-plus", "4k"),
    pro_only_resolutions=("1080p-plus", "4k"),
    pro_tier="pro",
    duration_min=4,
    duration_max=15,
    prompt_min_chars=3,
    prompt_max_chars=10_000,
    media_urls_max=12,
    seed_min=-1,
    seed_max=4_294_967_295,
    seed_unsupported_channels=("real",),
    seed_unsupported_tiers=("mini",),
    defaults=MappingProxyType(
        {
            "mode": "text-to-video",
            "quality_tier": "standard",
            "channel": "standard",
            "aspect_ratio": "16:9",
            "duration": "5",
            "resolution": "720p",
            "generate_audio": True,
            "fixed_lens": False,
        }
    ),
    forbidden_fields=("teamSlug", "provider"),
    forbidden_url_schemes=("asset",),
    rate_limit_requests=30,
    rate_limit_window_s=60.0,
    errors=(
        ErrorCode("unauthorized", 401, "missing, invalid or revoked API key"),
        ErrorCode("invalid_request", 400, "bad input or unsupported field"),
        ErrorCode("insufficient_credits", 402, "not enough credits on the balance"),
        ErrorCode("rate_limited", 429, "more than 30 requests per 60 seconds per account"),
        ErrorCode(
            "idempotency_conflict",
            409,
            "same Idempotency-Key reused with a different body, or the first request is still running",
        ),
        ErrorCode("service_busy", 503, "temporary upstream or credit-concurrency issue; retry"),
        ErrorCode("not_found", 404, "task does not exist or does not belong to this key's owner"),
        ErrorCode("internal_error", 500, "unexpected server-side failure"),
    ),
    task_statuses=("processing", "completed", "failed"),
    terminal_statuses=("completed", "failed"),
    documented_prices=MappingProxyType({("standard", 5, "720p"): 30}),
)

#: The contract this build of seedance-dsl targets.
CONTRACT: Final = SEEDANCE2
