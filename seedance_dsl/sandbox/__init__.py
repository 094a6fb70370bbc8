"""The sandbox: a local Seedance-compatible server that renders animatics.

``SandboxSettings`` and ``AnimaticSettings`` import cheaply; the server pieces
(``start_sandbox``, ``Sandbox``, ``create_app``) load starlette and uvicorn on first
use.  The sandbox shares only :mod:`seedance_dsl.api` (the contract) with the rest of
seedance-dsl, never the client's code.  See docs/sandbox.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_dir, lazy_exports

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

# BEGIN generated from _EXPORTS by `make facades` (tools/facades.py): do not edit
if TYPE_CHECKING:
    from .app import SandboxApp as SandboxApp
    from .app import create_app as create_app
    from .server import Sandbox as Sandbox
    from .server import SandboxStartError as SandboxStartError
    from .server import start_sandbox as start_sandbox
    from .settings import DEFAULT_KEY as DEFAULT_KEY
    from .settings import AnimaticSettings as AnimaticSettings
    from .settings import PriceTable as PriceTable
    from .settings import SandboxSettings as SandboxSettings

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
# END generated


__getattr__ = lazy_exports(__name__, _EXPORTS)


__dir__ = lazy_dir(globals(), _EXPORTS)
