"""The API contract: the one table of allowed values, and the models of its bodies.

This layer imports nothing else of seedance-dsl and nothing network-related; the
compiler, the client and the sandbox all stand on it.  Names are loaded lazily:
``seedance_dsl.api.spec`` (the table) is cheap, the pydantic models are not (about
200 ms to build), and ``check``/``fmt`` must never pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_dir, lazy_exports

_EXPORTS = {
    "ErrorBody": "models",
    "ErrorEnvelope": "models",
    "RequestBody": "body",
    "RequestRejected": "body",
    "SubmitResponse": "body",
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

# BEGIN generated from _EXPORTS by `make facades` (tools/facades.py): do not edit
if TYPE_CHECKING:
    from .body import RequestBody as RequestBody
    from .body import RequestRejected as RequestRejected
    from .body import SubmitResponse as SubmitResponse
    from .models import ErrorBody as ErrorBody
    from .models import ErrorEnvelope as ErrorEnvelope
    from .models import Task as Task
    from .models import TaskError as TaskError
    from .models import TaskOutput as TaskOutput
    from .models import VideoRequest as VideoRequest
    from .spec import CONTRACT as CONTRACT
    from .spec import SEEDANCE2 as SEEDANCE2
    from .spec import ApiContract as ApiContract
    from .spec import ErrorCode as ErrorCode
    from .urls import url_problem as url_problem

__all__ = [
    "CONTRACT",
    "SEEDANCE2",
    "ApiContract",
    "ErrorBody",
    "ErrorCode",
    "ErrorEnvelope",
    "RequestBody",
    "RequestRejected",
    "SubmitResponse",
    "Task",
    "TaskError",
    "TaskOutput",
    "VideoRequest",
    "url_problem",
]
# END generated


__getattr__ = lazy_exports(__name__, _EXPORTS)


__dir__ = lazy_dir(globals(), _EXPORTS)
