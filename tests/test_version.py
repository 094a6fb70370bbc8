"""One version string: seedance_dsl/_version.py.  The package metadata (pyproject reads
the file), ``seedance --version``, ``seedance_dsl.__version__``, the client's
User-Agent, the SARIF tool version and the MCP server's info all say the same."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest

import seedance_dsl
from seedance_dsl._version import __version__

ROOT = Path(__file__).resolve().parent.parent


def test_the_metadata_reads_the_one_string() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"]["path"] == "seedance_dsl/_version.py"
    assert version("seedance-dsl") == __version__


def test_no_other_copy_of_the_version_in_the_package() -> None:
    pattern = re.compile("[\"']" + re.escape(__version__) + "[\"']")
    copies = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "seedance_dsl").rglob("*.py")
        if p.name != "_version.py" and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert copies == []


def test_the_package_and_the_cli() -> None:
    assert seedance_dsl.__version__ == __version__
    out = subprocess.run(
        [sys.executable, "-m", "seedance_dsl", "--version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.strip() == f"seedance, version {__version__}"


def test_the_client_user_agent() -> None:
    from seedance_dsl.client import NotFound, SeedanceClient

    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["user-agent"])
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "no"}})

    with (
        SeedanceClient(
            api_key="sk-test-version",
            base_url="http://127.0.0.1:9",
            transport=httpx.MockTransport(answer),
        ) as client,
        pytest.raises(NotFound),
    ):
        client.get_task("t1")
    assert seen == [f"seedance-dsl/{__version__}"]


def test_the_sarif_tool_version() -> None:
    from seedance_dsl.check.sarif import to_sarif

    assert to_sarif([])["runs"][0]["tool"]["driver"]["version"] == __version__


def test_the_mcp_server_info(tmp_path: Path) -> None:
    from seedance_dsl.agents import server
    from seedance_dsl.agents.tools import Workspace

    mcp = server.build_server(Workspace(tmp_path))
    assert server.__version__ is __version__
    assert mcp.version == __version__  # type: ignore[attr-defined]
