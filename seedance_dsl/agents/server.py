"""``seedance mcp``: the tools of :mod:`.tools` and the docs as an MCP server over stdio.

Built on the official ``mcp`` SDK (``MCPServer``).  Every tool returns one JSON object
(as ``structuredContent`` and as its text); a failure is a tool result with
``isError: true`` whose object has ``error`` (kind, message, help) and
``diagnostics``.  Arguments are validated by the SDK against each tool's input schema
before the tool runs; anything unexpected inside a tool is caught and reported the
same way, so no request can stop the server.  docs/agents.md describes it for users.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Annotated, Any

import anyio
import anyio.from_thread
import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import Field

from .._version import __version__
from ..render.stop import StopToken
from .tools import SpendPolicy, ToolFailure, Workspace

__all__ = ["RESOURCE_URIS", "build_server", "run_stdio"]

log = logging.getLogger("seedance_dsl.agents")

INSTRUCTIONS = """\
seedance-dsl: write AI-video storyboards as .shot files, check them, compile them to
Seedance 2 API requests and render them.  Learn the language from the resources
(seedance://docs/language, seedance://docs/prompt-guide, seedance://examples/...).
Typical loop: `init` or `write` a .shot file -> `check` (fix every diagnostic;
`explain` a code) -> `compile` (read each clip's prompt) -> `plan` -> `render`
(sandbox=true: free animatics) -> `status`.  Paths are relative to the server's root.
A render on the real service spends the user's credits: it is refused unless the
user started the server with --allow-spend or --max-credits N."""

ShotPath = Annotated[
    str,
    Field(
        min_length=1,
        max_length=4096,
        description="Path of a .shot file, relative to the server's root (e.g. film.shot).",
    ),
]
ClipNames = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=200)]] | None,
    Field(max_length=1000, description="Only these clips (default: every clip)."),
]
Take = Annotated[
    int,
    Field(ge=0, le=1_000_000, description="0 is the first take; N a fresh render (new key)."),
]
Sandbox = Annotated[
    bool,
    Field(
        description="true (default): the built-in local sandbox, free animatics. false: the "
        "real service, which spends credits: only when the user started the server with "
        "--allow-spend or --max-credits N."
    ),
]

_READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)


def _result(data: dict[str, Any], *, error: bool = False) -> CallToolResult:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=data, is_error=error
    )


def _guarded(name: str, fn: Callable[[], dict[str, Any]]) -> CallToolResult:
    """Run one tool: its data, or its failure as a tool error (never an exception)."""
    try:
        return _result(fn())
    except ToolFailure as exc:
        return _result(exc.data, error=True)
    except Exception as exc:  # a bug of ours: reported, and the server goes on
        log.error("tool %s failed unexpectedly:\n%s", name, traceback.format_exc())
        return _result(
            {
                "ok": False,
                "error": {
                    "kind": "internal",
                    "message": f"the {name} tool failed unexpectedly: {type(exc).__name__}",
                    "help": "this is a bug of seedance-dsl; the server's log (stderr) has the "
                    "details. The server is still running.",
                },
                "diagnostics": [],
            },
            error=True,
        )


#: every resource: URI -> (name, description, mime type, loader)
RESOURCE_URIS: dict[str, tuple[str, str, str]] = {
    "seedance://docs/language": (
        "language",
        "The .shot language reference (docs/language.md).",
        "text/markdown",
    ),
    "seedance://docs/prompt-guide": (
        "prompt-guide",
        "How to write prompts that render well: the rules the checker enforces.",
        "text/markdown",
    ),
    "seedance://schema/compile": (
        "compile-schema",
        "JSON schema of `compile`'s output (and of `seedance compile --format json`).",
        "application/schema+json",
    ),
    "seedance://examples": (
        "examples",
        "The list of example storyboards (read each as seedance://examples/<name>).",
        "application/json",
    ),
}


def _docs_dir() -> Path | None:
    """docs/ of a source checkout (the wheel ships copies in seedance_dsl/agents/data)."""
    here = Path(__file__).resolve().parents[2] / "docs"
    return here if here.is_dir() else None


def _data_text(name: str) -> str:
    """A bundled text: the repository's docs/ or examples/ when running from a checkout,
    else the copy inside the package."""
    root = Path(__file__).resolve().parents[2]
    for candidate in (root / name,):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    pkg = importlib_resources.files("seedance_dsl.agents") / "data" / name
    return pkg.read_text(encoding="utf-8")


def example_names() -> list[str]:
    """Every example file (relative to examples/), sorted."""
    root = Path(__file__).resolve().parents[2] / "examples"
    if root.is_dir():
        return sorted(
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if p.is_file() and p.suffix in (".shot", ".j2")
        )
    base = importlib_resources.files("seedance_dsl.agents") / "data" / "examples"
    out: list[str] = []

    def walk(node: Any, prefix: str) -> None:
        for child in node.iterdir():
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith((".shot", ".j2")):
                out.append(prefix + child.name)

    walk(base, "")
    return sorted(out)


def compile_schema() -> dict[str, Any]:
    from .schema import COMPILE_SCHEMA

    return COMPILE_SCHEMA


def build_server(workspace: Workspace) -> MCPServer[Any]:
    """The MCP server of ``workspace`` (tools, resources), not yet running."""
    server: MCPServer[Any] = MCPServer(
        "seedance-dsl",
        title="seedance-dsl storyboards",
        instructions=INSTRUCTIONS + "\nSpending: " + workspace.spend.describe() + ".",
        version=__version__,
        log_level="WARNING",
    )
    ws = workspace

    @server.tool(annotations=_READ_ONLY)
    def check(
        files: Annotated[
            list[Annotated[str, Field(min_length=1, max_length=4096)]],
            Field(min_length=1, max_length=1000, description="The .shot files to check."),
        ],
    ) -> CallToolResult:
        """Check .shot files: syntax, names, values and every API rule.  Returns every
        diagnostic (code, severity, message, file, line, column, help); `valid` is false
        when any has severity error.  Errors in the files are data, not a tool error."""
        return _guarded("check", lambda: ws.check(files))

    @server.tool(annotations=ToolAnnotations(destructive_hint=False, idempotent_hint=True))
    def format(
        file: ShotPath,
        write: Annotated[
            bool, Field(description="Replace the file with the formatted text (atomically).")
        ] = False,
    ) -> CallToolResult:
        """The canonical layout of a .shot file (comments kept).  Returns `formatted` and
        `changed`; with write=true the file is rewritten.  A file with errors is a tool
        error with its diagnostics."""
        return _guarded("format", lambda: ws.format(file, write))

    @server.tool(annotations=ToolAnnotations(destructive_hint=True, idempotent_hint=True))
    def write(
        file: Annotated[
            str,
            Field(
                min_length=1,
                max_length=4096,
                description="Path (relative to the root) of a .shot or .j2 file to create.",
            ),
        ],
        text: Annotated[str, Field(description="The whole content of the file.")],
        overwrite: Annotated[
            bool, Field(description="Replace the file if it exists (default: refuse).")
        ] = False,
    ) -> CallToolResult:
        """Create a .shot storyboard or library (or a .j2 template) inside the server's
        root, then check it.  Refuses to replace an existing file unless overwrite=true."""
        return _guarded("write", lambda: ws.write(file, text, overwrite))

    @server.tool(annotations=ToolAnnotations(destructive_hint=False))
    def init(
        directory: Annotated[
            str,
            Field(
                min_length=1,
                max_length=4096,
                description="Where (relative to the root) to create the project; made if missing.",
            ),
        ] = ".",
    ) -> CallToolResult:
        """Start a project: film.shot (a two-clip storyboard that checks clean and renders
        on the sandbox), lib/look.shot (a library it imports), README.md and .gitignore
        entries. Refuses (writing nothing) when one of the files exists."""
        return _guarded("init", lambda: ws.init(directory))

    @server.tool(annotations=_READ_ONLY)
    def compile(file: ShotPath, clips: ClipNames = None) -> CallToolResult:
        """Compile a storyboard: per clip the prompt, the exact API request body, the
        references with their roles, the inputs taken from earlier clips and the
        Idempotency-Key.  Needs no network.  The output's JSON schema is the resource
        seedance://schema/compile.  A storyboard with errors is a tool error with the
        diagnostics."""
        return _guarded("compile", lambda: ws.compile(file, clips))

    @server.tool(annotations=_READ_ONLY)
    def plan(
        file: ShotPath, clips: ClipNames = None, take: Take = 0, sandbox: Sandbox = True
    ) -> CallToolResult:
        """What `render` would do for each clip (submit, reuse, resume, wait) and the
        estimated credits.  Sends nothing."""
        return _guarded("plan", lambda: ws.plan(file, clips, take, sandbox))

    @server.tool(annotations=ToolAnnotations(destructive_hint=False, open_world_hint=True))
    async def render(
        ctx: Context[Any, Any],
        file: ShotPath,
        clips: ClipNames = None,
        take: Take = 0,
        sandbox: Sandbox = True,
        max_credits: Annotated[
            int | None,
            Field(ge=0, description="Refuse submits above N credits in this render (estimate)."),
        ] = None,
    ) -> CallToolResult:
        """Render a storyboard: submit, poll, download; resumable (a clip rendered before
        is reused, nothing is paid twice).  Reports progress (clips finished / clips).
        Videos go to renders/<storyboard>/ under the root.  sandbox=true (default) uses
        the local sandbox; the real service only when the user allowed spending."""
        return await _render(ctx, ws, file, clips, take, sandbox, max_credits)

    @server.tool(annotations=_READ_ONLY)
    def status(file: ShotPath, sandbox: Sandbox = True) -> CallToolResult:
        """What the state database knows about each clip of a storyboard (no network)."""
        return _guarded("status", lambda: ws.status(file, sandbox))

    @server.tool(annotations=_READ_ONLY)
    def explain(
        code: Annotated[
            str, Field(min_length=1, max_length=32, description="A code such as SHOT101.")
        ],
    ) -> CallToolResult:
        """The long explanation of a diagnostic code, with an example."""
        return _guarded("explain", lambda: ws.explain(code))

    _register_resources(server)
    return server


async def _render(
    ctx: Context[Any, Any],
    ws: Workspace,
    file: str,
    clips: list[str] | None,
    take: int,
    sandbox: bool,
    max_credits: int | None,
) -> CallToolResult:
    """The render runs in a worker thread (it runs its own event loop); its events come
    back to this loop as progress notifications."""
    from ..render.events import TERMINAL, RenderEvent

    finished: set[str] = set()
    total: dict[str, int] = {"n": 0}

    async def report(done: float, of: float | None, message: str) -> None:
        try:
            await ctx.report_progress(done, of, message)
        except Exception:  # a client that went away must not fail the render
            log.debug("progress notification not sent", exc_info=True)

    def on_event(event: RenderEvent) -> None:
        message: str | None = None
        if event.kind == "start":
            total["n"] = len(event.data.get("clips", ()))
            message = f"rendering {total['n']} clip(s)"
        elif event.clip is not None and event.status is not None:
            if event.status in TERMINAL:
                finished.add(event.clip)
            message = f"clip {event.clip}: {event.status}"
            if event.message:
                message += f" ({event.message})"
        if message is None:
            return
        of = float(total["n"]) if total["n"] else None
        try:
            anyio.from_thread.run(report, float(len(finished)), of, message)
        except Exception:
            log.debug("progress notification not sent", exc_info=True)

    stop = StopToken()

    def run() -> CallToolResult:
        return _guarded(
            "render",
            lambda: ws.render(
                file,
                sandbox=sandbox,
                clips=clips,
                take=take,
                max_credits=max_credits,
                on_event=on_event,
                stop=stop,
            ),
        )

    try:
        # a cancelled call returns at once; the render, told to stop, ends in its thread
        # as after Ctrl-C (tasks in flight recorded, resumed by the next render)
        return await anyio.to_thread.run_sync(run, abandon_on_cancel=True)
    except anyio.get_cancelled_exc_class():
        stop.stop("the MCP client cancelled the render; render again to resume")
        raise


def _register_resources(server: MCPServer[Any]) -> None:
    def add(uri: str, loader: Callable[[], str]) -> None:
        name, description, mime = RESOURCE_URIS[uri]
        server.resource(uri, name=name, description=description, mime_type=mime)(loader)

    add("seedance://docs/language", lambda: _data_text("docs/language.md"))
    add("seedance://docs/prompt-guide", lambda: _data_text("docs/prompt-guide.md"))
    add("seedance://schema/compile", lambda: json.dumps(compile_schema(), indent=2))
    add(
        "seedance://examples",
        lambda: json.dumps(
            [{"name": n, "uri": f"seedance://examples/{n}"} for n in example_names()], indent=2
        ),
    )
    for name in example_names():
        uri = f"seedance://examples/{name}"

        def load(name: str = name) -> str:
            return _data_text(f"examples/{name}")

        server.resource(
            uri,
            name=f"example {name}",
            description=f"The example storyboard file examples/{name}.",
            mime_type="text/plain",
        )(_no_args(load))


def _no_args(fn: Callable[..., str]) -> Callable[[], str]:
    def loader() -> str:
        return fn()

    return loader


def run_stdio(root: str | Path, spend: SpendPolicy) -> None:
    """Serve on stdin/stdout until the client closes the connection."""
    server = build_server(Workspace(Path(root), spend=spend))
    anyio.run(server.run_stdio_async)
