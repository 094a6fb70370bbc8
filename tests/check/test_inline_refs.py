"""A cast member's inline references: ``ref "https://..."`` or ``ref "refs/face.png"``
is an image asset declared implicitly, named after the member; it checks and compiles as
the equivalent ``asset`` line does (issue 11, "Done when")."""

from __future__ import annotations

import json
from pathlib import Path

from seedance_dsl.check import check_file, check_text
from seedance_dsl.compiler import compile_file, compile_text
from seedance_dsl.compiler.output import to_json
from seedance_dsl.syntax.format import format_text

EXPLICIT = """storyboard "t"
asset mara_face  image "https://cdn.example.com/m1.png"
asset mara_scrub image "https://cdn.example.com/m2.png"
asset halo_hero  image "https://cdn.example.com/h.png"
character mara { ref mara_face, mara_scrub  look "a nurse in her thirties" }
product halo { ref halo_hero  look "a white ring-shaped lamp" }
clip a {
  cast halo
  shot { subject mara  action "waves" }
}
clip b { shot { say mara "Hi."  camera "static" } }
"""
INLINE = """storyboard "t"
character mara {
  ref  "https://cdn.example.com/m1.png", "https://cdn.example.com/m2.png"
  look "a nurse in her thirties"
}
product halo { ref "https://cdn.example.com/h.png"  look "a white ring-shaped lamp" }
clip a {
  cast halo
  shot { subject mara  action "waves" }
}
clip b { shot { say mara "Hi."  camera "static" } }
"""


def test_inline_refs_compile_to_the_same_payloads_as_asset_lines() -> None:
    explicit = compile_text(EXPLICIT, "t.shot")
    inline = compile_text(INLINE, "t.shot")
    assert not explicit.diagnostics and not inline.diagnostics
    for e, i in zip(explicit.clips, inline.clips, strict=True):
        assert i.payload == e.payload  # media_urls, prompt (the wording), every field
        assert [(r.role, r.field, r.phrase, r.member) for r in i.references] == [
            (r.role, r.field, r.phrase, r.member) for r in e.references
        ]
    a = inline.clips[0]
    assert a.payload["media_urls"] == [
        "https://cdn.example.com/m1.png",
        "https://cdn.example.com/m2.png",
        "https://cdn.example.com/h.png",
    ]
    assert [r.name for r in a.references] == ["mara", "mara#2", "halo"]
    assert a.source_map["media_urls[0]"].line == 9  # the shot that named her


def test_inline_refs_keep_the_compile_json_apart_only_in_the_names() -> None:
    e = json.loads(json.dumps(to_json(compile_text(EXPLICIT, "t.shot"))))
    i = json.loads(json.dumps(to_json(compile_text(INLINE, "t.shot"))))
    import jsonschema

    from seedance_dsl.agents.schema import COMPILE_SCHEMA

    jsonschema.validate(i, COMPILE_SCHEMA)  # the schema of `compile` holds for them
    for ec, ic in zip(e["clips"], i["clips"], strict=True):
        assert ic["body"] == ec["body"] and ic["idempotency_key"] == ec["idempotency_key"]
        assert ic["cast"] == ec["cast"]


def test_a_remote_inline_ref_goes_through_the_url_rules_at_its_string() -> None:
    text = INLINE.replace('"https://cdn.example.com/h.png"', '"http://127.0.0.1/h.png"')
    got = compile_text(text, "t.shot")
    bad = [d for d in got.diagnostics if d.is_error]
    assert bad, got.diagnostics
    assert bad[0].span is not None and bad[0].span.line == 6
    assert text.splitlines()[5][bad[0].span.column - 1 :].startswith('"http://127.0.0.1')


def _still(path: Path) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 36), (200, 40, 40)).save(path)


LOCAL = """storyboard "l"
character mara { ref "refs/mara.png"  look "a nurse" }
clip a { shot { subject mara  action "waves" } }
"""


