"""Any bytes given to check/fmt give diagnostics or a clean error — never a traceback.

Random bytes, random text, and storyboards mutated at random (characters deleted,
duplicated, swapped, tokens inserted).  When the formatter accepts a mutated file, its
output must still mean the same (``parse(fmt(x)) == parse(x)``) and be stable.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedance_dsl.check import check_file, check_text
from seedance_dsl.syntax.codes import lookup
from seedance_dsl.syntax.format import format_text
from seedance_dsl.syntax.parser import parse_text

ROOT = Path(__file__).resolve().parents[2]
SEEDS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").rglob("*.shot"))]
SEEDS.append((Path(__file__).parent / "cases" / "50_clean.shot").read_text(encoding="utf-8"))
FRAGMENTS = [
    "{",
    "}",
    '"',
    '"""',
    "//",
    ",",
    ".",
    "clip",
    "shot",
    "asset",
    "use",
    "without",
    "as",
    "ref",
    "start",
    "3s",
    "16:9",
    "\n",
    " ",
    "\t",
    "\\",
    "@",
    "é",
    "\x00",
    "\r",
    "\ufeff",
]


def assert_clean(text: str) -> None:
    tree, diags = parse_text(text, "fuzz.shot")
    for d in diags:
        assert lookup(d.code) is not None, d.code
        assert d.message
    if tree is None:
        assert any(d.is_error for d in diags)
    result = check_text(text, "fuzz.shot")
    assert all(lookup(d.code) is not None for d in result.diagnostics)
    formatted, fdiags = format_text(text, "fuzz.shot")
    if formatted is None:
        assert any(d.is_error for d in fdiags)
        return
    again, _ = parse_text(formatted)
    assert tree is not None and again == tree, formatted
    assert format_text(formatted)[0] == formatted


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        j = min(len(text), i + draw(st.integers(0, 12)))
        op = draw(st.sampled_from(["delete", "insert", "duplicate", "swap"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(st.sampled_from(FRAGMENTS)) + text[i:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        else:
            k = min(len(text), j + (j - i))
            text = text[:i] + text[j:k] + text[i:j] + text[k:]
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_storyboards(text: str) -> None:
    assert_clean(text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([*FRAGMENTS, *"abcxyz09=:-_"]), max_size=40))
def test_token_soup(parts: list[str]) -> None:
    assert_clean(" ".join(parts))


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_from_a_file(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.shot"
        p.write_bytes(data)
        result = check_file(p)
        assert all(lookup(x.code) is not None for x in result.diagnostics)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            assert [x.code for x in result.diagnostics] == ["SHOT002"]
            assert result.storyboard is None
            return
        if "\x00" not in text:
            assert_clean(text)


def test_deeply_nested_and_huge_inputs_do_not_crash() -> None:
    assert_clean("{" * 5000)
    assert_clean("clip a { " + "shot { " * 2000)
    assert_clean('storyboard "' + "x" * 100_000)
    tree, diags = parse_text("@" * 10_000)
    assert tree is None and len(diags) == 1  # one run of junk is one error
    many = "\n".join(f"asset a{i} imgae" for i in range(200))
    _, diags = parse_text(many)
    assert diags[-1].code == "SHOT113"  # stops after 50 syntax errors, says so
