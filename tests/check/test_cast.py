"""The language's second edition: the cast, shared defaults, `omit`, text-only clips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seedance_dsl.check import check_text, resolve_text
from seedance_dsl.cli import main
from seedance_dsl.compiler import compile_text
from seedance_dsl.syntax.format import format_text

HEAD = """storyboard "t"
asset mara_face  image "https://cdn.example.com/m1.png"
asset mara_scrub image "https://cdn.example.com/m2.png"
asset halo_hero  image "https://cdn.example.com/h.png"
asset moves      video "https://cdn.example.com/dance.mp4"
package neon { style "neon" keep natural motion }
character mara {
  ref  mara_face, mara_scrub
  look "a nurse in her thirties"
}
product halo { ref halo_hero  look "a white ring-shaped lamp" }
"""


def codes(text: str) -> list[str]:
    return [d.code for d in check_text(text, "t.shot").diagnostics if d.code != "SHOT206"]


def clip(text: str, name: str):  # type: ignore[no-untyped-def]
    c = compile_text(text, "t.shot")
    return next(x for x in c.clips if x.name == name)


def test_a_subject_brings_the_member_without_a_ref_line() -> None:
    text = HEAD + 'clip a { shot { subject mara  action "waves" } }\n'
    assert codes(text) == []
    a = clip(text, "a")
    assert a.payload["media_urls"] == [
        "https://cdn.example.com/m1.png",
        "https://cdn.example.com/m2.png",
    ]
    assert a.prompt.count("a nurse in her thirties") == 1  # described once
    assert "The character in reference images 1 and 2 waves." in a.prompt
    assert "mara" not in a.prompt


def test_say_and_cast_lines_bring_members_in_order() -> None:
    text = HEAD + 'clip a {\n  cast halo\n  shot { say mara "Hi."  action "talks" }\n}\n'
    a = clip(text, "a")
    assert a.payload["media_urls"][2] == "https://cdn.example.com/h.png"
    assert 'The character in reference images 1 and 2 says: "Hi."' in a.prompt
    assert (
        "The product in reference image 3 is a white ring-shaped lamp; keep its shape" in a.prompt
    )
    assert a.source_map["media_urls[2]"].line == 13  # the `cast halo` line


def test_defaults_give_packages_and_cast_and_omit_drops_them() -> None:
    text = (
        HEAD
        + "defaults {\n  use neon\n  cast halo\n}\n"
        + 'clip a { shot { action "x" } }\n'
        + 'clip b {\n  omit halo, neon\n  shot { action "y" } }\n'
    )
    assert codes(text) == []
    a, b = clip(text, "a"), clip(text, "b")
    assert a.payload["media_urls"] == ["https://cdn.example.com/h.png"]
    assert "Style: neon." in a.prompt and "Constraints: natural motion." in a.prompt
    assert "media_urls" not in b.payload
    assert "neon" not in b.prompt and "no watermark" in b.prompt  # the standard package


def test_omit_of_something_the_defaults_do_not_give_is_SHOT216() -> None:
    text = HEAD + "defaults { use neon }\n" + 'clip a {\n  omit halo\n  shot { action "x" } }\n'
    diags = [d for d in check_text(text, "t.shot").diagnostics if d.code == "SHOT216"]
    assert len(diags) == 1 and diags[0].span.line == 14 and diags[0].help


def test_unknown_and_empty_members_are_SHOT218() -> None:
    text = HEAD + "character ghost {}\n" + 'clip a {\n  cast mra\n  shot { action "x" } }\n'
    found = [d for d in resolve_text(text, "t.shot").diagnostics if d.code == "SHOT218"]
    assert [d.span.line for d in found] == [12, 14]
    assert "did you mean `mara`" in found[1].message


def test_member_refs_must_be_image_assets() -> None:
    text = HEAD + 'character dancer { ref moves }\nclip a { cast dancer  shot { action "x" } }\n'
    assert "SHOT207" in codes(text)


def test_a_second_look_is_SHOT115() -> None:
    text = HEAD + 'product p { look "a"  look "b" }\nclip a { cast p  shot { action "x" } }\n'
    assert "SHOT115" in codes(text)


def test_an_explicit_ref_of_a_members_asset_is_one_reference() -> None:
    text = (
        HEAD + 'clip a {\n  ref halo_hero as product\n  shot { subject halo  action "glows" } }\n'
    )
    a = clip(text, "a")
    assert a.payload["media_urls"] == ["https://cdn.example.com/h.png"]
    assert a.prompt.count("a white ring-shaped lamp") == 1


def test_a_member_without_references_is_named_by_its_look() -> None:
    text = (
        HEAD
        + 'character theo { look "a tall man" }\nclip a { shot { subject theo  action "cooks" } }\n'
    )
    a = clip(text, "a")
    assert "A tall man cooks." in a.prompt and "media_urls" not in a.payload


def test_roles_have_their_own_words() -> None:
    text = (
        HEAD
        + 'asset crane video "https://cdn.example.com/c.mp4"\n'
        + "clip a {\n  ref moves as motion\n  ref crane as camera\n  ref halo_hero as product\n"
        + '  shot { action "x" } }\n'
    )
    p = clip(text, "a").prompt
    assert "Follow the movement of the subject in reference video 1" in p
    assert "Follow the camera movement of reference video 2." in p
    assert "The product in reference image 1 keeps its exact shape, colour and markings." in p


def test_a_text_only_clip_is_noted_when_others_get_a_package() -> None:
    text = 'storyboard "t"\nclip a { shot { action "x" } }\nclip b { text "as written" }\n'
    notes = [d for d in check_text(text, "t.shot").diagnostics if d.code == "SHOT217"]
    assert (
        len(notes) == 1
        and notes[0].severity == "note"
        and "`use standard`" in (notes[0].help or "")
    )
    alone = 'storyboard "t"\nclip b { text "as written" }\n'
    assert "SHOT217" not in codes(alone)  # e.g. the provider's example, as it is


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit):
        main(argv)
    return capsys.readouterr().out


def test_compile_text_and_json_say_verbatim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "t.shot"
    f.write_text('storyboard "t"\nclip b { text "as written" }\n', encoding="utf-8")
    text = _run(["compile", str(f)], capsys)
    assert "sent verbatim: no constraint package (add `use standard`)" in text
    out = json.loads(_run(["compile", "--format", "json", str(f)], capsys))
    assert out["clips"][0]["verbatim"] is True and out["clips"][0]["cast"] == []


def test_formatter_lays_out_the_new_constructs_and_keeps_comments() -> None:
    messy = (
        'storyboard "t"\ndefaults { cast halo use neon  aspect 16:9 }\n'
        'character mara { look "x" ref a, b }  // the nurse\n'
        "clip c { omit halo // no lamp\n cast mara shot { subject mara } }\n"
    )
    out, diags = format_text(messy)
    assert not diags and out is not None
    assert 'character mara { ref a, b  look "x" }  // the nurse\n' in out  # it fits
    assert "  omit halo  // no lamp\n  cast mara\n" in out
    assert "defaults {\n  cast   halo\n  use    neon\n  aspect 16:9\n}" in out  # source order
    again, _ = format_text(out)
    assert again == out


def test_imports_carry_cast_members(tmp_path: Path) -> None:
    (tmp_path / "lib.shot").write_text(
        'asset mara_face image "https://cdn.example.com/mara.png"\n'
        'character mara { ref mara_face  look "a nurse" }\n',
        encoding="utf-8",
    )
    main = tmp_path / "main.shot"
    main.write_text(
        'storyboard "m"\nimport "lib.shot"\nclip a { shot { subject mara  action "waves" } }\n',
        encoding="utf-8",
    )
    from seedance_dsl.compiler import compile_file

    c = compile_file(main)
    assert not c.diagnostics
    assert c.clips[0].payload["media_urls"] == ["https://cdn.example.com/mara.png"]
    assert "a nurse" in c.clips[0].prompt


def test_comments_inside_a_member_are_kept() -> None:
    src = (
        'asset a image "u"\ncharacter mara {\n  ref a  // the face\n  // own line\n'
        '  look "x"\n}\nclip c { cast mara }\n'
    )
    out, diags = format_text(src)
    assert not diags and out is not None
    assert "// the face" in out and "// own line" in out
    assert format_text(out)[0] == out


def test_compile_json_of_the_cast_example_fits_the_schema(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import jsonschema

    from seedance_dsl.agents.schema import COMPILE_SCHEMA

    example = Path(__file__).resolve().parents[2] / "examples" / "night_shift.shot"
    out = json.loads(_run(["compile", "--format", "json", str(example)], capsys))
    jsonschema.validate(out, COMPILE_SCHEMA)
    by_name = {c["name"]: c for c in out["clips"]}
    assert by_name["dance"]["cast"] == ["mara", "theo", "halo"]
    assert by_name["street"]["cast"] == ["mara"]
    assert not any(c["verbatim"] for c in out["clips"])
