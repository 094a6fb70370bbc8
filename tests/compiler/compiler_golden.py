"""The golden-case harness of the compiler (shared by the tests and the updater).

A case is a directory of ``tests/compiler/cases/``: ``case.shot`` (and any template or
import it names), beside the expected outputs ``payload.json`` (every clip's request
body and whether it is valid), ``prompt.txt`` (every clip's prompt) and
``diagnostics.txt`` (every diagnostic, with its help and labels).  A file
``cli-template.j2`` in the case is passed as ``--template``.  Optional outputs, compared
only where the file exists: ``text.txt`` and ``curl.txt`` (the CLI's views).

Regenerate after an intended change, then review the diff (refused where ``CI`` is set;
tests/golden_update.py)::

    make golden        # or: .venv/bin/python tests/compiler/compiler_golden.py --update
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


def run_case(name: str, cases: Path = CASES) -> dict[str, str]:
    """Compile a case (from inside its directory, so paths in spans are short)."""
    here = os.getcwd()
    os.chdir(cases / name)
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


def expected_outputs(name: str, cases: Path = CASES) -> tuple[str, ...]:
    """The outputs a case is compared on: the three always, the optional ones it has."""
    return (*OUTPUTS, *(o for o in OPTIONAL if (cases / name / o).exists()))


def update(cases: Path = CASES) -> list[str]:
    """Rewrite every case's expected outputs; one report line per file that changed."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from golden_update import write_changed

    names = sorted(p.parent.name for p in cases.glob("*/case.shot"))
    outputs = []
    for name in names:
        got = run_case(name, cases)
        outputs += [(cases / name / out, got[out]) for out in expected_outputs(name, cases)]
    return write_changed(outputs, cases)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from golden_update import run_updater

    if sys.argv[1:] != ["--update"]:
        print(__doc__)
        raise SystemExit(2)
    raise SystemExit(run_updater("compiler golden", update))
