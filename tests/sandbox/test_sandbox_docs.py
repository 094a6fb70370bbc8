"""docs/sandbox.md points only at files of this repository, and shows the real banner."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
DOC = ROOT / "docs" / "sandbox.md"


def test_the_sandbox_doc_links_nowhere_outside_the_repository() -> None:
    text = DOC.read_text(encoding="utf-8")
    relative = re.findall(r"\]\(([^)\s]+)\)", text) + re.findall(r"(\.\./[\w./-]+)", text)
    for target in relative:
        if target.startswith(("http://", "https://", "#")):
            continue
        path = (DOC.parent / target.split("#")[0]).resolve()
        assert path.is_relative_to(ROOT), f"{target} is outside the repository"
        assert path.exists(), f"{target} does not exist"
    for quoted in re.findall(r"`((?:docs|tests|seedance_dsl)/[^`\s]+)`", text):
        assert (ROOT / quoted).exists(), quoted
