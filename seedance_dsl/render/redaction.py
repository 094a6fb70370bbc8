"""What a render writes down of a request, and what its logs may show: never a presigned
URL's query (``X-Amz-Signature``, ``X-Amz-Credential``, ``X-Amz-Security-Token``,
``Signature``, ``GoogleAccessId``…), which is a credential for its object until it
expires.

- :func:`redact_request` / :func:`redact_request_json`: the per-clip ``request`` of the
  state database (``request_json``) and of ``manifest.json`` — the body as sent, with
  each URL field (``image_url``, ``end_image_url``, ``media_urls``) cut before its ``?``
  (and without ``user:password@``).  Nothing reads those URLs back: a request's identity
  is its ``request_hash`` / Idempotency-Key, computed from the body before it is
  recorded; the outputs the next clips need are the record's own ``video_url`` /
  ``last_frame_url``.
- :class:`~.log_filter.PresignedQueryFilter` (in :mod:`.log_filter`, which imports
  :mod:`logging`): a filter on the ``httpx`` and ``httpcore``
  loggers (installed by :func:`install_log_filter`, which ``render`` calls) that rewrites
  every record whose text holds a URL with a query — an httpx ``HTTP Request: GET
  https://…?X-Amz-Signature=…`` line, an httpcore debug line — to the URL without it.
- :func:`redact_text`: the same for a message (a failed download's error).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "install_log_filter",
    "redact_request",
    "redact_request_json",
    "redact_text",
    "strip_query",
]

_URL_FIELDS = ("image_url", "end_image_url")
_LIST_FIELDS = ("media_urls",)

#: a URL in free text: scheme, then anything up to whitespace or a quote
_URL_IN_TEXT = re.compile(r"""(?P<url>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'"<>]+)""")


def strip_query(url: str) -> str:
    """``url`` without its query and fragment (a presigned signature is a credential)
    and without ``user:password@``; marked ``?…`` when a query was cut."""
    from ..assets.model import redact_url

    return redact_url(url)


def redact_request(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A request body with every URL field cut before its query."""
    out = dict(payload)
    for name in _URL_FIELDS:
        value = out.get(name)
        if isinstance(value, str):
            out[name] = strip_query(value)
    for name in _LIST_FIELDS:
        value = out.get(name)
        if isinstance(value, list):
            out[name] = [strip_query(v) if isinstance(v, str) else v for v in value]
    return out


def redact_request_json(text: str) -> str:
    """:func:`redact_request` of a canonical JSON body (the same canonical form)."""
    from ..compiler.model import canonical_json

    body = json.loads(text)
    if not isinstance(body, dict):
        return text
    return canonical_json(redact_request(body))


def redact_text(text: str) -> str:
    """``text`` with each URL cut before its query (which may be a signature: no query
    is told apart from a credential) and without ``user:password@``."""
    if "://" not in text:
        return text

    def cut(m: re.Match[str]) -> str:
        url = m.group("url")
        core = url.rstrip(".,;:)]")  # the sentence's punctuation, not the URL's
        return strip_query(core) + url[len(core) :]

    return _URL_IN_TEXT.sub(cut, text)


def install_log_filter() -> None:
    """Put :class:`~seedance_dsl.render.log_filter.PresignedQueryFilter` on the httpx and
    httpcore loggers (once).  (:mod:`logging` is imported only here: ``plan`` and
    ``check`` never load it.)"""
    from .log_filter import install

    install()
