"""Random edits and requests (seeded, bounded in time): the server never crashes and
never answers with an error."""

from __future__ import annotations

import os
import random
import time

import pytest
from lsprotocol import types as t
from pytest_lsp import LanguageClient

from .conftest import EXAMPLES

SNIPPETS = [
    "clip ",
    "{",
    "}",
    " shot ",
    '"',
    '"""',
    "start ",
    ".last_frame",
    " as ",
    "use ",
    " without ",
    ",",
    "\n",
    "// c\n",
    "tier pro",
    "duration 99s",
    "ref x as character",
    'asset z image "https://cdn.example.com/z.png"\n',
    "é",
    "😀",
    "\t",
    "cut { a trim 1s..2s }",
    'say hero "hi"',
    'storyboard "t"\n',
    'import "lib/studio.shot"\n',
    "\\",
    "..",
]

#: how long the fuzz runs (seconds); the seed is fixed, so a longer run only sends more
FUZZ_SECONDS = float(os.environ.get("SEEDANCE_LSP_FUZZ_SECONDS", "8"))


def _edit(rng: random.Random, text: str) -> str:
    i = rng.randint(0, len(text))
    j = min(len(text), i + rng.choice((0, 0, 1, 3, 10, 40)))
    return text[:i] + (rng.choice(SNIPPETS) if rng.random() < 0.8 else "") + text[j:]


@pytest.mark.asyncio
async def test_random_edits_and_requests(client: LanguageClient) -> None:
    rng = random.Random(13)
    text = (EXAMPLES / "teaser.shot").read_text()
    uri = (EXAMPLES / "fuzz_me.shot").as_uri()
    client.text_document_did_open(
        t.DidOpenTextDocumentParams(t.TextDocumentItem(uri, "shot", 1, text))
    )
    doc = t.TextDocumentIdentifier(uri)
    deadline = time.monotonic() + FUZZ_SECONDS
    version = 1
    requests = 0
    while time.monotonic() < deadline:
        version += 1
        text = _edit(rng, text)
        client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                t.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [t.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        lines = text.split("\n")
        line = rng.randint(0, len(lines))
        p = t.Position(line, rng.randint(0, len(lines[line]) + 2 if line < len(lines) else 3))
        kind = rng.randrange(9)
        if kind == 0:
            await client.text_document_hover_async(t.HoverParams(doc, p))
        elif kind == 1:
            await client.text_document_completion_async(t.CompletionParams(doc, p))
        elif kind == 2:
            await client.text_document_definition_async(t.DefinitionParams(doc, p))
        elif kind == 3:
            await client.text_document_references_async(
                t.ReferenceParams(text_document=doc, position=p, context=t.ReferenceContext(True))
            )
        elif kind == 4:
            await client.text_document_formatting_async(
                t.DocumentFormattingParams(doc, t.FormattingOptions(2, True))
            )
        elif kind == 5:
            await client.text_document_document_symbol_async(t.DocumentSymbolParams(doc))
        elif kind == 6:
            await client.text_document_folding_range_async(t.FoldingRangeParams(doc))
        elif kind == 7:
            diags = list(client.diagnostics.get(uri, []))
            rng_ = diags[0].range if diags else t.Range(p, p)
            await client.text_document_code_action_async(
                t.CodeActionParams(doc, rng_, t.CodeActionContext(diags))
            )
        else:
            await client.text_document_rename_async(t.RenameParams(doc, p, "renamed_x"))
        requests += 1
    assert requests > 20
    assert client.error is None
    # the server is alive and answers after all of it
    syms = await client.text_document_document_symbol_async(t.DocumentSymbolParams(doc))
    assert syms is not None
    errors = [m for m in client.log_messages if m.type == t.MessageType.Error]
    assert not errors, errors[0].message
