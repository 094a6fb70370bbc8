"""`check` reports every diagnostic `compile` would (9.2): the template's too, and the
Python `check_file` agrees with `seedance check`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from compiler_golden import CASES, case_names

from seedance_dsl.check import check_file
from seedance_dsl.cli import cli
from seedance_dsl.cli.check_cmd import run_check
from seedance_dsl.compiler import compile_file

HEAD = 'storyboard "T"\ntemplate "house.j2"\nclip a { shot { action "a cat jumps" } }\n'


def check_cli(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", "--format", "concise", str(path)])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("template", "code"),
    [
        (None, "SHOT501"),  # the template file is missing
        ("{% for s in shots %}{{ s.action }}\n", "SHOT502"),  # a jinja syntax error
        ("{{ clip.nmae }}\n", "SHOT503"),  # an undefined variable
        ("{{ shots[0].action }} asset://img_42\n", "SHOT403"),  # an id in the prompt
        ("{{ 'x' * 20000 }}\n", "SHOT401"),  # the prompt is too long
    ],
)
def test_check_reports_the_template_problems_compile_reports(
    tmp_path: Path, template: str | None, code: str
) -> None:
    shot = tmp_path / "film.shot"
    shot.write_text(HEAD)
    if template is not None:
        (tmp_path / "house.j2").write_text(template)
    compiled = compile_file(shot)
    assert code in {d.code for d in compiled.diagnostics} and not compiled.ok
    status, out = check_cli(shot)
    assert status == 1 and f"[{code}]" in out, out
    result = check_file(shot)
    assert not result.ok and code in {d.code for d in result.diagnostics}


def test_a_long_prompt_of_the_builtin_template_is_found_by_check(tmp_path: Path) -> None:
    shot = tmp_path / "film.shot"
    long = " ".join(["a cat jumps over the fence"] * 300)  # ~8,000 characters
    shot.write_text(
        f'storyboard "T"\nclip a {{\n  shot {{ action "{long}" }}\n  shot {{ scene "{long}" }}\n}}\n'
    )
    assert "SHOT401" in {d.code for d in compile_file(shot).diagnostics}
    status, out = check_cli(shot)
    assert status == 1 and "[SHOT401]" in out


def _keys(diags: object) -> set[tuple[str, str]]:
    return {(d.code, str(d.span)) for d in diags}  # type: ignore[attr-defined]


# cases compiled with a --template override are left out: `check` takes no --template
@pytest.mark.parametrize(
    "name", [n for n in case_names() if not (CASES / n / "cli-template.j2").exists()]
)
def test_check_finds_every_compile_diagnostic_of_the_golden_cases(name: str) -> None:
    here = os.getcwd()
    os.chdir(CASES / name)
    try:
        compiled = compile_file("case.shot")
        checked = check_file("case.shot")
        (cli_result,) = run_check(["case.shot"])
    finally:
        os.chdir(here)
    assert _keys(compiled.diagnostics) <= _keys(checked.diagnostics)
    assert checked.ok == compiled.ok
    # the Python function and the command agree
    assert checked.diagnostics == cli_result.diagnostics and checked.ok == cli_result.ok


def test_check_file_fails_on_an_api_rule_like_the_command(tmp_path: Path) -> None:
    shot = tmp_path / "film.shot"
    shot.write_text(
        'storyboard "T"\nclip a { tier standard resolution 4k shot { action "x y" } }\n'
    )
    status, out = check_cli(shot)
    assert status == 1 and "[SHOT308]" in out
    result = check_file(shot)
    assert not result.ok and "SHOT308" in {d.code for d in result.diagnostics}
