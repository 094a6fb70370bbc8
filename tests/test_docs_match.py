"""The docs say what the code does: exit codes, command summaries, prompt-guide ids.

``seedance_dsl/cli/exit_codes.py`` is the one table of exit codes.  README's table and
each command's ``--help`` are compared with it strictly (a missing or an extra code
fails), and every code of the table is produced by running the command.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from seedance_dsl.cli import COMMANDS, cli, main
from seedance_dsl.cli.exit_codes import EXIT_CODES, exit_help, markdown_table

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "prompt-guide.md"
THIS = Path(__file__).resolve()  # its examples cite ids on purpose


# ------------------------------------------------------------------ exit codes


def readme_exit_codes() -> dict[str, dict[int, str]]:
    """The rows ``| `command` | `code` | meaning |`` of README's "Exit codes" section."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^#+ Exit codes\n(.*?)(?=^#)", text, re.M | re.S)
    assert match, "README has no 'Exit codes' section"
    table: dict[str, dict[int, str]] = {}
    rows = 0
    for line in match.group(1).splitlines():
        row = re.fullmatch(r"\| `([a-z]+)` \| `(\d+)` \| (.+?) \|", line.strip())
        if row is None:
            continue
        rows += 1
        command, code, meaning = row.group(1), int(row.group(2)), row.group(3)
        assert code not in table.get(command, {}), f"README lists {command} {code} twice"
        table.setdefault(command, {})[code] = meaning
    assert rows, "README's 'Exit codes' section has no table rows"
    return table


def test_every_command_has_exit_codes() -> None:
    assert set(EXIT_CODES) == set(COMMANDS)


def test_readme_exit_code_table_is_the_code_table() -> None:
    readme = readme_exit_codes()
    assert readme == {c: dict(codes) for c, codes in EXIT_CODES.items()}
    assert markdown_table() in README.read_text(encoding="utf-8")


def test_readme_has_no_exit_code_prose_left() -> None:
    # the old prose ("Exit codes: `0` fine, `1` ...") drifted from the code
    assert "Exit codes: `" not in README.read_text(encoding="utf-8")


