"""The LSP features that are not completion or hover: diagnostics, navigation, rename,
symbols, folding, code actions, formatting.  Each takes an :class:`Analysis` (and the
:class:`Project` for cross-file ones) and returns lsprotocol values."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable

from lsprotocol import types as t

from ..syntax import nodes as n
from ..syntax.diagnostics import Diagnostic
from .analysis import Analysis
from .positions import LineIndex
from .project import Decl, Project
from .symbols import BY_KIND

Uri = Callable[[str], str]  # path -> URI

SEVERITY = {
    "error": t.DiagnosticSeverity.Error,
    "warning": t.DiagnosticSeverity.Warning,
    "note": t.DiagnosticSeverity.Information,
}


def lsp_range(lines: LineIndex, span: n.Span) -> t.Range:
    a = lines.position(span.start_pos)
    b = lines.position(max(span.end_pos, span.start_pos))
    return t.Range(t.Position(*a), t.Position(*b))


def explain_href(code: str) -> str | None:
    """A file URI of the ``seedance explain CODE`` text (written once per process)."""
    from ..syntax.codes import lookup

    info = lookup(code)
    if info is None:
        return None
    folder = os.path.join(tempfile.gettempdir(), f"seedance-explain-{os.getuid()}")
    path = os.path.join(folder, f"{code}.md")
    try:
        if not os.path.exists(path):
            os.makedirs(folder, mode=0o700, exist_ok=True)
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(f"# {code}: {info.title}\n{info.explanation}")
            os.replace(tmp, path)
    except OSError:
        return None
    from pygls.uris import from_fs_path

    uri: str | None = from_fs_path(path)
    return uri


def to_lsp_diagnostics(
    a: Analysis,
    diags: tuple[Diagnostic, ...],
    uri_of: Uri,
    lines_of: Callable[[str], LineIndex | None],
) -> list[t.Diagnostic]:
    """The document's diagnostics: its own, and those of imported files against the
    importing line (``import "lib/x.shot"``)."""
    out: list[t.Diagnostic] = []
    hrefs: dict[str, str | None] = {}
    imports: dict[str, t.Range] = {}
    if any(d.span is not None and d.span.file != a.path for d in diags):
        imports = _import_lines(a)
    for d in diags:
        if d.code not in hrefs:
            hrefs[d.code] = explain_href(d.code)
        href = hrefs[d.code]
        related: list[t.DiagnosticRelatedInformation] = []
        span = d.span
        if span is not None and span.file == a.path:
            rng = lsp_range(a.lines, span)
            loc = t.Location(uri_of(a.path), rng)
        elif span is not None and span.file in imports:
            rng = imports[span.file]
            other = lines_of(span.file)
            where = lsp_range(other, span) if other is not None else rng
            loc = t.Location(uri_of(span.file), where)
            related.append(t.DiagnosticRelatedInformation(loc, f"in {span}"))
        elif span is None or span.file == "<builtin>":
            rng = t.Range(t.Position(0, 0), t.Position(0, 0))
            loc = t.Location(uri_of(a.path), rng)
        else:
            rng = next(iter(imports.values()), t.Range(t.Position(0, 0), t.Position(0, 0)))
            loc = t.Location(uri_of(a.path), rng)
            related.append(t.DiagnosticRelatedInformation(loc, f"in {span}"))
        for lb in d.labels:
            if lb.span.file == a.path:
                related.append(
                    t.DiagnosticRelatedInformation(
                        t.Location(uri_of(a.path), lsp_range(a.lines, lb.span)),
                        lb.message or "here",
                    )
                )
        if d.help:
            related.append(t.DiagnosticRelatedInformation(loc, f"help: {d.help}"))
        for note in d.notes:
            related.append(t.DiagnosticRelatedInformation(loc, f"note: {note}"))
        message = d.message
        if span is not None and span.file != a.path:
            message = f"{span}: {d.message}"
        out.append(
            t.Diagnostic(
                range=rng,
                message=message,
                severity=SEVERITY.get(d.severity, t.DiagnosticSeverity.Error),
                code=d.code,
                code_description=t.CodeDescription(href) if href else None,
                source="seedance",
                related_information=related or None,
                data={"help": d.help} if d.help else None,
            )
        )
    return out


def _import_lines(a: Analysis) -> dict[str, t.Range]:
    """Imported file (as the checker names it, and normalised) -> the import line's range."""
    tree = a.tree
    out: dict[str, t.Range] = {}
    if tree is None:
        return out
    base = os.path.dirname(a.path)
    for item in tree.items:
        if isinstance(item, n.Import):
            rng = lsp_range(a.lines, item.span)
            for p in (
                os.path.join(base, item.path.value),
                os.path.normpath(os.path.join(base, item.path.value)),
            ):
                out.setdefault(p, rng)
    # files imported by imports: against the first import line
    first = next(iter(out.values()), None)
    if first is not None:
        for f in a.checked.sources if a._checked is not None else ():
            if f != a.path:
                out.setdefault(f, first)
    return out


