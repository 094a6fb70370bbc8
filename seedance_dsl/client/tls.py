"""The process's one verified TLS context, built in a thread ahead of need.

Building it reads the CA bundle (``httpx.create_ssl_context()``: certifi's, or
``$SSL_CERT_FILE``/``$SSL_CERT_DIR``), ~30 ms that OpenSSL spends without holding the
GIL.  ``seedance render`` calls :func:`prepare` as soon as its command line is parsed,
so the bundle is read while the storyboard compiles instead of before the first submit
(docs/benchmarks.md, issue 12).  :func:`context` waits for it, at most
:data:`WAIT_S`, then builds one itself: a slow thread never costs more than a build.
"""

from __future__ import annotations

import ssl
import threading

__all__ = ["WAIT_S", "context", "prepare"]

#: how long :func:`context` waits for the thread before building a context itself
WAIT_S = 5.0

_lock = threading.Lock()
_ready = threading.Event()
_started = False
_built: ssl.SSLContext | None = None


def _build() -> ssl.SSLContext:
    import httpx

    return httpx.create_ssl_context()


def _run() -> None:
    global _built
    try:
        _built = _build()
    except Exception:  # context() builds it again and raises where it is needed
        pass
    finally:
        _ready.set()


def prepare() -> None:
    """Start building the context in a daemon thread (once per process)."""
    global _started
    with _lock:
        if _started:
            return
        _started = True
    threading.Thread(target=_run, name="seedance-tls", daemon=True).start()


def context() -> ssl.SSLContext:
    """The context: the thread's when it is done within :data:`WAIT_S`, else built here.

    Raises:
        ConfigError: the CA bundle cannot be loaded (``$SSL_CERT_FILE`` or
            ``$SSL_CERT_DIR`` names a missing or unreadable file): what, which variable,
            how to fix it — not a traceback.
    """
    global _built
    prepare()
    _ready.wait(WAIT_S)
    with _lock:
        if _built is None:
            try:
                _built = _build()
            except (OSError, ssl.SSLError) as exc:
                raise _bundle_error(exc) from None
        return _built


def _bundle_error(exc: Exception) -> Exception:
    import os

    from .errors import ConfigError

    where = [f"{v}={os.environ[v]}" for v in ("SSL_CERT_FILE", "SSL_CERT_DIR") if os.environ.get(v)]
    source = ", ".join(where) if where else "certifi's bundle"
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return ConfigError(
        f"cannot load the TLS certificates ({source}): {reason}",
        help="point SSL_CERT_FILE (a PEM file) or SSL_CERT_DIR at readable CA certificates, "
        "or unset them to use certifi's bundle",
    )
