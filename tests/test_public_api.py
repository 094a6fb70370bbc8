"""The package facade: every advertised name resolves, lazily."""

from __future__ import annotations

import builtins
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import seedance_dsl
import seedance_dsl.client


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


CHAINED = (
    'storyboard "t"\n'
    'clip a { duration 5s shot { text "A glass train crosses a bridge" } }\n'
    'clip b { duration 5s start a.last_frame shot { text "The train enters a tunnel" } }\n'
)


def test_resolve_names_the_missing_input() -> None:
    compiled = seedance_dsl.compile_text(CHAINED)
    assert compiled.ok, compiled.diagnostics
    b = compiled.clip("b")
    with pytest.raises(seedance_dsl.MissingClipOutput) as info:
        b.resolve({})
    err = info.value
    assert isinstance(err, seedance_dsl.SeedanceDSLError)
    assert isinstance(err, KeyError)  # callers that caught the KeyError still do
    assert (err.clip, err.needs, err.output) == ("b", "a", "last_frame")
    assert "clip `b` needs the last frame of clip `a`" in str(err)
    assert err.help and "ClipOutputs" in err.help and "seedance " not in err.help


def test_resolve_names_an_output_the_server_did_not_return() -> None:
    from seedance_dsl.compiler import ClipOutputs

    b = seedance_dsl.compile_text(CHAINED).clip("b")
    with pytest.raises(seedance_dsl.MissingClipOutput, match="have no last frame"):
        b.resolve({"a": ClipOutputs("https://cdn.example.com/a.mp4", None)})
    request = b.resolve(
        {"a": ClipOutputs("https://cdn.example.com/a.mp4", "https://cdn.example.com/a.png")}
    )
    assert request.image_url == "https://cdn.example.com/a.png"


def test_a_storyboard_with_errors_raises_compile_failed_with_its_diagnostics(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.shot"
    bad.write_text('storyboard "t"\nclip a { duraton 5s }\n', encoding="utf-8")
    for call in (seedance_dsl.plan_file, seedance_dsl.render_file, seedance_dsl.status_file):
        with pytest.raises(seedance_dsl.CompileFailed) as info:
            call(bad)
        err = info.value
        assert isinstance(err, seedance_dsl.SeedanceDSLError)
        assert [d.code for d in err.diagnostics if d.is_error] == ["SHOT208"]
        # written for a Python caller: where the diagnostics are, not a CLI command
        assert err.help is not None and "seedance check" not in err.help
        assert "exc.diagnostics" in err.help and "check_file" in err.help
        assert "SHOT208" in str(err) and "bad.shot:2" in str(err)
    assert not (tmp_path / ".seedance").exists()  # nothing was planned or rendered


def test_the_cli_keeps_its_own_wording(tmp_path: Path) -> None:
    bad = tmp_path / "bad.shot"
    bad.write_text('storyboard "t"\nclip a { duraton 5s }\n', encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "seedance_dsl.cli", "plan", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1  # storyboard errors exit 1, as in check
    assert "SHOT208" in out.stderr
    assert f"help: run `seedance check {bad}`" in out.stderr
    assert "exc.diagnostics" not in out.stderr
    as_json = subprocess.run(
        [sys.executable, "-m", "seedance_dsl.cli", "plan", str(bad), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert as_json.returncode == 1
    payload = json.loads(as_json.stdout)
    assert payload["kind"] == "compile" and "seedance check" in payload["help"]
    assert [d["code"] for d in payload["diagnostics"]] == ["SHOT208"]


def test_python_arguments_are_named_as_python_arguments(tmp_path: Path) -> None:
    ok = tmp_path / "ok.shot"
    ok.write_text(CHAINED, encoding="utf-8")
    for kwargs, name in [({"take": -1}, "take"), ({"concurrency": 0}, "concurrency")]:
        with pytest.raises(seedance_dsl.UsageError) as info:
            seedance_dsl.render_file(ok, **kwargs)  # type: ignore[arg-type]
        assert info.value.message.startswith(f"{name}=")
        assert "--" not in info.value.message


def python_api_section() -> str:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Python API\n(.*?)(?=^## )", readme, re.M | re.S)
    assert match, "README has no '## Python API' section"
    return match.group(1)


def test_readme_documents_every_public_function_and_what_it_raises() -> None:
    section = python_api_section()
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if len(cells) == 3:
            for name in re.findall(r"`(\w+)\(", cells[0]):
                rows[name] = cells[2]
    callables = {
        n
        for n in seedance_dsl.__all__
        if callable(getattr(seedance_dsl, n)) and not isinstance(getattr(seedance_dsl, n), type)
    }
    assert callables <= set(rows), sorted(callables - set(rows))
    for name in callables:
        raises = rows[name]
        assert raises, name
        for exc in re.findall(r"`([A-Z]\w+)`", raises):  # each one importable
            assert any(hasattr(m, exc) for m in (seedance_dsl, seedance_dsl.client, builtins)), exc
    for exc_name in ("CompileFailed", "MissingClipOutput", "RenderSetupError", "UsageError"):
        assert f"`{exc_name}`" in section


def test_public_render_functions_document_their_exceptions() -> None:
    from seedance_dsl.compiler.model import CompiledClip

    for fn in (
        seedance_dsl.plan_file,
        seedance_dsl.render_file,
        seedance_dsl.status_file,
        CompiledClip.resolve,
    ):
        assert fn.__doc__ and "Raises" in fn.__doc__, fn.__qualname__
