"""Golden cases: each .shot beside its expected payloads, prompts and diagnostics.

Case names cite the rule they pin: an API rule id or diagnostic code (``api_*``,
``SHOT3xx``), a role (``role_*``), a mode (``mode_*``) or a prompt-guide rule
(``G1``…``G8``, ``S1``…``S5``).  Every API rule has a case whose diagnostics change when
the rule is removed.
"""

from __future__ import annotations

import os

import pytest
from compiler_golden import CASES, case_names, expected_outputs, run_case

# The tests only compare; `make golden` (compiler_golden.py --update) rewrites the files.
# The old switch is refused loudly, so it can never turn a failing test into a writer.
_OLD_SWITCH = "SEEDANCE_UPDATE_GOLDEN"


@pytest.mark.parametrize("name", case_names())
def test_golden_case(name: str) -> None:
    if os.environ.get(_OLD_SWITCH):
        pytest.fail(f"{_OLD_SWITCH} is gone: update golden files with `make golden`")
    got = run_case(name)
    for out in expected_outputs(name):
        path = CASES / name / out
        assert path.exists(), f"{path} missing: run `make golden`, review, commit"
        assert got[out] == path.read_text(encoding="utf-8"), f"{name}/{out} differs"


def test_there_are_cases() -> None:
    assert len(case_names()) >= 30
