"""The URL rule of the contract: public https only.

``image_url``, ``end_image_url`` and ``media_urls`` must be public https URLs: no
plain http, no ``localhost``, no private, loopback or link-local IP literals, no
``asset://``.  One exception exists and is opt-in: a local sandbox serves its own
outputs over plain http on loopback, and chaining clips against it must work, so a
caller may pass ``allow_loopback_http=True``.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from .spec import CONTRACT


def _is_loopback_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: str, *, allow_loopback_http: bool = False) -> str | None:
    """Say why ``url`` is not acceptable to the API, or return ``None`` if it is.

    The answer is a short phrase that completes "the URL ... is not allowed: <phrase>".
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return "it is not a well-formed URL"
    scheme = parts.scheme.lower()
    if scheme in CONTRACT.forbidden_url_schemes:
        return f"`{scheme}://` URLs are in-app ids that the API rejects; use a public https URL"
    if allow_loopback_http and scheme in ("http", "https") and _is_loopback_host(host):
        return None
    if scheme != "https":
        if scheme == "http":
            return "plain http is not accepted; the API needs a public https URL"
        return "the API needs a public https URL" + (f", not a `{scheme}:` URL" if scheme else "")
    if not host:
        return "it has no host name"
    if host == "localhost" or host.endswith(".localhost"):
        return "`localhost` is not reachable by the provider; use a public https URL"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if "." not in host:
            return f"`{host}` is not a public host name"
        return None
    if ip.is_loopback:
        return f"{host} is a loopback address, not reachable by the provider"
    if ip.is_link_local:
        return f"{host} is a link-local address, not reachable by the provider"
    if ip.is_private or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
        return f"{host} is a private or reserved address, not reachable by the provider"
    return None
