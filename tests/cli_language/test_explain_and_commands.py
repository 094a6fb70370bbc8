"""`seedance rendr` suggests `render`; `explain` of a code that does not exist says so;
explanations wrap without breaking examples (9.11)."""

from __future__ import annotations

from click.testing import CliRunner

from seedance_dsl.cli import cli
from seedance_dsl.cli.explain_cmd import explain_text, wrap
from seedance_dsl.errors import UsageError
from seedance_dsl.syntax.codes import all_codes


def run(*args: str) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output, result.exception


def test_a_misspelt_command_suggests_the_right_one() -> None:
    code, out, _ = run("rendr", "x.shot")
    assert code == 2 and "Did you mean 'render'?" in out
    code, out, _ = run("chek")
    assert code == 2 and "Did you mean 'check'?" in out
    code, out, _ = run("zzzz")
    assert code == 2 and "Did you mean" not in out and "Commands: check, compile" in out


def test_explain_of_a_code_that_does_not_exist() -> None:
    code, _, exc = run("explain", "SHOT999")
    assert code == 1 and isinstance(exc, UsageError)
    assert exc.message == "diagnostic code SHOT999 does not exist"
    assert "SHOT319" not in (exc.help or "") and "did you mean" not in (exc.help or "")
    # a misspelling of a real code still gets a suggestion; other spellings are accepted
    _, _, exc = run("explain", "SHTO101")
    assert isinstance(exc, UsageError) and "did you mean SHOT101?" in (exc.help or "")
    for spelling in ("shot101", "SHOT-101", "101", " SHOT101 "):
        assert explain_text(spelling).startswith("SHOT101: ")


def test_explanations_wrap_and_keep_their_examples() -> None:
    for info in all_codes():
        text = explain_text(info.code, width=80)
        body = text.split("\n", 2)[2]
        for line in body.splitlines():
            if not line.startswith(" ") and " " in line.strip():
                assert len(line) <= 80, (info.code, line)
        # every indented example line survives exactly
        for line in info.explanation.splitlines():
            if line.startswith("    "):
                assert line.rstrip() in body.splitlines(), (info.code, line)
    # a long one-line explanation (the compiler's) is wrapped, not one 400-column line
    assert max(len(x) for x in explain_text("SHOT405", width=60).splitlines()) <= 60


def test_wrap_keeps_code_blocks_and_lists() -> None:
    text = "A " + "word " * 30 + "\n\n    clip a {  shot { }  }\n\n- an item " + "x " * 40
    out = wrap(text, 40)
    assert "    clip a {  shot { }  }" in out.splitlines()
    items = out.split("\n\n")[-1].splitlines()
    assert items[0].startswith("- an item") and all(i.startswith("  ") for i in items[1:])
    assert all(len(line) <= 40 for line in out.splitlines())
