"""Any bytes given to parse/check/compile/fmt give diagnostics or a clean error — never a
traceback.

Random bytes, random text, and storyboards mutated at random (characters deleted,
duplicated, swapped, tokens inserted — among them escapes of characters no text can
hold, and foreign comments).  When the formatter accepts a mutated file, its output must
still mean the same (``parse(fmt(x)) == parse(x)``) and be stable.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedance_dsl.check import check_file, check_text
from seedance_dsl.compiler.pipeline import compile_text
from seedance_dsl.syntax import nodes as n
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
    # escapes of characters no prompt or path can hold (found by fuzzing compile)
    "\\u0000",
    "\\ud800",
    "\\udfff",
    "\\ud83c\\udfac",
    "\ud800",
    "#",
    "/*",
    "*/",
    'template "',
    'import "',
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
    compiled = compile_text(text, "fuzz.shot")
    assert all(lookup(d.code) is not None for d in compiled.diagnostics)
    if compiled.ok:  # whatever compiles can be sent: its payload is encodable JSON
        for clip in compiled.clips:
            json.dumps(clip.payload, ensure_ascii=False).encode("utf-8")
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


CLIP = 'clip a {\n  shot { action "a train arrives" }\n}\n'


def test_escapes_no_text_can_hold_are_diagnostics_not_exceptions() -> None:
    # found by fuzzing: both raised inside the compiler's template loading
    for path in ("\\ud800", "house\\u0000.j2", "\\udfff.j2"):
        text = f'template "{path}"\n{CLIP}'
        compiled = compile_text(text, "t.shot")
        codes = [d.code for d in compiled.diagnostics]
        assert codes == ["SHOT114"], codes
        span = compiled.diagnostics[0].span
        assert span is not None and text[span.start_pos : span.end_pos].startswith("\\u")
        assert not compiled.ok
    for text in ('import "lib\\u0000.shot"\n' + CLIP, f'asset s image "\\ud800"\n{CLIP}'):
        assert [d.code for d in check_text(text, "t.shot").diagnostics] == ["SHOT114"]
        assert not compile_text(text, "t.shot").ok


def test_raw_nul_and_surrogates_from_the_api_are_diagnostics() -> None:
    for bad in ("\x00", "\ud800", "\udfff"):
        for text in (
            f'template "house{bad}.j2"\n{CLIP}',
            f'storyboard "x"  // a comment with {bad} in it\n{CLIP}',
            f"clip a {{ shot {{ action {bad} }} }}",
        ):
            compiled = compile_text(text, "t.shot")
            assert compiled.diagnostics and not compiled.ok, text
            assert all(d.span is not None for d in compiled.diagnostics)
            assert format_text(text)[0] is None


def test_deeply_nested_and_huge_inputs_do_not_crash() -> None:
    assert_clean("{" * 5000)
    assert_clean("clip a { " + "shot { " * 2000)
    assert_clean('storyboard "' + "x" * 100_000)
    tree, diags = parse_text("@" * 10_000)
    assert tree is None and len(diags) == 1  # one run of junk is one error
    many = "\n".join(f"asset a{i} imgae" for i in range(200))
    _, diags = parse_text(many)
    assert diags[-1].code == "SHOT113"  # stops after 50 syntax errors, says so


def _holdable(chars: str) -> bool:
    """Whether ``chars`` written as \\u escapes makes a string with no NUL and no lone
    surrogate (a high surrogate escape followed by a low one is one character)."""
    i = 0
    while i < len(chars):
        c = ord(chars[i])
        if c == 0 or 0xDC00 <= c <= 0xDFFF:
            return False
        if 0xD800 <= c <= 0xDBFF:
            if i + 1 < len(chars) and 0xDC00 <= ord(chars[i + 1]) <= 0xDFFF:
                i += 2
                continue
            return False
        i += 1
    return True


@settings(max_examples=120, deadline=None)
@given(
    st.text(
        st.characters(max_codepoint=0xFFFF, blacklist_categories=()),
        max_size=8,
    ),
    st.sampled_from(["action", "template", "asset"]),
)
def test_any_escaped_text_compiles_or_is_a_diagnostic(chars: str, where: str) -> None:
    escaped = "".join(f"\\u{ord(c):04x}" for c in chars)
    if where == "action":
        text = f'clip a {{\n  shot {{ action "{escaped}" }}\n}}\n'
    elif where == "template":
        text = f'template "{escaped}.j2"\n{CLIP}'
    else:
        text = f'asset s image "https://cdn.example.com/{escaped}.png"\n{CLIP}'
    compiled = compile_text(text, "t.shot")  # never raises
    codes = [d.code for d in compiled.diagnostics]
    assert ("SHOT114" in codes) == (not _holdable(chars)), (chars, codes)
    sb, _ = parse_text(text, "t.shot", partial=True)
    assert sb is not None
    if where == "action" and _holdable(chars):
        field = sb.clips[0].shots[0].items[0]
        assert isinstance(field, n.ShotField) and isinstance(field.value, n.Text)
        assert field.value.value == chars.encode("utf-16", "surrogatepass").decode("utf-16")
