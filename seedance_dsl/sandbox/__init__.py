"""The sandbox: a local Seedance-compatible server that renders animatics.

``SandboxSettings`` and ``AnimaticSettings`` import cheaply; the server pieces
(``start_sandbox``, ``Sandbox``, ``create_app``) load starlette and uvicorn on first
use.  The sandbox shares only :mod:`seedance_dsl.api` (the contract) with the rest of
seedance-dsl, never the client's code.  See docs/sandbox.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_dir, lazy_exports

if TYPE_CHECKING:
    from .app import SandboxApp, create_app
    from .server import Sandbox, SandboxStartError, start_sandbox
    from .settings import DEFAULT_KEY, AnimaticSettings, PriceTable, SandboxSettings

_EXPORTS = {
    "AnimaticSettings": "settings",
    "DEFAULT_KEY": "settings",
    "PriceTable": "settings",
    "SandboxSettings": "settings",
    "SandboxApp": "app",
    "create_app": "app",
    "Sandbox": "server",
    "SandboxStartError": "server",
    "start_sandbox": "server",
}


__getattr__ = lazy_exports(__name__, _EXPORTS)


__all__ = [
    "DEFAULT_KEY",
    "AnimaticSettings",
    "PriceTable",
    "Sandbox",
    "SandboxApp",
    "SandboxSettings",
    "SandboxStartError",
    "create_app",
    "start_sandbox",
]

__dir__ = lazy_dir(globals(), __all__)