# ------------------------------------------------------------------------ navigation


def decl_at(a: Analysis, project: Project, offset: int) -> Decl | None:
    tree = a.tree
    if tree is None:
        return None
    occ = a.occurrence_at(offset)
    if occ is None:
        return None
    return project.resolve(a.path, occ)


def definition(a: Analysis, project: Project, offset: int, uri_of: Uri) -> list[t.Location]:
    d = decl_at(a, project, offset)
    if d is None:
        return []
    return [t.Location(uri_of(d.file), _range_in(project, a, d.file, d.span))]


def _range_in(project: Project, a: Analysis, path: str, span: n.Span) -> t.Range:
    if path == a.path:
        return lsp_range(a.lines, span)
    lines = project_lines(project, path)
    return (
        lsp_range(lines, span)
        if lines is not None
        else t.Range(
            t.Position(span.line - 1, span.column - 1),
            t.Position(span.end_line - 1, span.end_column - 1),
        )
    )


_LINES: dict[str, tuple[float, LineIndex]] = {}


def project_lines(project: Project, path: str) -> LineIndex | None:
    text = project.text_of(path)
    if text is not None:
        return LineIndex(text, encoding=project.encoding)
    try:
        mtime = os.stat(path).st_mtime
        hit = _LINES.get(path)
        if hit is not None and hit[0] == mtime and hit[1].encoding == project.encoding:
            return hit[1]
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = LineIndex(f.read(), encoding=project.encoding)
        _LINES[path] = (mtime, lines)
        return lines
    except OSError:
        return None


def references(
    a: Analysis, project: Project, offset: int, uri_of: Uri, files: list[str], include_decl: bool
) -> list[t.Location]:
    d = decl_at(a, project, offset)
    if d is None:
        return []
    out = []
    for f, o in project.references(d, files):
        if o.is_decl and not include_decl:
            continue
        out.append(t.Location(uri_of(f), _range_in(project, a, f, o.span)))
    return out


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_RESERVED = {
    "storyboard",
    "import",
    "template",
    "defaults",
    "asset",
    "package",
    "clip",
    "shot",
    "use",
    "ref",
    "extend",
    "start",
    "end",
    "source",
    "as",
    "without",
    "say",
    "cut",
    "trim",
    "fade",
    "style",
    "keep",
    "avoid",
}


def rename(
    a: Analysis, project: Project, offset: int, new_name: str, uri_of: Uri, files: list[str]
) -> t.WorkspaceEdit | None:
    if not _IDENT.match(new_name) or new_name in _RESERVED:
        raise ValueError(f"`{new_name}` is not a name: letters, digits and _, not a keyword")
    d = decl_at(a, project, offset)
    if d is None:
        return None
    changes: dict[str, list[t.TextEdit]] = {}
    for f, o in project.references(d, files):
        changes.setdefault(uri_of(f), []).append(
            t.TextEdit(_range_in(project, a, f, o.span), new_name)
        )
    return t.WorkspaceEdit(changes=changes)


def prepare_rename(a: Analysis, project: Project, offset: int) -> t.Range | None:
    tree = a.tree
    if tree is None:
        return None
    occ = a.occurrence_at(offset)
    if occ is None or project.resolve(a.path, occ) is None:
        return None
    return lsp_range(a.lines, occ.span)


# ------------------------------------------------------------------------ symbols


def document_symbols(a: Analysis) -> list[t.DocumentSymbol]:
    tree = a.tree
    if tree is None:
        return []
    out: list[t.DocumentSymbol] = []
    for item in tree.items:
        rng = lsp_range(a.lines, item.span)
        name_node = getattr(item, "name", None)
        if isinstance(item, n.ClipDecl):
            kids = []
            for i, shot in enumerate(item.shots, 1):
                dur = f" {shot.duration.seconds:g}s" if shot.duration is not None else ""
                kids.append(
                    t.DocumentSymbol(
                        name=f"shot {i}{dur}",
                        kind=t.SymbolKind.Event,
                        range=lsp_range(a.lines, shot.span),
                        selection_range=lsp_range(a.lines, shot.span),
                    )
                )
            sel = lsp_range(a.lines, item.name.span)
            out.append(
                t.DocumentSymbol(
                    name=item.name.name,
                    kind=t.SymbolKind(BY_KIND["clip"].symbol_kind),
                    range=rng,
                    selection_range=sel,
                    detail="clip",
                    children=kids,
                )
            )
        elif isinstance(name_node, n.Ident):
            kind = next((d for d in BY_KIND.values() if d.declares(item)), None)
            if kind is None:
                continue
            out.append(
                t.DocumentSymbol(
                    name=name_node.name,
                    kind=t.SymbolKind(kind.symbol_kind),
                    range=rng,
                    selection_range=lsp_range(a.lines, name_node.span),
                    detail=kind.kind,
                )
            )
        elif isinstance(item, n.Defaults | n.CutDecl):
            label = "defaults" if isinstance(item, n.Defaults) else "cut"
            out.append(
                t.DocumentSymbol(
                    name=label, kind=t.SymbolKind.Namespace, range=rng, selection_range=rng
                )
            )
    return out


