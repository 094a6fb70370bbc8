"""Real assets: local reference files, their upload to a store, and a preflight of URLs.

Two layers in one package (docs/assets.md):

- :mod:`.local` (with :mod:`.model`) is on the language side, beside ``syntax``: it
  reads a local file the storyboard names and decodes its header (Pillow, PyAV, both
  imported lazily).  ``check`` may import it; it loads no network code.
- :mod:`.store` (boto3) and :mod:`.online` (httpx) are network code, on the level of
  ``client``: only ``render`` and the CLI import them.

Nothing here imports the checker, the compiler, the renderer or the sandbox.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_dir, lazy_exports

if TYPE_CHECKING:
    from .local import inspect_local
    from .model import AssetProblem, ImageInfo, LocalAsset, VideoInfo
    from .online import ProbeOK, ProbeTarget, preflight, preflight_sync
    from .store import S3Store, StoreConfig, StoreError, Upload, store_config

_EXPORTS = {
    "AssetProblem": "model",
    "ImageInfo": "model",
    "LocalAsset": "model",
    "VideoInfo": "model",
    "inspect_local": "local",
    "ProbeOK": "online",
    "ProbeTarget": "online",
    "preflight": "online",
    "preflight_sync": "online",
    "S3Store": "store",
    "StoreConfig": "store",
    "StoreError": "store",
    "Upload": "store",
    "store_config": "store",
}

__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "AssetProblem",
    "ImageInfo",
    "LocalAsset",
    "ProbeOK",
    "ProbeTarget",
    "S3Store",
    "StoreConfig",
    "StoreError",
    "Upload",
    "VideoInfo",
    "inspect_local",
    "preflight",
    "preflight_sync",
    "store_config",
]

__dir__ = lazy_dir(globals(), __all__)
