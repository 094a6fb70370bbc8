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
