"""The language server as a subprocess over stdio, driven by a VS Code-like client."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "seedance_dsl", "lsp"],
        server_env={
            **os.environ,
            "SEEDANCE_LSP_DEBOUNCE": "0.01",
            "SEEDANCE_LSP_FULL_CHECK_DELAY": "0.05",
        },
    ),
)
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    params = t.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
        root_uri=EXAMPLES.as_uri(),
        workspace_folders=[t.WorkspaceFolder(uri=EXAMPLES.as_uri(), name="examples")],
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()
