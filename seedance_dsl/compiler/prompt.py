"""Prompt templates: jinja2, sandboxed, strict.

This is the only module of the compiler that imports jinja2, and it does so inside
:func:`load_template` (jinja2 costs ~90 ms to import; ``seedance check`` never pays it),
and only for a house template: the built-in one is rendered by the Python of
:mod:`.builtin_prompt` (the same text, checked by a test on every storyboard).

Templates run in :class:`jinja2.sandbox.SandboxedEnvironment` with
:class:`jinja2.StrictUndefined`: a house template is code from a file, so it may not
reach Python internals, and a misspelt variable is an error instead of an empty string.
Every failure is a :class:`~seedance_dsl.syntax.diagnostics.Diagnostic` at the
template's own ``file:line``.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from ..syntax.diagnostics import Diagnostic, Label
from ..syntax.nodes import Span

__all__ = [
    "BUILTIN_TEMPLATE",
    "PromptTemplate",
    "TemplateProblem",
    "load_template",
    "sentence",
    "tidy",
]

#: The built-in template (shipped inside the package).
BUILTIN_TEMPLATE = Path(__file__).resolve().parent / "templates" / "default.j2"

_BLANKS = re.compile(r"\n{3,}")


def sentence(value: object, end: bool = True, capital: bool = True) -> str:
    """The ``sentence`` filter: with ``capital``, capitalise the first letter; with
    ``end``, finish with a full stop unless the text already ends in punctuation."""
    text = str(value or "").strip()
    if not text:
        return ""
    if capital:
        text = text[0].upper() + text[1:]
    if end and text[-1] not in ".!?…\"'”’)":
        text += "."
    return text


def tidy(text: str) -> str:
    """What every rendered prompt goes through: trailing spaces removed from each line,
    runs of blank lines collapsed to one, leading and trailing blank lines removed."""
    lines = "\n".join(line.rstrip() for line in text.splitlines())
    return _BLANKS.sub("\n\n", lines).strip("\n")


class TemplateProblem(Exception):
    """A template failed to load or render; ``diagnostic`` says where and why."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _span(path: str, line: int | None) -> Span:
    n = max(line or 1, 1)
    return Span(path, n, 1, n, 1)


def _template_line(tb: TracebackType | None, filename: str) -> int | None:
    line: int | None = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


@dataclass(frozen=True, slots=True)
class PromptTemplate:
    """A loaded template: ``render(context)`` gives the tidied prompt text."""

    path: str
    source: str
    builtin: bool
    _render: Callable[[Mapping[str, Any]], str]
    decl_span: Span | None = None

    def render(self, context: Mapping[str, Any]) -> str:
        """Render one clip's context; raises :class:`TemplateProblem` (SHOT503)."""
        try:
            return tidy(self._render(context))
        except TemplateProblem:
            raise
        except Exception as exc:  # jinja2 raises many types; all are the template's fault
            line = _template_line(exc.__traceback__, self.path)
            message = str(exc) or type(exc).__name__
            kind = type(exc).__name__
            raise TemplateProblem(
                Diagnostic(
                    "SHOT503",
                    "error",
                    f"prompt template failed ({kind}): {message}",
                    _span(self.path, line),
                    self._labels(),
                    help=_render_help(kind),
                )
            ) from None

    def _labels(self) -> tuple[Label, ...]:
        if self.decl_span is None:
            return ()
        return (Label(self.decl_span, "template declared here"),)


def _render_help(kind: str) -> str:
    if kind == "UndefinedError":
        return "docs/compiler.md lists every template variable; check the spelling"
    if kind == "SecurityError":
        return "templates run sandboxed: they may read the context, not Python internals"
    return "fix the template at this line"


def _bytecode_cache(jinja2: Any) -> Any:
    """jinja2's on-disk cache of compiled templates, in the same cache directory as the
    grammar's (``$SEEDANCE_CACHE_DIR``, ``off`` disables it).  Compiling a template costs
    ~30 ms per process; a cache hit skips jinja2's lexer, parser and code generator.
    Entries are keyed by the template's path and checked against its source, so an
    edited template is never read stale."""
    from .._cache import cache_subdir, safe_to_load

    directory = cache_subdir("templates")  # compiled templates are code: a private dir
    if directory is None:
        return None
    from ..secret import contains_secret

    class GuardedCache(jinja2.FileSystemBytecodeCache):  # type: ignore[misc]
        """Never writes an entry that contains the API key (a template that holds it):
        the template is compiled every time instead.  Never loads an entry another user
        could have written (it is code): the template is compiled afresh instead."""

        def load_bytecode(self, bucket: Any) -> None:
            try:
                f = open(self._get_cache_filename(bucket), "rb")  # noqa: SIM115
            except OSError:
                return
            with f:
                if safe_to_load(os.fstat(f.fileno())):
                    bucket.load_bytecode(f)

        def dump_bytecode(self, bucket: Any) -> None:
            if bucket.code is not None and contains_secret(bucket.bytecode_to_string()):
                return
            super().dump_bytecode(bucket)

    return GuardedCache(str(directory))


