"""Golden cases of the language: ``cases/NAME.shot`` beside its expected diagnostics.

``NAME.diag.txt`` holds the concise form, ``NAME.human.txt`` the human form (no colour),
both produced by ``seedance_dsl.check.resolve_file`` (the language front end, without
the compiler's rules) run from inside ``cases/`` (so paths are
relative).  Regenerate after a deliberate change, then REVIEW the diff (refused where
``CI`` is set; tests/golden_update.py):

    make golden        # or: .venv/bin/python tests/syntax/golden.py --update
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

CASES = Path(__file__).resolve().parent / "cases"


def case_files(cases: Path = CASES) -> list[Path]:
    return sorted(cases.glob("*.shot"))


def render_case(case: Path) -> tuple[str, str]:
    from seedance_dsl.check import resolve_file
    from seedance_dsl.syntax.report import render_concise, render_human

    old = os.getcwd()
    os.chdir(case.parent)
    try:
        result = resolve_file(case.name)
    finally:
        os.chdir(old)
    diags = list(result.diagnostics)
    concise = render_concise(diags)
    human = render_human(diags, result.sources, color=False)
    return (concise + "\n" if concise else ""), (human + "\n" if human else "")


def expected_paths(case: Path) -> tuple[Path, Path]:
    stem = case.name[: -len(".shot")]
    return case.with_name(stem + ".diag.txt"), case.with_name(stem + ".human.txt")


def update(cases: Path = CASES) -> list[str]:
    """Rewrite every case's expected files; one report line per file that changed."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from golden_update import write_changed

    outputs: list[tuple[Path, str]] = []
    for case in case_files(cases):
        concise, human = render_case(case)
        c_path, h_path = expected_paths(case)
        outputs += [(c_path, concise), (h_path, human)]
    return write_changed(outputs, cases)


def main(argv: list[str]) -> int:
    if argv != ["--update"]:
        print(__doc__)
        return 2
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from golden_update import run_updater

    return run_updater("syntax golden", update)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    raise SystemExit(main(sys.argv[1:]))
