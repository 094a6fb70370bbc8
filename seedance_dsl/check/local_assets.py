"""Local assets in ``check``: ``asset hero image "refs/hero.png"`` names a file, not a URL.

:func:`check_local_asset` runs :func:`seedance_dsl.assets.local.inspect_local` on the
file (relative to the directory of the declaring ``.shot`` file, confined to the
project roots the resolver already uses) and turns an
:class:`~seedance_dsl.assets.model.AssetProblem` into a diagnostic at the asset's path
(codes ``SHOT260``..``SHOT266``, one per ``reason``).  The asset it returns carries
the :class:`~seedance_dsl.assets.model.LocalAsset` (absolute path, size, sha256) the
compiler and the upload step use.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace

from ..assets.model import ProblemReason
from ..syntax.diagnostics import Diagnostic
from ..syntax.nodes import Span
from .model import Asset

__all__ = ["LOCAL_CODES", "check_local_asset"]

#: ``AssetProblem.reason`` of a local file -> its diagnostic code.
LOCAL_CODES: dict[ProblemReason, str] = {
    "not_found": "SHOT260",
    "outside_project": "SHOT261",
    "not_a_file": "SHOT262",
    "unreadable": "SHOT263",
    "too_large": "SHOT264",
    "wrong_kind": "SHOT265",
    "undecodable": "SHOT266",
}


def _base_dir(asset: Asset) -> str:
    file = asset.decl.span.file or ""
    if not file or file.startswith("<"):  # check_text("...") without a path
        return os.getcwd()
    return os.path.dirname(os.path.abspath(file))


def _overlaps(a: Span | None, b: Span) -> bool:
    return (
        a is not None and a.file == b.file and a.start_pos < b.end_pos and b.start_pos < a.end_pos
    )


def check_local_asset(asset: Asset, roots: Iterable[str], diags: list[Diagnostic]) -> Asset:
    """Inspect the local file of ``asset``; a problem is appended to ``diags`` at the
    asset's path, and the asset comes back without ``local``.  A URL asset comes back
    unchanged."""
    if not asset.is_local:
        return asset
    url = asset.decl.url.span
    if any(d.is_error and _overlaps(d.span, url) for d in diags):
        return asset  # the string itself is broken (a bad escape): that error says enough
    from ..assets.local import inspect_local
    from ..assets.model import AssetProblem

    got = inspect_local(
        asset.name, asset.url, asset.kind, base_dir=_base_dir(asset), roots=tuple(roots)
    )
    if isinstance(got, AssetProblem):
        diags.append(
            Diagnostic(
                LOCAL_CODES.get(got.reason, "SHOT263"),
                got.severity,
                got.message,
                asset.decl.url.span,
                help=got.help,
            )
        )
        return asset
    return replace(asset, local=got)
