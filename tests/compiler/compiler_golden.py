"""The golden-case harness of the compiler (shared by the tests and the updater).

A case is a directory of ``tests/compiler/cases/``: ``case.shot`` (and any template or
import it names), beside the expected outputs ``payload.json`` (every clip's request
body and whether it is valid), ``prompt.txt`` (every clip's prompt) and
``diagnostics.txt`` (every diagnostic, with its help and labels).  A file
``cli-template.j2`` in the case is passed as ``--template``.  Optional outputs, compared
only where the file exists: ``text.txt`` and ``curl.txt`` (the CLI's views).

Regenerate after an intended change, then review the diff::

    SEEDANCE_UPDATE_GOLDEN=1 .venv/bin/pytest tests/compiler/test_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from seedance_dsl.compiler import compile_file
from seedance_dsl.compiler.output import format_curl, format_text
from seedance_dsl.syntax.diagnostics import Diagnostic

CASES = Path(__file__).resolve().parent / "cases"
OUTPUTS = ("payload.json", "prompt.txt", "diagnostics.txt")
OPTIONAL = ("text.txt", "curl.txt")


def case_names() -> list[str]:
    return sorted(p.parent.name for p in CASES.glob("*/case.shot"))


def _where(span: object) -> str:
    return str(span) if span is not None else "-"


def format_diagnostic(d: Diagnostic) -> str:
    lines = [f"{_where(d.span)}: {d.severity}[{d.code}]: {d.message}"]
    for lb in d.labels:
        lines.append(f"  label {_where(lb.span)}: {lb.message}")
    if d.help:
        lines.append(f"  help: {d.help}")
    for n in d.notes:
        lines.append(f"  note: {n}")
    return "\n".join(lines)


def run_case(name: str) -> dict[str, str]:
    """Compile a case (from inside its directory, so paths in spans are short)."""
    here = os.getcwd()
    os.chdir(CASES / name)
    try:
        template = "cli-template.j2" if Path("cli-template.j2").exists() else None
        compiled = compile_file("case.shot", template=template)
    finally:
        os.chdir(here)
    payloads = {c.name: {"valid": c.valid, "body": dict(c.payload)} for c in compiled.clips}
    prompts = "".join(f"== {c.name} ==\n{c.prompt}\n\n" for c in compiled.clips)
    diags = "".join(format_diagnostic(d) + "\n" for d in compiled.diagnostics)
    return {
        "payload.json": json.dumps(payloads, indent=2, ensure_ascii=False) + "\n",
        "prompt.txt": prompts,
        "diagnostics.txt": diags,
        "text.txt": format_text(compiled),
        "curl.txt": format_curl(compiled),
    }
