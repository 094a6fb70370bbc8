"""Where seedance_dsl.assets stands (docs/assets.md, "Layers"): the local side loads no
network code and nothing above syntax; the network side nothing above client's level;
the sandbox and the assets share no code (they agree on a documented route)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
import {module}
bad = sorted(m for m in sys.modules if m.split(".")[:2] in {forbidden} or m in {heavy})
print(",".join(bad))
"""

ABOVE = ("check", "compiler", "render", "client", "sandbox", "cli", "preview", "cut", "agents")


def _loaded(module: str, packages: tuple[str, ...], heavy: tuple[str, ...] = ()) -> str:
    forbidden = [["seedance_dsl", p] for p in packages]
    code = PROBE.format(module=module, forbidden=forbidden, heavy=list(heavy))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_the_facade_imports_nothing() -> None:
    assert _loaded("seedance_dsl.assets", ABOVE, ("httpx", "boto3", "PIL", "av")) == ""


@pytest.mark.parametrize("module", ["seedance_dsl.assets.local", "seedance_dsl.assets.model"])
def test_the_local_side_is_language_level(module: str) -> None:
    assert _loaded(module, ABOVE, ("httpx", "boto3", "botocore", "pydantic", "PIL", "av")) == ""


@pytest.mark.parametrize("module", ["seedance_dsl.assets.store", "seedance_dsl.assets.online"])
def test_the_network_side_stays_below_render(module: str) -> None:
    assert _loaded(module, ABOVE) == ""


def test_the_sandbox_does_not_use_the_assets_code() -> None:
    assert _loaded("seedance_dsl.sandbox.app", ("assets", "client", "render")) == ""


def test_every_name_of_the_facade_resolves() -> None:
    import seedance_dsl.assets as facade

    for name in facade.__all__:
        assert getattr(facade, name) is not None, name
    assert set(facade.__all__) <= set(dir(facade))
