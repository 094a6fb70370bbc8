"""Shared pytest configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from seedance_dsl.sandbox.pytest_plugin import sandbox, sandbox_factory  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
#: Copies of the spec files the tests read, so a clone without ../shared still tests;
#: tests/test_spec_copies.py proves they equal ../shared/spec whenever it is there.
SPEC = ROOT / "tests" / "fixtures" / "spec"


@pytest.fixture
def repo_root() -> Path:
    return ROOT


#: what a test may never leave in the checkout (renders and state belong in tmp_path)
_LITTER = ("renders", ".seedance")


@pytest.fixture(autouse=True, scope="session")
def _no_renders_in_the_checkout() -> object:
    before = {name for name in _LITTER if (ROOT / name).exists()}
    yield None
    left = sorted(name for name in _LITTER if (ROOT / name).exists() and name not in before)
    assert not left, f"a test wrote {left} into the checkout: give it an out_dir in tmp_path"
