"""The MCP tools as plain functions: confinement to the root and the spend account."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from seedance_dsl.agents.tools import SpendPolicy, ToolFailure, Workspace

FILM = 'storyboard "t"\n\nclip a {\n  duration 5s\n  shot { action "a gull glides" }\n}\n'


def test_an_import_outside_the_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret.shot").write_text("not a storyboard at all\n")
    (root / "film.shot").write_text(FILM.replace('"t"\n', '"t"\n\nimport "../secret.shot"\n'))
    ws = Workspace(root)
    for call in (lambda: ws.check(["film.shot"]), lambda: ws.compile("film.shot")):
        # the language refuses it first (SHOT008: outside the project), never opening it;
        # the tools' own guard (outside_root) stands behind it
        try:
            out: Any = call()
        except ToolFailure as exc:
            out = exc.data
        text = json.dumps(out)
        assert "SHOT008" in text or '"outside_root"' in text, text
        assert "not a storyboard" not in text


def test_a_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "real.shot").write_text(FILM)
    (root / "link.shot").symlink_to(tmp_path / "real.shot")
    ws = Workspace(root)
    with pytest.raises(ToolFailure) as info:
        ws.check(["link.shot"])
    assert info.value.data["error"]["kind"] == "outside_root"
    with pytest.raises(ToolFailure):
        ws.write("link.shot", FILM, overwrite=True)
    assert (tmp_path / "real.shot").read_text() == FILM


def test_the_session_cap_is_what_is_left(tmp_path: Path) -> None:
    ws = Workspace(tmp_path, spend=SpendPolicy(max_credits=100, has_key=True))
    assert ws._spend_cap(None) == 100
    ws.spent = 70
    assert ws._spend_cap(None) == 30
    assert ws._spend_cap(10) == 10
    assert ws._spend_cap(50) == 30
    ws.spent = 100
    with pytest.raises(ToolFailure) as info:
        ws._spend_cap(None)
    assert info.value.data["error"]["kind"] == "spend_refused"


def test_spending_is_refused_unless_allowed(tmp_path: Path) -> None:
    with pytest.raises(ToolFailure) as info:
        Workspace(tmp_path, spend=SpendPolicy(has_key=True))._spend_cap(None)
    assert info.value.data["error"]["kind"] == "spend_refused"
    with pytest.raises(ToolFailure) as info:
        Workspace(tmp_path, spend=SpendPolicy(allow_spend=True))._spend_cap(None)
    assert info.value.data["error"]["kind"] == "config"
    assert Workspace(tmp_path, spend=SpendPolicy(allow_spend=True, has_key=True))._spend_cap(7) == 7