def _read_template(file: Path, roots: tuple[str, ...] | None, decl_span: Span | None) -> str:
    """The text of a template file: a regular file under the cap, inside ``roots``
    (None: the user named it on the command line, so it may live anywhere)."""
    from ..syntax.source import outside_roots, read_bytes

    if roots is not None:
        why = outside_roots(file, roots)
        if why is not None:
            raise TemplateProblem(
                Diagnostic(
                    "SHOT008",
                    "error",
                    f"cannot use template {str(file)!r}: {why}",
                    decl_span,
                    (),
                    help="templates are read only inside the storyboard's directory tree "
                    "and the directories of SEEDANCE_ROOTS",
                )
            )
    data, diags = read_bytes(file, limit_name="template_file_bytes", what="a template")
    if data is None:
        d = diags[0]
        if d.code in ("SHOT001", "SHOT005"):
            reason = os.strerror(errno.ENOENT) if d.code == "SHOT001" else d.message
            raise TemplateProblem(
                Diagnostic(
                    "SHOT501",
                    "error",
                    f"cannot read prompt template {str(file)!r}: {reason}",
                    decl_span,
                    (),
                    help="the path is relative to the .shot file (or to the current directory "
                    "for --template)",
                )
            )
        raise TemplateProblem(Diagnostic(d.code, "error", d.message, decl_span, (), help=d.help))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateProblem(
            Diagnostic(
                "SHOT501",
                "error",
                f"cannot read prompt template {str(file)!r}: it is not UTF-8 text ({exc.reason})",
                decl_span,
                (),
                help="save the template as UTF-8",
            )
        ) from None


def _loader(jinja2: Any, main: Path, source: str, roots: tuple[str, ...]) -> Any:
    """A jinja2 loader that serves ``main`` (already read) and the files it includes or
    extends, relative to its directory — each a regular file under the cap, inside
    ``roots`` (what ``FileSystemLoader`` does not check: symlinks, FIFOs, sizes)."""
    from jinja2.loaders import split_template_path

    base = main.parent

    class ConfinedLoader(jinja2.BaseLoader):  # type: ignore[misc]
        def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
            if template == main.name:
                return source, str(main), lambda: False
            path = base.joinpath(*split_template_path(template))
            try:
                text = _read_template(path, roots, None)
            except TemplateProblem as problem:
                raise jinja2.TemplateNotFound(template, problem.diagnostic.message) from None
            mtime = _mtime(path)
            return text, str(path), lambda: _mtime(path) == mtime

    return ConfinedLoader()


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


#: render the built-in template with compiler/builtin_prompt.py (no jinja2) while it is
#: the file that module was written from (a test switches it off to compare the two)
_FAST_BUILTIN = True


def _python_builtin(file: Path, source: str, decl_span: Span | None) -> PromptTemplate | None:
    """The built-in template without jinja2, or None when ``default.j2`` is not the file
    :mod:`.builtin_prompt` renders (then jinja2 renders it)."""
    import hashlib

    from .builtin_prompt import DEFAULT_J2_SHA256, render_builtin

    if hashlib.sha256(source.encode("utf-8")).hexdigest() != DEFAULT_J2_SHA256:
        return None
    return PromptTemplate(
        path=str(file), source=source, builtin=True, _render=render_builtin, decl_span=decl_span
    )


def load_template(
    path: str | Path | None = None,
    *,
    decl_span: Span | None = None,
    roots: tuple[str, ...] | None = None,
) -> PromptTemplate:
    """Load ``path`` (or the built-in template when ``None``) in a sandboxed jinja2
    environment.  Raises :class:`TemplateProblem` with SHOT501 (unreadable), SHOT502
    (syntax error), SHOT008 (outside ``roots``), SHOT009 (not a regular file) or SHOT010
    (too large).  ``roots`` are the directories the template (and what it includes) may
    be read from; ``None`` — for a template the user named on the command line — allows
    the template anywhere and holds its includes to its own directory."""
    builtin = path is None
    file = BUILTIN_TEMPLATE if path is None else Path(path)
    labels = (Label(decl_span, "template declared here"),) if decl_span else ()
    source = _read_template(file, None if builtin else roots, decl_span)
    if builtin and _FAST_BUILTIN:
        fast = _python_builtin(file, source, decl_span)
        if fast is not None:
            return fast
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    if builtin or roots is None:
        from ..syntax.source import project_roots

        roots = project_roots(file, ())
    env = SandboxedEnvironment(
        loader=_loader(jinja2, file, source, roots),
        bytecode_cache=_bytecode_cache(jinja2),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["sentence"] = sentence
    try:
        tpl = env.get_template(file.name)
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or str(file)
        raise TemplateProblem(
            Diagnostic(
                "SHOT502",
                "error",
                f"prompt template syntax error: {exc.message}",
                _span(where, exc.lineno),
                labels,
                help="see https://jinja.palletsprojects.com/templates/ for the syntax",
            )
        ) from None
    filename = tpl.filename or str(file)
    return PromptTemplate(
        path=filename,
        source=source,
        builtin=builtin,
        _render=lambda ctx: tpl.render(dict(ctx)),
        decl_span=decl_span,
    )
