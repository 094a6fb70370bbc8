"""The one version string of seedance-dsl.

pyproject.toml reads it (``[tool.hatch.version]``), so the package metadata
(``pip show``, ``importlib.metadata``) agrees; ``seedance --version``, the client's
``User-Agent``, the SARIF ``tool.driver.version`` and the MCP server's info all import it
from here.  Bump it here only.
"""

from __future__ import annotations

__version__ = "0.1.0"
