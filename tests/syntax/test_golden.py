"""Every golden case produces exactly its reviewed diagnostics (see golden.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .golden import case_files, expected_paths, render_case


@pytest.mark.parametrize("case", case_files(), ids=lambda p: p.name)
def test_golden_case(case: Path) -> None:
    concise, human = render_case(case)
    c_path, h_path = expected_paths(case)
    assert c_path.exists(), f"missing {c_path.name}: run `make golden`, review, commit"
    assert concise == c_path.read_text(encoding="utf-8")
    assert human == h_path.read_text(encoding="utf-8")


def test_every_case_but_the_clean_one_has_diagnostics() -> None:
    for case in case_files():
        concise, _ = render_case(case)
        if case.name.startswith("50_clean"):
            assert concise == "", concise
        else:
            assert concise, f"{case.name} produced no diagnostic"
