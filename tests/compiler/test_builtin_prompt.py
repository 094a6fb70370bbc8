"""The built-in template rendered without jinja2 (compiler/builtin_prompt.py) gives the
prompt jinja2 gives from ``templates/default.j2``, on every storyboard of the test suite
and the examples; and it is used only for the template it was written from."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from seedance_dsl.compiler import builtin_prompt, compile_file, prompt

ROOT = Path(__file__).resolve().parents[2]
SHOTS = sorted(
    p
    for p in [*ROOT.glob("tests/**/*.shot"), *ROOT.glob("examples/**/*.shot")]
    if p.stat().st_size < 200_000
)


def _prompts(path: Path) -> list[tuple[str, str]]:
    sb = compile_file(path)
    return [(c.name, c.prompt) for c in sb.clips]


def test_the_sha256_is_that_of_default_j2() -> None:
    got = hashlib.sha256(prompt.BUILTIN_TEMPLATE.read_bytes()).hexdigest()
    assert got == builtin_prompt.DEFAULT_J2_SHA256, (
        "templates/default.j2 changed: make compiler/builtin_prompt.py render it as "
        "jinja2 does, then set DEFAULT_J2_SHA256 to " + got
    )


@pytest.mark.parametrize("path", SHOTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_and_jinja2_render_the_same_prompts(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _prompts(path)
    monkeypatch.setattr(prompt, "_FAST_BUILTIN", False)
    slow = _prompts(path)
    assert fast == slow


def test_a_changed_builtin_template_is_rendered_by_jinja2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = tmp_path / "default.j2"
    changed.write_text("Changed: {{ clip.name }}\n", encoding="utf-8")
    monkeypatch.setattr(prompt, "BUILTIN_TEMPLATE", changed)
    tpl = prompt.load_template(None)
    assert tpl.render({"clip": {"name": "a"}}) == "Changed: a"


def test_compile_imports_no_jinja2_for_the_builtin_template() -> None:
    code = (
        "import sys\n"
        "from seedance_dsl.compiler import compile_file\n"
        f"sb = compile_file({str(ROOT / 'examples' / 'teaser.shot')!r})\n"
        "assert sb.ok and sb.clips[0].prompt\n"
        "print('jinja2' in sys.modules)\n"
    )
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert got.returncode == 0, got.stderr
    assert got.stdout.strip() == "False"
