"""The :mod:`logging` filter that keeps a presigned URL's query out of the httpx and
httpcore log records (:func:`.redaction.install_log_filter` installs it; a module of its
own so that importing :mod:`.redaction`, as ``plan`` does, does not load logging)."""

from __future__ import annotations

import logging

from .redaction import redact_text

__all__ = ["LOGGERS", "PresignedQueryFilter", "install"]


class PresignedQueryFilter(logging.Filter):
    """Rewrites a log record whose message holds a presigned URL's query (it never drops
    a record: the line stays, without the credential)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not format: leave it to logging
            return True
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


#: the loggers whose records hold request URLs (httpx: INFO ``HTTP Request: …``;
#: httpcore: DEBUG ``send_request_headers`` / connection lines)
LOGGERS = (
    "seedance_dsl.client",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
_FILTER = PresignedQueryFilter()


def install() -> None:
    """Put :class:`PresignedQueryFilter` on the httpx and httpcore loggers (once)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
