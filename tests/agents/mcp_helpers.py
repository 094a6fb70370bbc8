"""Drive ``seedance mcp`` with the SDK's own client over stdio (a real subprocess)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

T = TypeVar("T")

#: a whole session (start, calls, a sandbox render, stop) ends well before this
SESSION_TIMEOUT_S = 120


def server_env(tmp: Path, **extra: str) -> dict[str, str]:
    """A clean environment: no user config, no key unless given."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp),
        "SEEDANCE_CONFIG": str(tmp / "no-config.toml"),
        "NO_COLOR": "1",
    }
    env.update(extra)
    return env


def run_session(
    root: Path,
    body: Callable[[ClientSession], Awaitable[T]],
    *,
    args: Sequence[str] = (),
    env: dict[str, str] | None = None,
) -> T:
    """Start ``python -m seedance_dsl mcp ARGS`` in ``root``, run ``body`` on an
    initialised session, stop the server."""

    async def main() -> T:
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "seedance_dsl", "mcp", *args],
            cwd=str(root),
            env=env if env is not None else server_env(root.parent),
        )
        with anyio.fail_after(SESSION_TIMEOUT_S):
            async with (
                stdio_client(params) as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                return await body(session)

    return anyio.run(main)


def data(result: CallToolResult) -> dict[str, Any]:
    """A tool's JSON object: its structured content, which its text repeats."""
    assert result.content and result.content[0].type == "text"
    text_data = json.loads(result.content[0].text)
    assert result.structured_content == text_data
    assert isinstance(text_data, dict)
    return text_data


def error_of(result: CallToolResult) -> dict[str, Any]:
    assert result.is_error, result
    d = data(result)
    assert d["ok"] is False
    return d
