"""``seedance lsp``: the language server (pygls 2, over stdio).

One :class:`~.analysis.Analysis` per open document version (parse, check, compile on
demand, shared by every feature); one small handler per LSP feature below.  Every
handler is wrapped by :func:`_safe`: a request on a broken file answers what it can
(an empty result at worst) and never an error response; the exception is logged to the
client's output channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from ..limits import limit
from ..syntax import nodes as n
from . import features as f
from .analysis import Analysis, analyse
from .complete import complete
from .hover import hover
from .project import Project

F = TypeVar("F", bound=Callable[..., Any])


class ShotServer(LanguageServer):
    """The server and its per-document state."""

    def __init__(self) -> None:
        from .. import __version__

        super().__init__("seedance-lsp", __version__)
        self.docs: dict[str, Analysis] = {}  # uri -> analysis of the latest version
        self.published: dict[str, Analysis] = {}  # uri -> version whose diagnostics are shown
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._full: dict[str, asyncio.TimerHandle] = {}
        self._imported: dict[str, set[str]] = {}  # uri -> imported files it published to
        self.encoding = "utf-16"
        self.project = Project(self._open_tree, self._open_text)

    # -------------------------------------------------------------- documents
    def _by_path(self, path: str) -> Analysis | None:
        for a in self.docs.values():
            if a.path == path:
                return a
        return None

    def _open_tree(self, path: str) -> n.Storyboard | bool | None:
        a = self._by_path(path)
        return False if a is None else a.tree

    def _open_text(self, path: str) -> str | None:
        a = self._by_path(path)
        return None if a is None else a.text

    def analysis(self, uri: str) -> Analysis | None:
        a = self.docs.get(uri)
        if a is not None:
            return a
        try:
            doc = self.workspace.get_text_document(uri)
            text = doc.source
        except Exception:
            return None
        a = analyse(text, path_of(uri), doc.version or 0, encoding=self.encoding)
        self.docs[uri] = a
        return a

    def update(self, uri: str, text: str, version: int) -> Analysis:
        prev = self.docs.get(uri)
        a = analyse(text, path_of(uri), version, prev, encoding=self.encoding)
        self.docs[uri] = a
        return a

    def publish(self, uri: str, a: Analysis) -> None:
        def lines_of(path: str) -> Any:
            return f.project_lines(self.project, path)

        diags = f.to_lsp_diagnostics(a, a.diagnostics, uri_of, lines_of)
        self.published[uri] = a
        self.text_document_publish_diagnostics(
            t.PublishDiagnosticsParams(uri=uri, diagnostics=diags, version=a.version)
        )
        self._publish_imports(uri, a)

    def _publish_imports(self, uri: str, a: Analysis) -> None:
        """The diagnostics of an imported file that is not open, in that file too (and
        cleared there once they are gone)."""
        by_file: dict[str, list[t.Diagnostic]] = {}
        for d in a.diagnostics:
            s = d.span
            if s is None or s.file in (a.path, "<builtin>") or self._by_path(s.file):
                continue
            lines = f.project_lines(self.project, s.file)
            if lines is None:
                continue
            by_file.setdefault(s.file, []).append(
                t.Diagnostic(
                    range=f.lsp_range(lines, s),
                    message=d.message,
                    severity=f.SEVERITY.get(d.severity, t.DiagnosticSeverity.Error),
                    code=d.code,
                    source="seedance",
                )
            )
        before = self._imported.get(uri, set())
        for path in before | set(by_file):
            self.text_document_publish_diagnostics(
                t.PublishDiagnosticsParams(uri=uri_of(path), diagnostics=by_file.get(path, []))
            )
        self._imported[uri] = set(by_file)

    def schedule(self, uri: str, delay: float) -> None:
        """Publish the diagnostics of ``uri``'s latest version after ``delay`` (debounce),
        then, if they came from a per-clip re-check, the full check's once typing stops."""
        old = self._pending.pop(uri, None)
        if old is not None:
            old.cancel()
        timer = self._full.pop(uri, None)
        if timer is not None:
            timer.cancel()
        self._pending[uri] = asyncio.ensure_future(self._run(uri, delay))

    async def _run(self, uri: str, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            a = self.docs.get(uri)
            if a is None:
                return
            self.publish(uri, a)
            if not a.exact:
                loop = asyncio.get_running_loop()
                self._full[uri] = loop.call_later(
                    limit("lsp_full_check_delay"), self._full_check, uri, a.version
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            self.log(traceback.format_exc())

    def _full_check(self, uri: str, version: int) -> None:
        a = self.docs.get(uri)
        if a is None or a.version != version:
            return
        try:
            a.checked  # noqa: B018 - the full check, for this version
            self.publish(uri, a)
        except Exception:
            self.log(traceback.format_exc())

    def log(self, message: str) -> None:
        with contextlib.suppress(Exception):
            self.window_log_message(t.LogMessageParams(t.MessageType.Error, message))

    def files(self) -> list[str]:
        self.project.folders = folders(self)
        return self.project.files(tuple(a.path for a in self.docs.values()))


def path_of(uri: str) -> str:
    return to_fs_path(uri) or uri


def uri_of(path: str) -> str:
    return from_fs_path(path) or path


def folders(ls: LanguageServer) -> list[str]:
    out = []
    try:
        for folder in ls.workspace.folders.values():
            p = to_fs_path(folder.uri)
            if p:
                out.append(p)
        if not out and ls.workspace.root_path:
            out.append(ls.workspace.root_path)
    except Exception:
        pass
    return out


server = ShotServer()


def _safe(default: Any) -> Callable[[F], F]:
    """Never an error response: a failure is logged and ``default`` is answered."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(ls: ShotServer, params: Any) -> Any:
            try:
                return fn(ls, params)
            except Exception:
                ls.log(f"seedance lsp: {fn.__name__} failed:\n{traceback.format_exc()}")
                return default() if callable(default) else default

        return inner  # type: ignore[return-value]

    return wrap


def _doc(ls: ShotServer, uri: str) -> Analysis | None:
    return ls.analysis(uri)


def _offset(a: Analysis, pos: t.Position) -> int:
    return a.lines.offset(pos.line, pos.character)


# ------------------------------------------------------------------ lifecycle
@server.feature(t.INITIALIZED)
@_safe(None)
def initialized(ls: ShotServer, params: t.InitializedParams) -> None:
    enc: Any = ls.workspace.position_encoding
    ls.encoding = str(getattr(enc, "value", enc) or "utf-16")
    ls.project.encoding = ls.encoding


@server.feature(t.TEXT_DOCUMENT_DID_OPEN)
@_safe(None)
def did_open(ls: ShotServer, params: t.DidOpenTextDocumentParams) -> None:
    doc = params.text_document
    ls.update(doc.uri, doc.text, doc.version)
    ls.schedule(doc.uri, 0)


@server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
@_safe(None)
def did_change(ls: ShotServer, params: t.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    doc = ls.workspace.get_text_document(uri)
    ls.update(uri, doc.source, params.text_document.version)
    ls.schedule(uri, limit("lsp_debounce"))


@server.feature(t.TEXT_DOCUMENT_DID_SAVE)
@_safe(None)
def did_save(ls: ShotServer, params: t.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    # a saved library changes what its importers see: re-check every open document
    for other, a in list(ls.docs.items()):
        if other != uri:
            ls.docs[other] = analyse(a.text, a.path, a.version, encoding=ls.encoding)
            ls.schedule(other, 0)


@server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
@_safe(None)
def did_close(ls: ShotServer, params: t.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.docs.pop(uri, None)
    ls.published.pop(uri, None)
    task = ls._pending.pop(uri, None)
    if task is not None:
        task.cancel()
    ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


# ------------------------------------------------------------------ features
@server.feature(t.TEXT_DOCUMENT_HOVER)
@_safe(None)
def on_hover(ls: ShotServer, params: t.HoverParams) -> t.Hover | None:
    a = _doc(ls, params.text_document.uri)
    if a is None:
        return None
    text = hover(a, _offset(a, params.position))
    if text is None:
        return None
    return t.Hover(contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value=text))


@server.feature(
    t.TEXT_DOCUMENT_COMPLETION,
    t.CompletionOptions(trigger_characters=[".", " ", ","]),
)
@_safe(lambda: t.CompletionList(is_incomplete=False, items=[]))
def on_completion(ls: ShotServer, params: t.CompletionParams) -> t.CompletionList:
    a = _doc(ls, params.text_document.uri)
    if a is None:
        return t.CompletionList(is_incomplete=False, items=[])
    return t.CompletionList(is_incomplete=False, items=complete(a, _offset(a, params.position)))


@server.feature(t.TEXT_DOCUMENT_DEFINITION)
@_safe(list)
def on_definition(ls: ShotServer, params: t.DefinitionParams) -> list[t.Location]:
    a = _doc(ls, params.text_document.uri)
    if a is None:
        return []
    return f.definition(a, ls.project, _offset(a, params.position), uri_of)


@server.feature(t.TEXT_DOCUMENT_REFERENCES)
@_safe(list)
def on_references(ls: ShotServer, params: t.ReferenceParams) -> list[t.Location]:
    a = _doc(ls, params.text_document.uri)
    if a is None:
        return []
    return f.references(
        a,
        ls.project,
        _offset(a, params.position),
        uri_of,
        ls.files(),
        params.context.include_declaration,
    )


@server.feature(t.TEXT_DOCUMENT_PREPARE_RENAME)
@_safe(None)
def on_prepare_rename(ls: ShotServer, params: t.PrepareRenameParams) -> t.Range | None:
    a = _doc(ls, params.text_document.uri)
    if a is None:
        return None
    return f.prepare_rename(a, ls.project, _offset(a, params.position))


@server.feature(t.TEXT_DOCUMENT_RENAME)
def on_rename(ls: ShotServer, params: t.RenameParams) -> t.WorkspaceEdit | None:
    a = _doc(ls, params.text_document.uri)
    if a is None:
        return None
    try:
        return f.rename(
            a, ls.project, _offset(a, params.position), params.new_name, uri_of, ls.files()
        )
    except ValueError as exc:  # a name that is not one: the client shows the message
        from pygls.exceptions import JsonRpcInvalidParams

        raise JsonRpcInvalidParams(str(exc)) from None
    except Exception:
        ls.log(traceback.format_exc())
        return None


@server.feature(t.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
@_safe(list)
def on_document_symbol(ls: ShotServer, params: t.DocumentSymbolParams) -> list[t.DocumentSymbol]:
    a = _doc(ls, params.text_document.uri)
    return f.document_symbols(a) if a is not None else []


@server.feature(t.WORKSPACE_SYMBOL)
@_safe(list)
def on_workspace_symbol(ls: ShotServer, params: t.WorkspaceSymbolParams) -> list[t.WorkspaceSymbol]:
    return f.workspace_symbols(ls.project, ls.files(), params.query, uri_of)


@server.feature(t.TEXT_DOCUMENT_FORMATTING)
@_safe(None)
def on_formatting(ls: ShotServer, params: t.DocumentFormattingParams) -> list[t.TextEdit] | None:
    a = _doc(ls, params.text_document.uri)
    return f.formatting(a) if a is not None else None


@server.feature(
    t.TEXT_DOCUMENT_CODE_ACTION,
    t.CodeActionOptions(code_action_kinds=[t.CodeActionKind.QuickFix]),
)
@_safe(list)
def on_code_action(ls: ShotServer, params: t.CodeActionParams) -> list[t.CodeAction]:
    a = _doc(ls, params.text_document.uri)
    if a is None:
        return []
    return f.code_actions(a, params.text_document.uri, list(params.context.diagnostics))


@server.feature(t.TEXT_DOCUMENT_FOLDING_RANGE)
@_safe(list)
def on_folding(ls: ShotServer, params: t.FoldingRangeParams) -> list[t.FoldingRange]:
    a = _doc(ls, params.text_document.uri)
    return f.folding_ranges(a) if a is not None else []


def main() -> None:
    """Serve over stdio until the client says exit."""
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    server.start_io()
