"""The API contract: the one table of allowed values, and the models of its bodies.

This layer imports nothing else of seedance-dsl and nothing network-related; the
compiler, the client and the sandbox all stand on it.  Names are loaded lazily:
``seedance_dsl.api.spec`` (the table) is cheap, the pydantic models are not (about
200 ms to build), and ``check``/``fmt`` must never pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_dir, lazy_exports

if TYPE_CHECKING:
    from .models import (
        ErrorBody,
        ErrorEnvelope,
        SubmitResponse,
        Task,
        TaskError,
        TaskOutput,
        VideoRequest,
    )
    from .spec import CONTRACT, SEEDANCE2, ApiContract, ErrorCode
    from .urls import url_problem

_EXPORTS = {
    "ErrorBody": "models",
    "ErrorEnvelope": "models",
    "SubmitResponse": "models",
    "Task": "models",
    "TaskError": "models",
    "TaskOutput": "models",
    "VideoRequest": "models",
    "CONTRACT": "spec",
    "SEEDANCE2": "spec",
    "ApiContract": "spec",
    "ErrorCode": "spec",
    "url_problem": "urls",
}


__getattr__ = lazy_exports(__name__, _EXPORTS)


__all__ = [
    "CONTRACT",
    "SEEDANCE2",
    "ApiContract",
    "ErrorBody",
    "ErrorCode",
    "ErrorEnvelope",
    "SubmitResponse",
    "Task",
    "TaskError",
    "TaskOutput",
    "VideoRequest",
    "url_problem",
]

__dir__ = lazy_dir(globals(), __all__)
