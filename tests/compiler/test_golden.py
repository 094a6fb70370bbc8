"""Golden cases: each .shot beside its expected payloads, prompts and diagnostics.

Case names cite the rule they pin: an API rule id or diagnostic code (``api_*``,
``SHOT3xx``), a role (``role_*``), a mode (``mode_*``) or a prompt-guide rule
(``G1``…``G8``, ``S1``…``S5``).  Every API rule has a case whose diagnostics change when
the rule is removed.
"""

from __future__ import annotations

import os

import pytest
from compiler_golden import CASES, OPTIONAL, OUTPUTS, case_names, run_case

UPDATE = os.environ.get("SEEDANCE_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("name", case_names())
def test_golden_case(name: str) -> None:
    got = run_case(name)
    optional = [o for o in OPTIONAL if (CASES / name / o).exists()]
    for out in (*OUTPUTS, *optional):
        path = CASES / name / out
        if UPDATE:
            path.write_text(got[out], encoding="utf-8")
            continue
        assert path.exists(), f"{path} missing: run with SEEDANCE_UPDATE_GOLDEN=1"
        assert got[out] == path.read_text(encoding="utf-8"), f"{name}/{out} differs"


def test_there_are_cases() -> None:
    assert len(case_names()) >= 30
