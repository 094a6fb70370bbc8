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
