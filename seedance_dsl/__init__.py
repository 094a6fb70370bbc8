"""seedance-dsl: a storyboard language for AI video.

Parse, check, compile and render ``.shot`` files for the Seedance 2 API.  Every stage of
the pipeline is a function you can call::

    parse_file(path)    -> (Storyboard | None, diagnostics)      # syntax tree with spans
    check_file(path)    -> CheckResult                            # names resolved
    compile_file(path)  -> CompiledStoryboard                     # prompts + API bodies
    plan_file(path)     -> Plan                                   # what a render would do
    render_file(path)   -> RenderSummary                          # submit, poll, download
    format_text(text)   -> (formatted | None, diagnostics)

plus the API client (``SeedanceClient``, ``AsyncSeedanceClient``) and the local sandbox
(``start_sandbox``, ``SandboxSettings``).  Names load lazily, so ``import seedance_dsl``
stays cheap and the language never loads the network stack; ``dir(seedance_dsl)`` lists
them all.

The language functions never raise for a problem in the source: it is a diagnostic.
``plan_file``, ``render_file`` and ``status_file`` raise before anything is sent:
``CompileFailed`` (the storyboard has errors: ``exc.diagnostics``), ``UsageError``,
``RenderSetupError``, ``StoryboardBusy``, ``StateError``, ``SandboxStartError``;
``CompiledClip.resolve`` raises ``MissingClipOutput``.  All derive from
``SeedanceDSLError``; README's "Python API" lists what each function raises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_dir, lazy_exports

_EXPORTS: dict[str, str] = {
    "parse_file": "seedance_dsl.syntax.parser",
    "parse_text": "seedance_dsl.syntax.parser",
    "format_text": "seedance_dsl.syntax.format",
    "check_file": "seedance_dsl.check",
    "check_text": "seedance_dsl.check",
    "compile_file": "seedance_dsl.compiler",
    "compile_text": "seedance_dsl.compiler",
    "plan_file": "seedance_dsl.render",
    "render_file": "seedance_dsl.workflow",
    "status_file": "seedance_dsl.render",
    "SeedanceClient": "seedance_dsl.client",
    "AsyncSeedanceClient": "seedance_dsl.client",
    "SeedanceError": "seedance_dsl.client",
    "start_sandbox": "seedance_dsl.sandbox",
    "SandboxSettings": "seedance_dsl.sandbox",
    "SandboxStartError": "seedance_dsl.sandbox",
    "ClipOutputs": "seedance_dsl.compiler",
    "MissingClipOutput": "seedance_dsl.compiler",
    "CompileFailed": "seedance_dsl.render.commands",
    "RenderSetupError": "seedance_dsl.render.commands",
    "StoryboardFileError": "seedance_dsl.render.commands",
    "StateError": "seedance_dsl.render.state",
    "StoryboardBusy": "seedance_dsl.render.lock",
    "SeedanceDSLError": "seedance_dsl.errors",
    "UsageError": "seedance_dsl.errors",
    "__version__": "seedance_dsl._version",
}

# BEGIN generated from _EXPORTS by `make facades` (tools/facades.py): do not edit
if TYPE_CHECKING:
    from ._version import __version__ as __version__
    from .check import check_file as check_file
    from .check import check_text as check_text
    from .client import AsyncSeedanceClient as AsyncSeedanceClient
    from .client import SeedanceClient as SeedanceClient
    from .client import SeedanceError as SeedanceError
    from .compiler import ClipOutputs as ClipOutputs
    from .compiler import MissingClipOutput as MissingClipOutput
    from .compiler import compile_file as compile_file
    from .compiler import compile_text as compile_text
    from .errors import SeedanceDSLError as SeedanceDSLError
    from .errors import UsageError as UsageError
    from .render import plan_file as plan_file
    from .render import status_file as status_file
    from .render.commands import CompileFailed as CompileFailed
    from .render.commands import RenderSetupError as RenderSetupError
    from .render.commands import StoryboardFileError as StoryboardFileError
    from .render.lock import StoryboardBusy as StoryboardBusy
    from .render.state import StateError as StateError
    from .sandbox import SandboxSettings as SandboxSettings
    from .sandbox import SandboxStartError as SandboxStartError
    from .sandbox import start_sandbox as start_sandbox
    from .syntax.format import format_text as format_text
    from .syntax.parser import parse_file as parse_file
    from .syntax.parser import parse_text as parse_text
    from .workflow import render_file as render_file

__all__ = [
    "AsyncSeedanceClient",
    "ClipOutputs",
    "CompileFailed",
    "MissingClipOutput",
    "RenderSetupError",
    "SandboxSettings",
    "SandboxStartError",
    "SeedanceClient",
    "SeedanceDSLError",
    "SeedanceError",
    "StateError",
    "StoryboardBusy",
    "StoryboardFileError",
    "UsageError",
    "__version__",
    "check_file",
    "check_text",
    "compile_file",
    "compile_text",
    "format_text",
    "parse_file",
    "parse_text",
    "plan_file",
    "render_file",
    "start_sandbox",
    "status_file",
]
# END generated


__getattr__ = lazy_exports(__name__, _EXPORTS)


__dir__ = lazy_dir(globals(), _EXPORTS)
