"""The sandbox: a local Seedance-compatible server that renders animatics.

``SandboxSettings`` and ``AnimaticSettings`` import cheaply; the server pieces
(``start_sandbox``, ``Sandbox``, ``create_app``) load starlette and uvicorn on first
use.  The sandbox shares only :mod:`seedance_dsl.api` (the contract) with the rest of
seedance-dsl, never the client's code.  See docs/sandbox.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


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
