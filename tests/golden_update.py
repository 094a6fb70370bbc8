"""What every golden updater shares (``make golden``): it refuses to run in CI, and it
writes only the files whose content changed, saying which.

A golden test only ever compares; rewriting the expected files is this separate,
explicit step, so CI can never turn a failing golden test into a passing writer.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path

#: the exit code of an updater that refused to run
REFUSED = 2


class RefusedInCI(RuntimeError):
    """An updater was started where ``CI`` is set."""


def refuse_in_ci() -> None:
    """Raise when the environment says this is CI (``CI`` set, as every CI service does):
    golden files are reviewed changes, never rewritten by the pipeline that checks them."""
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        raise RefusedInCI(
            "refusing to rewrite golden files: CI is set. Golden files are updated on a "
            "developer's machine with `make golden`, reviewed, and committed; CI only "
            "compares (`make test`)."
        )


def write_changed(outputs: Iterable[tuple[Path, str]], root: Path) -> list[str]:
    """Write each ``(path, text)`` whose file is missing or differs; return a report line
    per changed file (``new`` / ``changed: +a -b lines``), paths relative to ``root``."""
    report: list[str] = []
    for path, text in outputs:
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            continue
        path.write_text(text, encoding="utf-8")
        rel = path.relative_to(root)
        if old is None:
            report.append(f"new      {rel}")
            continue
        diff = list(difflib.unified_diff(old.splitlines(), text.splitlines(), lineterm=""))
        plus = sum(1 for d in diff if d.startswith("+") and not d.startswith("+++"))
        minus = sum(1 for d in diff if d.startswith("-") and not d.startswith("---"))
        report.append(f"changed  {rel}: +{plus} -{minus} lines")
    return report


def run_updater(name: str, update: object) -> int:
    """``main`` of an updater script: refuse in CI, else update and print the report."""
    import sys

    try:
        refuse_in_ci()
    except RefusedInCI as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return REFUSED
    assert callable(update)
    report: list[str] = update()
    for line in report:
        print(f"{name}: {line}")
    print(f"{name}: {len(report)} golden file(s) changed" + (" — review the diff" * bool(report)))
    return 0
