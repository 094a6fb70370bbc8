"""tests/fixtures/spec holds copies of the contract files that tests read (so a clone
without ../shared still runs every test).  Whenever ../shared is beside the checkout, as
in CI, the copies must be identical to it: a changed contract fails here first."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SPEC = ROOT / "tests" / "fixtures" / "spec"

FILES = ["api.md", "seedance-api-page.txt"]


@pytest.mark.parametrize("name", FILES)
def test_spec_copy_matches_shared(name: str) -> None:
    original = SHARED / "spec" / name
    if not original.exists():
        pytest.skip("../shared is not beside this checkout; the copy is what we test against")
    assert (SPEC / name).read_bytes() == original.read_bytes(), (
        f"tests/fixtures/spec/{name} differs from ../shared/spec/{name}: copy it again "
        "and fix what the new contract breaks"
    )
