"""End to end: `seedance lsp` over stdio, on the examples and on broken files."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types as t
from pytest_lsp import LanguageClient

from .conftest import EXAMPLES

TEASER = EXAMPLES / "teaser.shot"
STUDIO = EXAMPLES / "lib" / "studio.shot"


async def open_doc(client: LanguageClient, path: Path, text: str | None = None) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        t.DidOpenTextDocumentParams(
            t.TextDocumentItem(
                uri=uri,
                language_id="shot",
                version=1,
                text=text if text is not None else path.read_text(),
            ),
        )
    )
    return uri


async def diagnostics(
    client: LanguageClient, uri: str, version: int | None = None, timeout: float = 20
) -> list[t.Diagnostic]:
    async def wait() -> list[t.Diagnostic]:
        while True:
            await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
            if uri in client.diagnostics:
                return list(client.diagnostics[uri])

    if uri in client.diagnostics and version is None:
        return list(client.diagnostics[uri])
    return await asyncio.wait_for(wait(), timeout)


def pos(text: str, needle: str, delta: int = 0) -> t.Position:
    i = text.index(needle) + delta
    line = text.count("\n", 0, i)
    return t.Position(line, i - (text.rfind("\n", 0, i) + 1))


@pytest.mark.asyncio
async def test_open_example_has_no_diagnostics(client: LanguageClient) -> None:
    uri = await open_doc(client, TEASER)
    assert await diagnostics(client, uri) == []


BROKEN = """storyboard "b"
asset hero image "https://cdn.example.com/h.png"
clip a {
  tier ultra
  use standrd
  shot { action "x walks" }
}
"""


@pytest.mark.asyncio
async def test_diagnostics_match_check(client: LanguageClient, tmp_path: Path) -> None:
    from seedance_dsl.check import check_text

    path = tmp_path / "b.shot"
    uri = await open_doc(client, path, BROKEN)
    got = await diagnostics(client, uri, 1)
    want = check_text(BROKEN, str(path)).diagnostics
    assert sorted(d.code for d in got) == sorted(d.code for d in want)
    assert {d.message for d in got} == {d.message for d in want}
    d = next(x for x in got if x.code == "SHOT202")
    assert d.range.start == pos(BROKEN, "standrd")
    assert d.code_description is not None and d.code_description.href.startswith("file:")
    assert Path(d.code_description.href[7:]).read_text().startswith("# SHOT202")
    assert any(r.message.startswith("help: ") for r in d.related_information or [])
    # the did-you-mean fix
    actions = await client.text_document_code_action_async(
        t.CodeActionParams(t.TextDocumentIdentifier(uri), d.range, t.CodeActionContext([d]))
    )
    assert actions and actions[0].edit is not None
    edits = actions[0].edit.changes[uri]  # type: ignore[index]
    assert edits[0].new_text == "standard" and edits[0].range == d.range


@pytest.mark.asyncio
async def test_change_is_rechecked(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "c.shot"
    good = BROKEN.replace("tier ultra", "tier pro").replace("standrd", "standard")
    uri = await open_doc(client, path, BROKEN)
    assert await diagnostics(client, uri, 1)
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            t.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [t.TextDocumentContentChangeWholeDocument(text=good)],
        )
    )
    for _ in range(10):
        got = await diagnostics(client, uri, 2)
        if not got:
            break
    assert got == []


@pytest.mark.asyncio
async def test_imported_file_diagnostics_on_the_import_line(
    client: LanguageClient, tmp_path: Path
) -> None:
    (tmp_path / "lib.shot").write_text('package p { style "x" keep stabel faces\n  avoid }\n')
    main = 'storyboard "m"\nimport "lib.shot"\nclip a { use p shot { action "walks" } }\n'
    uri = await open_doc(client, tmp_path / "m.shot", main)
    got = await diagnostics(client, uri, 1)
    assert got, "the import's error is shown"
    line = got[0].range.start.line
    assert line == 1 and "lib.shot" in got[0].message
    lib_uri = (tmp_path / "lib.shot").as_uri()
    for _ in range(20):  # and in the imported file itself, at its own place
        if client.diagnostics.get(lib_uri):
            break
        await asyncio.sleep(0.1)
    own = client.diagnostics[lib_uri]
    assert own and own[0].range.start.line in (0, 1)


@pytest.mark.asyncio
async def test_hover_clip_shows_prompt_and_request(client: LanguageClient) -> None:
    text = TEASER.read_text()
    uri = await open_doc(client, TEASER)
    h = await client.text_document_hover_async(
        t.HoverParams(t.TextDocumentIdentifier(uri), pos(text, "clip reveal", 6))
    )
    assert h is not None
    value = h.contents.value  # type: ignore[union-attr]
    for want in (
        "mode: `image-to-video`",
        "quality_tier",
        "duration",
        "resolution",
        "media_urls[0]",
        "character",
        "estimated credits",
        "Prompt:",
    ):
        assert want in value, want


@pytest.mark.asyncio
async def test_hover_asset_setting_package(client: LanguageClient) -> None:
    text = TEASER.read_text()
    uri = await open_doc(client, TEASER)

    async def at(needle: str, delta: int = 0) -> str:
        h = await client.text_document_hover_async(
            t.HoverParams(t.TextDocumentIdentifier(uri), pos(text, needle, delta))
        )
        assert h is not None, needle
        return h.contents.value  # type: ignore[union-attr]

    v = await at("ref   halo_lamp", 7)
    assert "image" in v and "lamp-hero.png" in v and "reveal" in v and "media_urls[0]" in v
    v = await at("resolution 720p", 1)
    assert "`resolution`" in v and "1080p" in v and "4k" in v
    v = await at("use   studio_look", 7)
    assert "clean commercial look" in v and "watermark" in v
    v = await at("use      standard", 10)
    assert "subtitles" in v and "built in" in v


async def labels(client: LanguageClient, uri: str, p: t.Position) -> list[str]:
    r = await client.text_document_completion_async(
        t.CompletionParams(t.TextDocumentIdentifier(uri), p)
    )
    items = r.items if isinstance(r, t.CompletionList) else (r or [])
    return [i.label for i in items]


COMPLETE = "".join(  # trailing spaces matter: the cursor is after them
    line + "\n"
    for line in [
        'storyboard "c"',
        'import "lib/studio.shot"',
        'asset hero image "https://cdn.example.com/h.png"',
        "defaults {",
        "  tier ",
        "}",
        'clip one { shot { action "walks" } }',
        "clip two {",
        "  start one.",
        "  ref hero as ",
        "  use standard without ",
        "  use ",
        "  shot { subject  }",
        "  ",
        "}",
        "",
    ]
)


@pytest.mark.asyncio
async def test_completion_in_context(client: LanguageClient) -> None:
    uri = await open_doc(client, EXAMPLES / "complete_me.shot", COMPLETE)
    await diagnostics(client, uri, 1)
    t_ = COMPLETE
    assert {"mini", "standard", "pro"} <= set(await labels(client, uri, pos(t_, "tier ", 5)))
    assert set(await labels(client, uri, pos(t_, "one.", 4))) == {"last_frame", "video"}
    roles = {"character", "product", "motion", "camera", "style"}
    assert roles == set(await labels(client, uri, pos(t_, "as \n", 3)))
    assert "subtitles" in await labels(client, uri, pos(t_, "without ", 8))
    got = await labels(client, uri, pos(t_, "use \n", 4))
    assert {"standard", "studio_look", "night_city"} <= set(got)
    got = await labels(client, uri, pos(t_, "subject  ", 8))
    assert {"hero", "studio_set", "brand_logo"} <= set(got)
    got = await labels(client, uri, pos(t_, "  \n}\n\n", 2))
    assert {"shot", "use", "ref", "start", "tier", "duration"} <= set(got)
    got = await labels(client, uri, t.Position(t_.count("\n"), 0))
    assert {"clip", "asset", "package", "import", "defaults"} <= set(got)


@pytest.mark.asyncio
async def test_definition_and_references_across_imports(client: LanguageClient) -> None:
    text = TEASER.read_text()
    uri = await open_doc(client, TEASER)
    locs = await client.text_document_definition_async(
        t.DefinitionParams(t.TextDocumentIdentifier(uri), pos(text, "use   studio_look", 7))
    )
    assert isinstance(locs, list) and locs[0].uri == STUDIO.as_uri()
    assert locs[0].range.start.line == STUDIO.read_text().split("\n").index(
        next(x for x in STUDIO.read_text().split("\n") if x.startswith("package studio_look"))
    )
    refs = await client.text_document_references_async(
        t.ReferenceParams(
            text_document=t.TextDocumentIdentifier(uri),
            position=pos(text, "start    reveal", 9),
            context=t.ReferenceContext(include_declaration=True),
        )
    )
    assert refs is not None and len(refs) == 2  # `clip reveal` and `reveal.last_frame`


@pytest.mark.asyncio
async def test_rename_across_files(client: LanguageClient) -> None:
    text = TEASER.read_text()
    uri = await open_doc(client, TEASER)
    edit = await client.text_document_rename_async(
        t.RenameParams(
            t.TextDocumentIdentifier(uri), pos(text, "use   studio_look", 7), "house_look"
        )
    )
    assert edit is not None and edit.changes is not None
    # examples/night_shift.shot imports the same library and uses the package too
    night = (TEASER.parent / "night_shift.shot").as_uri()
    assert set(edit.changes) == {uri, STUDIO.as_uri(), night}
    assert len(edit.changes[uri]) == 2 and len(edit.changes[STUDIO.as_uri()]) == 1
    assert all(e.new_text == "house_look" for es in edit.changes.values() for e in es)


@pytest.mark.asyncio
async def test_formatting_symbols_folding(client: LanguageClient, tmp_path: Path) -> None:
    messy = 'storyboard "f"\nclip a {   shot   {  action "walks"  }\n}\n'
    uri = await open_doc(client, tmp_path / "f.shot", messy)
    edits = await client.text_document_formatting_async(
        t.DocumentFormattingParams(t.TextDocumentIdentifier(uri), t.FormattingOptions(2, True))
    )
    from seedance_dsl.syntax.format import format_text

    assert edits is not None and edits[0].new_text == format_text(messy)[0]
    uri = await open_doc(client, TEASER)
    syms = await client.text_document_document_symbol_async(
        t.DocumentSymbolParams(t.TextDocumentIdentifier(uri))
    )
    assert syms is not None
    names = [s.name for s in syms]
    assert [s.name for s in syms if isinstance(s, t.DocumentSymbol) and s.detail == "clip"] == [
        "reveal",
        "glow",
        "app",
        "packshot",
    ]
    reveal = next(s for s in syms if s.name == "reveal")
    assert isinstance(reveal, t.DocumentSymbol) and len(reveal.children or []) == 2
    assert "halo_lamp" in names
    folds = await client.text_document_folding_range_async(
        t.FoldingRangeParams(t.TextDocumentIdentifier(uri))
    )
    assert folds is not None and len(folds) >= 6
    ws = await client.workspace_symbol_async(t.WorkspaceSymbolParams(query="look"))
    assert ws is not None and {"studio_look"} <= {s.name for s in ws}


BROKEN_INPUTS = [
    "",
    "clip",
    "clip a {",
    'storyboard "x\nclip a { shot { action "y',
    "}}}}{{{",
    'asset x image "https://cdn.example.com/x.png"\nclip a { start x. ref x as }',
    "\x00\ufeff// 😀 \n clip é {",
]


@pytest.mark.asyncio
@pytest.mark.parametrize("text", BROKEN_INPUTS)
async def test_broken_files_answer_every_request(
    client: LanguageClient, tmp_path: Path, text: str
) -> None:
    uri = await open_doc(client, tmp_path / "broken.shot", text)
    await diagnostics(client, uri, 1)
    doc = t.TextDocumentIdentifier(uri)
    lines = text.split("\n")
    for line in range(len(lines) + 1):
        for col in (0, 1, 3, 100):
            p = t.Position(line, col)
            await client.text_document_hover_async(t.HoverParams(doc, p))
            await client.text_document_completion_async(t.CompletionParams(doc, p))
            await client.text_document_definition_async(t.DefinitionParams(doc, p))
            await client.text_document_references_async(
                t.ReferenceParams(text_document=doc, position=p, context=t.ReferenceContext(True))
            )
    await client.text_document_formatting_async(
        t.DocumentFormattingParams(doc, t.FormattingOptions(2, True))
    )
    await client.text_document_document_symbol_async(t.DocumentSymbolParams(doc))
    await client.text_document_folding_range_async(t.FoldingRangeParams(doc))
    assert client.error is None


CYCLE = """storyboard "x"
clip a {
  shot { action "walks" }
}
clip b {
  start a.last_frame
  shot { action "runs" }
}
"""


@pytest.mark.asyncio
async def test_full_check_follows_a_per_clip_recheck(
    client: LanguageClient, tmp_path: Path
) -> None:
    """An edit inside clip a makes a cycle that clip b reports: the per-clip re-check
    cannot see it, the full check once typing pauses does."""
    uri = await open_doc(client, tmp_path / "cycle.shot", CYCLE)
    assert await diagnostics(client, uri, 1) == []
    edited = CYCLE.replace('  shot { action "walks" }', '  extend b\n  shot { action "walks" }')
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            t.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [t.TextDocumentContentChangeWholeDocument(text=edited)],
        )
    )
    codes: set[str] = set()
    for _ in range(20):
        codes = {str(d.code) for d in await diagnostics(client, uri, 2)}
        if "SHOT205" in codes:
            break
    assert "SHOT205" in codes