def help_text(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--help"], prog_name="seedance")
    assert result.exit_code == 0, result.output
    return result.output


def parse_exit_section(help_output: str) -> dict[int, str]:
    """The codes of the one ``Exit codes:`` paragraph of a ``--help`` output."""
    assert help_output.count("Exit codes:") == 1, help_output
    assert "Exit status" not in help_output
    paragraph = help_output.split("Exit codes:", 1)[1].split("\n\n", 1)[0]
    text = " ".join(paragraph.split())
    assert text.endswith("."), text
    codes: dict[int, str] = {}
    for part in text[:-1].split("; "):
        item = re.fullmatch(r"(\d+) (.+)", part)
        assert item, f"not `CODE meaning`: {part!r}"
        assert int(item.group(1)) not in codes
        codes[int(item.group(1))] = item.group(2)
    return codes


HELP_PAGES = [[c] for c in sorted(COMMANDS)] + [["sandbox", "serve"]]


@pytest.mark.parametrize("args", HELP_PAGES, ids=" ".join)
def test_help_exit_codes_are_the_code_table(args: list[str]) -> None:
    assert parse_exit_section(help_text(*args)) == dict(EXIT_CODES[args[0]])


def test_exit_help_format() -> None:
    assert exit_help("explain") == (
        "Exit codes: 0 explained (or listed); 2 usage (no code, or an unknown code)."
    )
    for codes in EXIT_CODES.values():
        assert all(";" not in meaning for meaning in codes.values())


# Each code of the table, produced by running the command.  Codes that need a signal
# or a failing server are proven elsewhere (NOT_RUN_HERE names the test).
NOT_RUN_HERE = {
    ("plan", 3): "interrupt: the same _guard as render (tests/render)",
    ("status", 3): "interrupt: the same _guard as render (tests/render)",
    ("render", 3): "tests/render/test_render_sandbox.py (interrupted, exit 3)",
    ("sandbox", 0): "docs/sandbox.md: Ctrl-C stops the server, exit 0",
    ("mcp", 0): "tests/agents/test_mcp_cli.py (stdin closed: exit 0)",
    ("lsp", 0): "tests/lsp/test_lsp_exit.py (shutdown + exit, or stdin closed: exit 0)",
    ("cut", 0): "tests/cut/test_cut.py (a sandbox render, then its cut)",
    ("trace", 0): "tests/cut/test_cut.py (the trace of a cut and of a clip)",
}

OK = 'storyboard "t"\n\nclip a {\n  shot {\n    text "A glass train crosses a bridge"\n  }\n}\n'
UGLY = 'storyboard   "t"\nclip a { shot { text "A glass train crosses a bridge" } }\n'
CHECK_ERROR = 'storyboard "t"\nclip a { duraton 5s }\n'
SYNTAX_ERROR = 'storyboard "t"\nclip a { shot {\n'

SCENARIOS: list[tuple[str, list[str], int]] = [
    ("check", ["check", "ok.shot"], 0),
    ("check", ["check", "error.shot"], 1),
    ("check", ["check"], 2),
    ("fmt", ["fmt", "ugly.shot"], 0),
    ("fmt", ["fmt", "syntax.shot"], 1),
    ("fmt", ["fmt"], 2),
    ("fmt", ["fmt", "--check", "ugly.shot"], 3),
    ("explain", ["explain", "SHOT101"], 0),
    ("explain", ["explain", "SHOT0000"], 2),
    ("compile", ["compile", "ok.shot"], 0),
    ("compile", ["compile", "error.shot"], 1),
    ("compile", ["compile", "ok.shot", "--clip", "nope"], 2),
    ("preview", ["preview", "ok.shot", "--out", "page"], 0),
    ("preview", ["preview", "error.shot", "--out", "page"], 1),
    ("preview", ["preview", "missing.shot"], 2),
    ("plan", ["plan", "ok.shot"], 0),
    ("plan", ["plan", "error.shot"], 1),
    ("plan", ["plan", "missing.shot"], 2),
    ("render", ["render", "ok.shot", "--sandbox", "--out", "out"], 0),
    ("render", ["render", "error.shot"], 1),
    ("render", ["render", "missing.shot"], 2),
    ("render", ["render", "ok.shot", "--sandbox", "--max-credits", "0"], 4),
    ("status", ["status", "ok.shot"], 0),
    ("status", ["status", "error.shot"], 1),
    ("status", ["status", "missing.shot"], 2),
    ("sandbox", ["sandbox", "serve", "--key", "no-credits"], 2),
    ("mcp", ["mcp", "--root", "no-such-dir"], 2),
    ("lsp", ["lsp", "--no-such-option"], 2),
    ("init", ["init", "new-project"], 0),
    ("init", ["init", "ok.shot"], 2),
    ("cut", ["cut", "ok.shot"], 1),
    ("cut", ["cut", "missing.shot"], 2),
    ("cut", ["cut", "error.shot", "--format", "json"], 1),
    ("cut", ["cut", "missing.shot", "--format", "json"], 2),
    ("trace", ["trace", "ok.shot"], 1),
    ("trace", ["trace", "missing.mp4"], 2),
    ("config", ["config"], 0),
    ("config", ["config", "--profile", "no-such-profile"], 2),
]


@pytest.fixture
def storyboards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name, text in [
        ("ok.shot", OK),
        ("ugly.shot", UGLY),
        ("error.shot", CHECK_ERROR),
        ("syntax.shot", SYNTAX_ERROR),
    ]:
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def test_every_code_has_a_scenario() -> None:
    run = {(c, code) for c, _, code in SCENARIOS}
    table = {(c, code) for c, codes in EXIT_CODES.items() for code in codes}
    assert run.isdisjoint(NOT_RUN_HERE)
    assert run | set(NOT_RUN_HERE) == table


@pytest.mark.parametrize(
    ("command", "args", "code"), SCENARIOS, ids=[" ".join(a) for _, a, _ in SCENARIOS]
)
def test_the_command_exits_with_the_documented_code(
    command: str,
    args: list[str],
    code: int,
    storyboards: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert code in EXIT_CODES[command]
    try:
        main(args)
        exited: object = 0  # a command that returns exits 0
    except SystemExit as exc:
        exited = exc.code
    assert exited == code, capsys.readouterr()


# ------------------------------------------------------- `seedance --help` summaries


def command_summaries(output: str) -> dict[str, str]:
    """``name -> one-line help`` from the Commands section (wrapped lines joined)."""
    section = output.split("Commands:\n", 1)[1]
    summaries: dict[str, str] = {}
    last = ""
    for line in section.splitlines():
        if not line.strip():
            break  # the end of the list (an epilog may follow)
        entry = re.fullmatch(r"  (\S+)\s{2,}(.+)", line)
        if entry:
            last = entry.group(1)
            summaries[last] = entry.group(2).strip()
        elif line.strip() and last:
            summaries[last] += " " + line.strip()
    return summaries


@pytest.mark.parametrize("args", [[], ["sandbox"]], ids=["seedance", "sandbox"])
def test_command_summaries_are_whole_sentences(args: list[str]) -> None:
    summaries = command_summaries(help_text(*args))
    group = cli if not args else cli.get_command(click.Context(cli), args[0])
    assert isinstance(group, click.Group)
    assert set(summaries) == set(group.list_commands(click.Context(group)))
    for name, summary in summaries.items():
        assert not summary.endswith("..."), f"{name}: {summary!r} is cut off"
        assert summary.endswith("."), f"{name}: {summary!r} is not a whole sentence"
        assert summary.count("(") == summary.count(")"), f"{name}: {summary!r}"
        assert summary.count("`") % 2 == 0, f"{name}: {summary!r}"
        assert not summary.endswith(("e.g.", "i.e.")), f"{name}: {summary!r}"


# ------------------------------------------------------------ prompt-guide ids

GUIDE_ID = re.compile(r"(?<![A-Za-z0-9_.\-])([GS])(\d+)(?:\s*[–-]\s*\1(\d+))?(?![0-9A-Za-z])")
SCANNED = ["seedance_dsl", "docs", "tests", "examples", "README.md"]
SUFFIXES = {".py", ".md", ".j2", ".shot", ".txt", ".json", ".lark"}


def cited_ids() -> dict[str, set[str]]:
    """guide id -> the files (relative paths) that cite it, in their text or their path."""
    found: dict[str, set[str]] = {}
    for top in SCANNED:
        base = ROOT / top
        files = [base] if base.is_file() else sorted(base.rglob("*"))
        for path in files:
            if not path.is_file() or path.suffix not in SUFFIXES or path in (GUIDE, THIS):
                continue
            rel = path.relative_to(ROOT).as_posix()
            for text in (path.read_text(encoding="utf-8", errors="replace"), rel):
                for gid in ids_in(text):
                    found.setdefault(gid, set()).add(rel)
    return found


def ids_in(text: str) -> set[str]:
    """The guide ids a text cites; a range ``G1–G8`` cites each id in it."""
    ids: set[str] = set()
    for m in GUIDE_ID.finditer(text.replace("_", " ")):
        first, last = int(m.group(2)), int(m.group(3) or m.group(2))
        ids.update(f"{m.group(1)}{n}" for n in range(first, last + 1))
    return ids


def test_guide_id_scanner() -> None:
    text = "rules G9 and S2–S4 (G3/S3), case G4_raw_ids, not SHOT405, sha S3x or aG1"
    assert ids_in(text) == {"G9", "S2", "S3", "S4", "G3", "G4"}


def defined_ids() -> set[str]:
    """The ids docs/prompt-guide.md defines: headings ``### G1 — ...``."""
    text = GUIDE.read_text(encoding="utf-8")
    return set(re.findall(r"^#{2,4} ([GS]\d+) — \S", text, re.M))


def test_the_prompt_guide_defines_every_cited_id() -> None:
    cited = cited_ids()
    assert {"G1", "G4", "S1"} <= set(cited)  # the scan finds citations at all
    undefined = {i: sorted(files)[:3] for i, files in cited.items() if i not in defined_ids()}
    assert not undefined, f"cited but not defined in docs/prompt-guide.md: {undefined}"


def test_the_prompt_guide_keeps_every_id_of_the_spec() -> None:
    expected = {f"G{n}" for n in range(1, 9)} | {f"S{n}" for n in range(1, 6)}
    assert defined_ids() == expected


def test_ctrl_c_in_a_stateless_command_exits_130_as_readme_says(
    storyboards: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import seedance_dsl.cli.check_cmd as check_cmd
    from seedance_dsl.cli import main
    from seedance_dsl.cli.exit_codes import EXIT_INTERRUPTED

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(check_cmd, "run_check", interrupted)
    with pytest.raises(SystemExit) as info:
        main(["check", "ok.shot"])
    assert info.value.code == EXIT_INTERRUPTED == 130
    assert f"Ctrl-C exits `{EXIT_INTERRUPTED}`" in README.read_text(encoding="utf-8")
    # never fmt --check's "a file would change"
    assert EXIT_INTERRUPTED not in EXIT_CODES["fmt"]
