"""The layers of docs/architecture.md hold (``lint-imports``, the contracts in
pyproject.toml's ``[tool.importlinter]``; ``make lint`` runs it too), and the contracts
catch a violation: each case copies the package, injects one bad import, and expects
lint-imports to name it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(where: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_contracts_hold() -> None:
    proc = _lint(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " broken" in proc.stdout and "0 broken" in proc.stdout


def test_every_package_has_a_layer() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (layers,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    assert layers["exhaustive"] is True
    listed = {
        name.strip() for layer in layers["layers"] for name in layer.replace(":", "|").split("|")
    }
    children = {
        p.stem if p.is_file() else p.name
        for p in (ROOT / "seedance_dsl").iterdir()
        if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").exists()
    }
    assert listed == children


#: (file to edit, line to add, what lint-imports must say)
VIOLATIONS = {
    "the language loads the network": (
        "syntax/format.py",
        "import httpx",
        "seedance_dsl.syntax is not allowed to import httpx",
    ),
    "a lazy import inside a function counts": (
        "syntax/format.py",
        "def _late() -> None:\n    import jinja2, httpx  # noqa",
        "seedance_dsl.syntax is not allowed to import jinja2",
    ),
    "check reaches up into the renderer": (
        "check/model.py",
        "from ..render import events",
        "seedance_dsl.check.model -> seedance_dsl.render.events",
    ),
    "the compiler loads a terminal library": (
        "compiler/output.py",
        "import rich",
        "seedance_dsl.compiler is not allowed to import rich",
    ),
    "the sandbox shares the client's code": (
        "sandbox/settings.py",
        "from ..client import errors",
        "seedance_dsl.sandbox is not allowed to import seedance_dsl.client",
    ),
    "the client shares the language's code": (
        "client/config.py",
        "from ..syntax import nodes",
        "seedance_dsl.client is not allowed to import seedance_dsl.syntax",
    ),
    "the client reaches the sandbox": (
        "client/config.py",
        "from ..sandbox import settings",
        "seedance_dsl.client.config -> seedance_dsl.sandbox.settings",
    ),
    "a base module reaches up": (
        "limits.py",
        "from .syntax import nodes",
        "seedance_dsl.limits -> seedance_dsl.syntax.nodes",
    ),
    "a new package without a layer": (
        "newthing.py",
        "",
        "seedance_dsl.newthing",
    ),
}


@pytest.mark.parametrize("case", sorted(VIOLATIONS))
def test_a_violation_is_caught(tmp_path: Path, case: str) -> None:
    file, line, message = VIOLATIONS[case]
    shutil.copytree(ROOT / "seedance_dsl", tmp_path / "seedance_dsl")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "seedance_dsl" / file
    with target.open("a", encoding="utf-8") as f:
        f.write(f"\n{line}\n")
    proc = _lint(tmp_path)
    assert proc.returncode != 0, proc.stdout
    flat = " ".join(proc.stdout.split())
    assert message in flat, proc.stdout
