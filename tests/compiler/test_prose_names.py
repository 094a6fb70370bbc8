"""SHOT405 (an asset's name in prose) underlines the word and warns only where the
prose can mean the asset (9.11)."""

from __future__ import annotations

from seedance_dsl.compiler import compile_text

ASSETS = (
    'asset alley image "https://cdn.example.com/alley.png"\n'
    'asset fox image "https://cdn.example.com/fox.png"\n'
    'asset desk_2 image "https://cdn.example.com/desk.png"\n'
)


def shot405(body: str) -> list[tuple[str, str, int, int, str]]:
    compiled = compile_text(f'storyboard "S"\n{ASSETS}{body}', "s.shot")
    return [
        (d.severity, d.message.split("`")[1], d.span.column, d.span.end_column, d.help or "")
        for d in compiled.diagnostics
        if d.code == "SHOT405" and d.span is not None
    ]


def test_an_ordinary_word_is_not_a_warning_where_it_cannot_mean_the_asset() -> None:
    # `alley` is the start frame: "the alley" in the prose is the word, not the asset
    assert (
        shot405('clip a {\n  start alley\n  shot { action "a cat runs down the alley" }\n}\n') == []
    )
    # `fox` is not supplied to this clip at all
    assert shot405('clip a {\n  shot { action "the fox sleeps" }\n}\n') == []


def test_a_character_name_in_prose_warns_at_the_word() -> None:
    line = '  shot { action "then the fox jumps" }'
    found = shot405(f"clip a {{\n  ref fox as character\n{line}\n}}\n")
    col = line.index("fox") + 1
    assert found == [
        (
            "warning",
            "fox",
            col,
            col + 3,
            'write `subject fox` (or `say fox "..."`) so the compiler names it by role, '
            "or rephrase, or rename the asset",
        )
    ]


def test_an_identifier_is_an_error_with_help_for_its_role() -> None:
    line = '  shot { action "the cat sits at desk_2" }'
    (found,) = shot405(f"clip a {{\n  start desk_2\n{line}\n}}\n")
    severity, name, col, end, help_ = found
    assert (severity, name, col, end) == (
        "error",
        "desk_2",
        line.index("desk_2") + 1,
        line.index("desk_2") + 7,
    )
    assert "subject" not in help_ and "start frame" in help_
