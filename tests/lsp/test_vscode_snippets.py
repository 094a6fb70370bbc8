"""The VS Code snippets (editors/vscode/snippets/shot.json): each expands, with its
default placeholders, to text the parser accepts; the cast has its snippets."""

from __future__ import annotations

import json
import re
from pathlib import Path

from seedance_dsl.syntax.parser import parse_text

SNIPPETS = Path(__file__).resolve().parents[2] / "editors/vscode/snippets/shot.json"


def _expand(body: list[str]) -> str:
    text = "\n".join(body)
    text = re.sub(r"\$\{\d+\|([^,|}]*)[^}]*\}", r"\1", text)  # a choice: its first option
    text = re.sub(r"\$\{\d+:([^}]*)\}", r"\1", text)
    return re.sub(r"\$\d+", "", text)


def test_member_snippets_expand_to_valid_members() -> None:
    snippets = json.loads(SNIPPETS.read_text(encoding="utf-8"))
    for key in ("character", "product"):
        text = _expand(snippets[key]["body"])
        tree, diags = parse_text(text + "\n", "s.shot")
        assert tree is not None and not diags, (key, text, diags)
        (member,) = tree.items
        assert member.kind == key and member.refs and member.look is not None  # type: ignore[union-attr]
