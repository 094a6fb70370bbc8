"""``render`` never imports ``sandbox`` (docs/architecture's layering): the renderer
receives a base URL, and ``--sandbox`` is wired one layer up (seedance_dsl/workflow.py,
the CLI).  Every import statement counts, ``TYPE_CHECKING`` ones too."""

from __future__ import annotations

import ast
from pathlib import Path

RENDER = Path(__file__).resolve().parents[2] / "seedance_dsl" / "render"


def imported_modules(path: Path) -> set[str]:
    """Absolute names of the modules ``path`` imports (relative ones resolved)."""
    package = "seedance_dsl.render"
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            names.add(mod)
            names.update(f"{mod}.{a.name}" for a in node.names)
    return names


def test_render_does_not_import_the_sandbox() -> None:
    offenders = [
        f"{p.name}: {m}"
        for p in sorted(RENDER.rglob("*.py"))
        for m in sorted(imported_modules(p))
        if m == "seedance_dsl.sandbox" or m.startswith("seedance_dsl.sandbox.")
    ]
    assert not offenders, offenders


def test_the_check_sees_a_relative_sandbox_import(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("from ..sandbox.settings import SandboxSettings\nimport os\n")
    assert "seedance_dsl.sandbox.settings" in imported_modules(f)


def test_the_renderers_own_render_file_needs_a_sandbox_handed_to_it(tmp_path: Path) -> None:
    import pytest
    from render_helpers import independent

    from seedance_dsl.errors import UsageError
    from seedance_dsl.render import render_file

    shot = tmp_path / "film.shot"
    shot.write_text(independent(1))
    with pytest.raises(UsageError) as info:
        render_file(shot, sandbox=True, out_dir=tmp_path / "out")
    assert "seedance_dsl.render_file" in (info.value.help or "")
    assert not (tmp_path / ".seedance").exists()  # nothing locked, planned or sent


def test_workflow_wires_the_sandbox_for_python_users() -> None:
    import inspect

    import seedance_dsl
    from seedance_dsl import workflow

    assert seedance_dsl.render_file is workflow.render_file
    assert "sandbox_settings" in inspect.signature(workflow.render_file).parameters
