"""The limits table (seedance_dsl/limits.py) is the one source of every bound: the docs
show it as it is, every row is enforced somewhere, and its settings are read safely."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from seedance_dsl.limits import LIMITS, LimitSettingError, exceeded_help, limit, markdown_table

ROOT = Path(__file__).resolve().parents[1]
SECURITY = ROOT / "docs" / "security.md"


def test_docs_security_shows_the_table_as_it_is() -> None:
    text = SECURITY.read_text(encoding="utf-8")
    m = re.search(r"<!-- limits:begin -->\n(.*?)<!-- limits:end -->", text, re.S)
    assert m, "docs/security.md lost its limits table markers"
    assert m.group(1) == markdown_table(), (
        "docs/security.md's limits table differs from seedance_dsl/limits.py; paste "
        "`python -c 'from seedance_dsl.limits import markdown_table; print(markdown_table())'`"
    )


def test_every_limit_is_enforced_somewhere() -> None:
    sources = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (ROOT / "seedance_dsl").rglob("*.py")
        if p.name != "limits.py"
    )
    unused = [name for name in LIMITS if f'"{name}"' not in sources]
    assert not unused, f"limits no code reads: {unused}"


def test_environment_variables_are_distinct() -> None:
    envs = [row.env for row in LIMITS.values()]
    assert len(envs) == len(set(envs))
    assert all(e.startswith("SEEDANCE_") for e in envs)


def test_a_setting_raises_a_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    row = next(iter(LIMITS.values()))
    monkeypatch.setenv(row.env, "1_000")
    assert limit(row.name) == 1000
    assert row.env in exceeded_help(row.name)
    assert "1000" in exceeded_help(row.name)


@pytest.mark.parametrize("raw", ["0", "-5", "lots", "inf", "nan"])
def test_a_bad_setting_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    row = next(iter(LIMITS.values()))
    monkeypatch.setenv(row.env, raw)
    with pytest.raises(LimitSettingError) as info:
        limit(row.name)
    assert row.env in info.value.message
    assert "positive number" in info.value.help


def test_an_empty_setting_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    row = next(iter(LIMITS.values()))
    monkeypatch.setenv(row.env, " ")
    assert limit(row.name) == row.default


def test_a_bad_setting_stops_a_render_before_it_sends_anything(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # the request deadline is read deep in the client: the check must come first
    from seedance_dsl.workflow import render_file

    shot = tmp_path / "film.shot"
    shot.write_text('storyboard "t"\nclip a { shot { action "a cat walks" } }\n')
    monkeypatch.setenv("SEEDANCE_REQUEST_TIMEOUT", "soon")
    with pytest.raises(LimitSettingError) as info:
        render_file(shot, sandbox=True, out_dir=tmp_path / "out")
    assert "SEEDANCE_REQUEST_TIMEOUT" in info.value.message
    assert not (tmp_path / ".seedance").exists()  # no state, no intent, no submit


def test_the_help_shows_the_default_as_the_table_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEEDANCE_MAX_FILE_BYTES", "lots")
    with pytest.raises(LimitSettingError) as info:
        limit("storyboard_file_bytes")
    assert "(default 8 MiB)" in info.value.help
