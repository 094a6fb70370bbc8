"""seedance-dsl for AI agents: ``seedance mcp``, an MCP server (docs/agents.md).

:mod:`.tools` holds the tools as plain typed functions (no MCP import);
:mod:`.server` serves them over stdio with the official ``mcp`` SDK; :mod:`.schema` is
the JSON schema of ``compile``'s output.  Nothing here is imported by the other
commands.
"""
