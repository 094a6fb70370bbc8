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
    "ApiKey": "seedance_dsl.secret",
}

# BEGIN generated from _EXPORTS by `make facades` (tools/facades.py): do not edit
if TYPE_CHECKING:
    from ..secret import ApiKey as ApiKey
    from .client import AsyncSeedanceClient as AsyncSeedanceClient
    from .client import SeedanceClient as SeedanceClient
    from .config import ClientConfig as ClientConfig
    from .config import InsecureConfigWarning as InsecureConfigWarning
    from .config import Timeouts as Timeouts
    from .config import default_config_path as default_config_path
    from .config import resolve_config as resolve_config
    from .errors import ConfigError as ConfigError
    from .errors import DeadlineExceeded as DeadlineExceeded
    from .errors import DownloadError as DownloadError
    from .errors import IdempotencyConflict as IdempotencyConflict
    from .errors import InsufficientCredits as InsufficientCredits
    from .errors import InternalError as InternalError
    from .errors import InvalidRequest as InvalidRequest
    from .errors import NotFound as NotFound
    from .errors import RateLimited as RateLimited
    from .errors import RequestTimeout as RequestTimeout
    from .errors import SeedanceError as SeedanceError
    from .errors import ServiceBusy as ServiceBusy
    from .errors import TransportError as TransportError
    from .errors import Unauthorized as Unauthorized
    from .errors import UnexpectedResponse as UnexpectedResponse
    from .policy import ClientEvent as ClientEvent
    from .policy import PollSchedule as PollSchedule
    from .policy import RetryPolicy as RetryPolicy
    from .ratelimit import RateLimiter as RateLimiter
    from .ratelimit import shared_limiter as shared_limiter

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
# END generated

__getattr__ = lazy_exports(__name__, _EXPORTS)


__dir__ = lazy_dir(globals(), _EXPORTS)