def test_a_local_inline_ref_is_checked_as_an_asset_line(tmp_path: Path) -> None:
    (tmp_path / "t.shot").write_text(LOCAL)
    missing = check_file(tmp_path / "t.shot").diagnostics
    assert [d.code for d in missing] == ["SHOT260"]
    span = missing[0].span
    assert span is not None and (span.line, span.column) == (2, 22)  # at the string
    _still(tmp_path / "refs" / "mara.png")
    assert check_file(tmp_path / "t.shot").diagnostics == ()
    compiled = compile_file(tmp_path / "t.shot")
    (ref,) = compiled.clips[0].local_references
    assert ref.name == "mara" and ref.local_path == "refs/mara.png"
    assert ref.local_file is not None
    assert ref.local_file.path == str((tmp_path / "refs" / "mara.png").resolve())
    # the same file through an `asset` line: the same payload but for the asset's name
    (tmp_path / "e.shot").write_text(
        LOCAL.replace('ref "refs/mara.png"', "ref face").replace(
            "character", 'asset face image "refs/mara.png"\ncharacter'
        )
    )
    explicit = compile_file(tmp_path / "e.shot")
    assert not explicit.diagnostics
    e, i = explicit.clips[0].payload, compiled.clips[0].payload
    assert i["prompt"] == e["prompt"]
    assert [u.replace("asset mara", "asset face") for u in i["media_urls"]] == e["media_urls"]


def test_a_local_video_as_an_inline_ref_is_the_wrong_kind(tmp_path: Path) -> None:
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "mara.png").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    (tmp_path / "t.shot").write_text(LOCAL)
    codes = [d.code for d in check_file(tmp_path / "t.shot").diagnostics]
    assert codes and codes[0] in ("SHOT265", "SHOT266")


def test_inline_refs_format_and_one_line_members() -> None:
    src = (
        'character theo {ref theo_face look "a tall man"}\n'
        'product halo {\n  ref "https://cdn.example.com/h.png", h2\n}\n'
    )
    out, diags = format_text(src)
    assert not diags and out is not None
    assert out == (  # one-line members are lines, like assets: no blank line added
        'character theo { ref theo_face  look "a tall man" }\n'
        'product halo { ref "https://cdn.example.com/h.png", h2 }\n'
    )
    assert format_text(out)[0] == out
    spaced = out.replace("}\n", "}\n\n", 1)
    assert format_text(spaced)[0] == spaced  # a blank line between them is kept


def test_a_member_too_long_for_one_line_is_a_block() -> None:
    look = "a nurse in her thirties, short dark hair, navy scrubs, a lanyard, tired eyes"
    src = f'character mara {{ ref "https://cdn.example.com/halo/cast/mara-face.png"  look "{look}" }}\n'
    out, _ = format_text(src)
    assert out == (
        "character mara {\n"
        '  ref  "https://cdn.example.com/halo/cast/mara-face.png"\n'
        f'  look "{look}"\n'
        "}\n"
    )
    assert format_text(out)[0] == out


def test_comments_inside_a_member_stay_where_they_were() -> None:
    src = (
        "character mara {  // the nurse\n"
        "  // her face and scrubs\n"
        '  ref  a, "refs/b.png"  // two images\n'
        "  // in words\n"
        '  look "x"              // said once\n'
        "  // closing\n"
        "}\n"
    )
    out, diags = format_text(src)
    assert not diags
    assert out == src  # already canonical: nothing moves
    moved = src.replace('ref  a, "refs/b.png"', 'ref a,\n  "refs/b.png"')
    assert format_text(moved)[0] == src


def test_omit_of_a_member_a_shot_names_is_a_warning() -> None:
    text = EXPLICIT.replace("clip b {", "defaults { cast mara }\nclip b {\n  omit mara\n ")
    diags = [d for d in check_text(text, "t.shot").diagnostics if d.code == "SHOT219"]
    assert len(diags) == 1
    d = diags[0]
    assert d.severity == "warning" and d.help and "delete `omit mara`" in d.help
    assert d.span is not None and d.span.line == 13
    assert d.labels and d.labels[0].span.line == 14  # the shot that brings her
    # an omit the clip does not undo: no warning
    quiet = text.replace('say mara "Hi."', 'action "a quiet hall"')
    assert "SHOT219" not in [d.code for d in check_text(quiet, "t.shot").diagnostics]


def test_a_look_only_member_brought_but_never_named_is_described() -> None:
    text = (
        'storyboard "t"\ncharacter theo { look "a tall man in a grey hoodie" }\n'
        'product halo { look "a white ring-shaped lamp" }\n'
        'clip a {\n  cast theo, halo\n  shot { action "the kitchen at night" }\n}\n'
        'clip b {\n  cast theo\n  shot { subject theo  action "cooks" }\n}\n'
    )
    got = compile_text(text, "t.shot")
    assert not [d for d in got.diagnostics if d.is_error]
    a, b = got.clips
    assert (
        "A main character in the scene is a tall man in a grey hoodie; keep their "
        "appearance consistent." in a.prompt
    )
    assert "The product in the scene is a white ring-shaped lamp; keep its shape" in a.prompt
    assert b.prompt.lower().count("a tall man in a grey hoodie") == 1  # named by the shot
