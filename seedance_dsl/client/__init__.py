"""The Seedance API client: typed, retrying, idempotent, rate-limit aware, never leaking
the key.  See ``docs/client.md``.

::

    from seedance_dsl.client import SeedanceClient
    from seedance_dsl.api import VideoRequest

    with SeedanceClient() as client:            # key from SEEDANCE_API_KEY or the config file
        sub = client.submit(VideoRequest(prompt="A glass train on a snowy bridge"),
                            idempotency_key="glass-train-take-1")
        task = client.wait(sub.id, deadline_s=900)
        client.download(task.output.video_url, Path("glass-train.mp4"))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_dir, lazy_exports

if TYPE_CHECKING:
    from .client import AsyncSeedanceClient, SeedanceClient
    from .config import (
        ClientConfig,
        InsecureConfigWarning,
        Timeouts,
        default_config_path,
        resolve_config,
    )
    from .errors import (
        ConfigError,
        DeadlineExceeded,
        DownloadError,
        IdempotencyConflict,
        InsufficientCredits,
        InternalError,
        InvalidRequest,
        NotFound,
        RateLimited,
        RequestTimeout,
        SeedanceError,
        ServiceBusy,
        TransportError,
        Unauthorized,
        UnexpectedResponse,
    )
    from .policy import ClientEvent, PollSchedule, RetryPolicy
    from .ratelimit import RateLimiter, shared_limiter
    from .secret import ApiKey

# Names load lazily: the renderer's `plan` and `status` use the limiter and the error
# classes without paying for httpx and the pydantic models (~250 ms).
_EXPORTS = {
    "AsyncSeedanceClient": "client",
    "SeedanceClient": "client",
    "ClientConfig": "config",
    "InsecureConfigWarning": "config",
    "Timeouts": "config",
    "default_config_path": "config",
    "resolve_config": "config",
    "ConfigError": "errors",
    "DeadlineExceeded": "errors",
    "DownloadError": "errors",
    "IdempotencyConflict": "errors",
    "InsufficientCredits": "errors",
    "InternalError": "errors",
    "InvalidRequest": "errors",
    "NotFound": "errors",
    "RateLimited": "errors",
    "RequestTimeout": "errors",
    "SeedanceError": "errors",
    "ServiceBusy": "errors",
    "TransportError": "errors",
    "Unauthorized": "errors",
    "UnexpectedResponse": "errors",
    "ClientEvent": "policy",
    "PollSchedule": "policy",
    "RetryPolicy": "policy",
    "RateLimiter": "ratelimit",
    "shared_limiter": "ratelimit",
    "ApiKey": "secret",
}

__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "ApiKey",
    "AsyncSeedanceClient",
    "ClientConfig",
    "ClientEvent",
    "ConfigError",
    "DeadlineExceeded",
    "DownloadError",
    "IdempotencyConflict",
    "InsecureConfigWarning",
    "InsufficientCredits",
    "InternalError",
    "InvalidRequest",
    "NotFound",
    "PollSchedule",
    "RateLimited",
    "RateLimiter",
    "RequestTimeout",
    "RetryPolicy",
    "SeedanceClient",
    "SeedanceError",
    "ServiceBusy",
    "Timeouts",
    "TransportError",
    "Unauthorized",
    "UnexpectedResponse",
    "default_config_path",
    "resolve_config",
    "shared_limiter",
]

__dir__ = lazy_dir(globals(), __all__)
