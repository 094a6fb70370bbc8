"""The API contract: the one table of allowed values, and the models of its bodies.

This layer imports nothing else of seedance-dsl and nothing network-related; the
compiler, the client and the sandbox all stand on it.
"""

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
