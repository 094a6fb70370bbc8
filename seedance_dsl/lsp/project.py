"""The files of a workspace and the names they see: open documents, plus the ``.shot``
files under the workspace folders (bounded by ``lsp_workspace_files``).

A name used in file F is declared in F or in a file F imports (transitively); that is
what go-to-definition, find-references and rename follow across files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..limits import limit
from ..syntax import nodes as n
from .symbols import Occurrence, declarations, occurrences

_SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", "renders", ".seedance"}


@dataclass(frozen=True, slots=True)
class Decl:
    file: str
    kind: str
    name: str
    span: n.Span


class Project:
    """Trees of the workspace's files, by path (open documents win over the disk)."""

    def __init__(
        self,
        open_tree: Callable[[str], n.Storyboard | bool | None],
        open_text: Callable[[str], str | None] = lambda p: None,
    ) -> None:
        #: path -> tree of an open document, or False when the path is not open
        self._open_tree = open_tree
        self.text_of = open_text  # path -> text of an open document, or None
        self.encoding = "utf-16"
        self._disk: dict[str, tuple[tuple[float, int], n.Storyboard | None]] = {}
        self.folders: list[str] = []

    def tree(self, path: str) -> n.Storyboard | None:
        t = self._open_tree(path)
        if t is not False:
            return t if isinstance(t, n.Storyboard) else None
        try:
            st = os.stat(path)
        except OSError:
            return None
        key = (st.st_mtime, st.st_size)
        hit = self._disk.get(path)
        if hit is not None and hit[0] == key:
            return hit[1]
        from ..syntax.source import read_source

        text, _ = read_source(path)
        tree = None
        if text is not None:
            from ..syntax.parser import parse_text

            tree, _ = parse_text(text, path)
        self._disk[path] = (key, tree)
        return tree

    def files(self, extra: tuple[str, ...] = ()) -> list[str]:
        """The project's ``.shot`` files: ``extra`` (open documents) and the folders' files."""
        cap = int(limit("lsp_workspace_files"))
        seen: dict[str, None] = dict.fromkeys(extra)
        for folder in self.folders:
            for root, dirs, names in os.walk(folder):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
                for name in sorted(names):
                    if name.endswith(".shot"):
                        seen.setdefault(os.path.join(root, name))
                        if len(seen) >= cap:
                            return list(seen)
        return list(seen)

    def imports(self, path: str) -> list[str]:
        tree = self.tree(path)
        if tree is None:
            return []
        base = os.path.dirname(path)
        return [
            os.path.normpath(os.path.join(base, i.path.value))
            for i in tree.items
            if isinstance(i, n.Import)
        ]

    def visible(self, path: str) -> Iterator[str]:
        """``path`` and every file it imports, breadth first, each once."""
        seen = {path}
        queue = [path]
        while queue:
            p = queue.pop(0)
            yield p
            for q in self.imports(p):
                if q not in seen and len(seen) < 1000:
                    seen.add(q)
                    queue.append(q)

    def resolve(self, path: str, occ: Occurrence) -> Decl | None:
        """The declaration a name written in ``path`` refers to."""
        for p in self.visible(path):
            tree = self.tree(p)
            if tree is None:
                continue
            decls = declarations(tree)
            for kind in occ.kinds:
                span = decls.get((kind, occ.name))
                if span is not None:
                    return Decl(p, kind, occ.name, span)
        return None

    def references(self, decl: Decl, files: list[str]) -> Iterator[tuple[str, Occurrence]]:
        """Every occurrence (the declaration too) of ``decl`` in ``files``."""
        for f in files:
            tree = self.tree(f)
            if tree is None:
                continue
            for o in occurrences(tree):
                if o.name != decl.name or decl.kind not in o.kinds:
                    continue
                if self.resolve(f, o) == decl:
                    yield f, o