def workspace_symbols(
    project: Project, files: list[str], query: str, uri_of: Uri
) -> list[t.WorkspaceSymbol]:
    from .symbols import occurrences

    q = query.lower()
    out: list[t.WorkspaceSymbol] = []
    for f in files:
        tree = project.tree(f)
        if tree is None:
            continue
        lines = project_lines(project, f)
        for o in occurrences(tree):
            if not o.is_decl or (q and q not in o.name.lower()):
                continue
            k = BY_KIND[o.kinds[0]]
            rng = (
                lsp_range(lines, o.span)
                if lines is not None
                else t.Range(t.Position(o.span.line - 1, 0), t.Position(o.span.line - 1, 0))
            )
            out.append(
                t.WorkspaceSymbol(
                    name=o.name,
                    kind=t.SymbolKind(k.symbol_kind),
                    location=t.Location(uri_of(f), rng),
                    container_name=os.path.basename(f),
                )
            )
            if len(out) >= 1000:
                return out
    return out


# ------------------------------------------------------------------------ folding


def folding_ranges(a: Analysis) -> list[t.FoldingRange]:
    out: list[t.FoldingRange] = []

    def fold(span: n.Span, kind: str | None = None) -> None:
        s, e = a.lines.line_of(span.start_pos), a.lines.line_of(max(span.end_pos - 1, 0))
        if e > s:
            out.append(t.FoldingRange(start_line=s, end_line=e, kind=kind))

    tree = a.tree
    if tree is not None:
        for item in tree.items:
            if isinstance(item, n.Defaults | n.PackageDecl | n.ClipDecl | n.CutDecl):
                fold(item.span)
            if isinstance(item, n.ClipDecl):
                for shot in item.shots:
                    fold(shot.span)
        # comment runs
        run: list[int] = []
        for c in tree.comments:
            line = a.lines.line_of(c.span.start_pos)
            if run and line == run[-1] + 1:
                run.append(line)
            else:
                if len(run) > 1:
                    out.append(t.FoldingRange(run[0], run[-1], kind=t.FoldingRangeKind.Comment))
                run = [line]
        if len(run) > 1:
            out.append(t.FoldingRange(run[0], run[-1], kind=t.FoldingRangeKind.Comment))
    return out


# ------------------------------------------------------------------------ code actions

_MEAN = re.compile(r"did you mean `([^`]+)`\?")


def code_actions(a: Analysis, uri: str, diags: list[t.Diagnostic]) -> list[t.CodeAction]:
    """A quick fix for each "did you mean `x`?" diagnostic in the request's range."""
    out: list[t.CodeAction] = []
    for d in diags:
        texts = [d.message]
        if isinstance(d.data, dict) and isinstance(d.data.get("help"), str):
            texts.append(d.data["help"])
        for text in texts:
            m = _MEAN.search(text)
            if m is None:
                continue
            fix = m.group(1)
            start = a.lines.offset(d.range.start.line, d.range.start.character)
            end = a.lines.offset(d.range.end.line, d.range.end.character)
            old = a.text[start:end]
            if not old or old == fix or "\n" in old:
                continue
            word = re.match(r"[A-Za-z_][A-Za-z0-9_\-]*", old)
            if word is None:
                continue
            rng = t.Range(d.range.start, t.Position(*a.lines.position(start + word.end())))
            out.append(
                t.CodeAction(
                    title=f"Change `{word.group()}` to `{fix}`",
                    kind=t.CodeActionKind.QuickFix,
                    diagnostics=[d],
                    is_preferred=True,
                    edit=t.WorkspaceEdit(changes={uri: [t.TextEdit(rng, fix)]}),
                )
            )
            break
    return out


# ------------------------------------------------------------------------ formatting


def formatting(a: Analysis) -> list[t.TextEdit] | None:
    from ..syntax.format import format_text

    formatted, _ = format_text(a.text, a.path)
    if formatted is None or formatted == a.text:
        return [] if formatted is not None else None
    end = t.Position(*a.lines.position(len(a.text)))
    return [t.TextEdit(t.Range(t.Position(0, 0), end), formatted)]
