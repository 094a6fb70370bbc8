"""The package facade: every advertised name resolves, lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

import seedance_dsl


@pytest.mark.parametrize("name", sorted(seedance_dsl.__all__))
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(seedance_dsl, name) is not None


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = seedance_dsl.nope  # type: ignore[attr-defined]


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = (
        "import sys, seedance_dsl; "
        "print(sorted(m for m in ('pydantic','jinja2','httpx','lark','rich','starlette','av') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_pipeline_from_python(tmp_path: object) -> None:
    compiled = seedance_dsl.compile_text(
        'storyboard "t"\nclip a { shot { text "A glass train crosses a bridge" } }\n'
    )
    assert compiled.ok
    assert compiled.clips[0].payload["prompt"] == "A glass train crosses a bridge"


FACADES = [
    "seedance_dsl",
    "seedance_dsl.api",
    "seedance_dsl.client",
    "seedance_dsl.compiler",
    "seedance_dsl.render",
    "seedance_dsl.sandbox",
]


@pytest.mark.parametrize("facade", FACADES)
def test_dir_lists_every_export_without_importing_it(facade: str) -> None:
    # in a fresh interpreter, so that no earlier test has imported the submodules yet
    code = (
        f"import sys, importlib; m = importlib.import_module({facade!r}); "
        "missing = sorted(set(m.__all__) - set(dir(m))); "
        "print(missing, sorted(set(dir(m)) - set(vars(m)) - set(m.__all__)), "
        "'pydantic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] [] False"
