"""The sandbox stands on the contract only: it never imports the client or the renderer."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import seedance_dsl.sandbox.{module}
bad = sorted(m for m in sys.modules if m.split(".")[:2] in {forbidden})
print(",".join(bad))
"""


def _loaded(module: str, forbidden: list[list[str]]) -> str:
    code = PROBE.format(module=module, forbidden=forbidden)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_the_server_never_imports_the_client_renderer_or_compiler() -> None:
    forbidden = [["seedance_dsl", x] for x in ("client", "render", "compiler", "check", "syntax")]
    assert _loaded("server", forbidden) == ""
    assert _loaded("pytest_plugin", forbidden) == ""


def test_settings_import_without_the_web_stack() -> None:
    heavy = [["starlette"], ["uvicorn"], ["pydantic"], ["av"], ["PIL"]]
    assert _loaded("settings", heavy) == ""
