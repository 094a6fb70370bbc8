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

# BEGIN generated from _EXPORTS by `make facades` (tools/facades.py): do not edit
if TYPE_CHECKING:
    from .local import inspect_local as inspect_local
    from .model import AssetProblem as AssetProblem
    from .model import ImageInfo as ImageInfo
    from .model import LocalAsset as LocalAsset
    from .model import VideoInfo as VideoInfo
    from .online import ProbeOK as ProbeOK
    from .online import ProbeTarget as ProbeTarget
    from .online import preflight as preflight
    from .online import preflight_sync as preflight_sync
    from .store import S3Store as S3Store
    from .store import StoreConfig as StoreConfig
    from .store import StoreError as StoreError
    from .store import Upload as Upload
    from .store import store_config as store_config

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
# END generated


__getattr__ = lazy_exports(__name__, _EXPORTS)

__dir__ = lazy_dir(globals(), __all__)
