"""The examples, together, use every construct of the language (issue 2, item 7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seedance_dsl.syntax import nodes as n
from seedance_dsl.syntax.parser import parse_file

ROOT = Path(__file__).resolve().parents[2]


def walk(x: Any) -> Any:
    yield x
    if isinstance(x, tuple):
        for y in x:
            yield from walk(y)
    elif hasattr(x, "__dataclass_fields__"):
        for name in x.__dataclass_fields__:
            if name != "span":
                yield from walk(getattr(x, name))


def test_examples_use_every_construct() -> None:
    seen: set[str] = set()
    for path in sorted((ROOT / "examples").rglob("*.shot")):
        sb, diags = parse_file(path)
        assert sb is not None and not diags
        text = path.read_text(encoding="utf-8")
        seen.add("header" if sb.title else "library")
        if sb.comments:
            seen.add("comment")
        if '"""' in text:
            seen.add("multi-line string")
        for node in walk(sb):
            seen.add(type(node).__name__)
            if isinstance(node, n.Setting):
                seen.add(f"setting {node.key.name}")
            elif isinstance(node, n.AssetDecl):
                seen.add(f"asset {node.kind}")
            elif isinstance(node, n.ConstraintItem):
                seen.add(node.polarity)
            elif isinstance(node, n.RoleDecl):
                seen.add(f"role {node.role}")
                if isinstance(node.target, n.ClipOutput):
                    seen.add(f"output {node.target.output}")
                elif node.role == "extension":
                    seen.add("extend a clip")
            elif isinstance(node, n.UsePackage) and node.without:
                seen.add("without")
            elif isinstance(node, n.Shot):
                seen.add("shot with duration" if node.duration else "shot without duration")
            elif isinstance(node, n.ShotField):
                seen.add(f"field {node.key}")
                if isinstance(node.value, n.Ident):
                    seen.add("field naming an asset")
            elif isinstance(node, n.Dialogue):
                seen.add(f"speaker {type(node.speaker).__name__}")
    wanted = {
        "header",
        "library",
        "comment",
        "multi-line string",
        "Import",
        "TemplateDecl",
        "Defaults",
        *(f"setting {k}" for k in n.SETTING_KEYS),
        "asset image",
        "asset video",
        "PackageDecl",
        "StyleItem",
        "keep",
        "avoid",
        *(f"role {r}" for r in n.ROLES),
        "output last_frame",
        "output video",
        "extend a clip",
        "UsePackage",
        "without",
        "shot with duration",
        "shot without duration",
        *(f"field {k}" for k in n.SHOT_FIELD_KEYS),
        "field naming an asset",
        "speaker Ident",
        "speaker Text",
        "ClipText",
    }
    assert wanted <= seen, sorted(wanted - seen)
