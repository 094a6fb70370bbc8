"""The public entry points of the compiler: storyboard in, clip requests out."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..check.model import CheckedStoryboard, CheckResult
from ..check.prose import asset_name_pattern
from ..syntax.diagnostics import Diagnostic, has_errors
from ..syntax.parser import no_gc
from .build import (
    _dedupe,
    plan_clip,
    plan_diagnostics,
    rendered_prompt_diagnostics,
    roots_of,
)
from .model import CompiledClip, CompiledStoryboard
from .prompt import PromptTemplate, TemplateProblem, load_template

__all__ = ["compile_checked", "compile_file", "compile_result", "compile_text"]


def _read(path: str) -> str | None:
    """The text of a file a template diagnostic points at (for its snippet), bounded."""
    from ..syntax.source import read_bytes

    data, _ = read_bytes(path, limit_name="template_file_bytes", what="a template")
    return data.decode("utf-8", "replace") if data is not None else None


def compile_checked(
    checked: CheckedStoryboard, *, template: str | Path | None = None
) -> CompiledStoryboard:
    """Compile a checked storyboard into one request per clip.

    ``template`` (a path) overrides the storyboard's own ``template "..."`` declaration;
    with neither, the built-in template is used.  Problems are reported, never raised:
    the result's ``diagnostics`` hold every compiler diagnostic (SHOT3xx–5xx) and
    ``ok`` is ``False`` when one is an error.  ``sources`` holds the text of a house
    template (for snippets of template errors); the storyboard's own sources are added
    by :func:`compile_file` / :func:`compile_text`.
    """
    diags: list[Diagnostic] = []
    sources: dict[str, str] = {}
    tpl: PromptTemplate | None = None
    roots: tuple[str, ...] | None
    if template is not None:  # named on the command line: trusted like the file itself
        path: str | Path | None = template
        decl_span = None
        roots = None
    else:
        path = checked.template_path
        decl_span = checked.template.span if checked.template is not None else None
        roots = roots_of(checked)
    try:
        tpl = load_template(path, decl_span=decl_span, roots=roots)
        if not tpl.builtin:
            sources[tpl.path] = tpl.source
    except TemplateProblem as problem:
        diags.append(problem.diagnostic)
        span = problem.diagnostic.span
        if span is not None and span.file not in sources:
            text = _read(span.file)
            if text is not None:
                sources[span.file] = text

    title = checked.title or Path(checked.path).stem
    clips: list[CompiledClip] = []
    names = asset_name_pattern(checked)
    for clip in checked.clips:
        plan = plan_clip(checked, clip, names=names)
        clip_diags = list(plan.diagnostics)
        prompt: str | None = None
        if tpl is not None:
            try:
                prompt = tpl.render(plan.context)
            except TemplateProblem as problem:
                diags.append(problem.diagnostic)
        clip_diags += plan_diagnostics(plan, prompt)
        clip_diags += rendered_prompt_diagnostics(clip, prompt, clip_diags)
        clip_diags = _dedupe(clip_diags)
        diags += clip_diags
        payload = plan.payload(prompt if prompt is not None else "")
        clips.append(
            CompiledClip(
                name=clip.name,
                payload=payload,
                prompt=prompt or "",
                slots=tuple(plan.slots),
                depends_on=plan.depends_on,
                source_map=dict(plan.source_map),
                span=clip.span,
                storyboard_title=title,
                references=tuple(plan.references),
                context=plan.context,
                valid=prompt is not None and not has_errors(clip_diags),
                origins=dict(plan.origins),
                diagnostics=tuple(clip_diags),
            )
        )
    return CompiledStoryboard(
        path=checked.path,
        title=title,
        source_hash=checked.source_hash,
        clips=tuple(clips),
        diagnostics=tuple(_dedupe(diags)),
        sources=sources,
    )


def compile_result(
    result: CheckResult, path: str, *, template: str | Path | None = None
) -> CompiledStoryboard:
    """Compile what ``check`` produced.  When ``check`` reported an error the storyboard
    is not compiled (its diagnostics are returned, with no clips): compiling a broken
    model would only add follow-on errors."""
    if result.storyboard is None or has_errors(result.diagnostics):
        return CompiledStoryboard(
            path=path,
            title=result.storyboard.title or "" if result.storyboard else "",
            source_hash=result.storyboard.source_hash if result.storyboard else "",
            clips=(),
            diagnostics=tuple(result.diagnostics),
            sources=dict(result.sources),
        )
    with no_gc():  # linear time, a third faster: see syntax.parser.no_gc
        compiled = compile_checked(result.storyboard, template=template)
    return CompiledStoryboard(
        path=compiled.path,
        title=compiled.title,
        source_hash=compiled.source_hash,
        clips=compiled.clips,
        diagnostics=tuple(_dedupe([*result.diagnostics, *compiled.diagnostics])),
        sources={**result.sources, **compiled.sources},
    )


def compile_file(
    path: str | Path,
    *,
    template: str | Path | None = None,
    roots: Iterable[str | Path] | None = None,
) -> CompiledStoryboard:
    """Read, check and compile a ``.shot`` file.

    Never raises for a problem of the file: everything is in ``.diagnostics`` (with the
    source texts in ``.sources`` for rendering), and ``.ok`` says whether all is well.
    ``roots``: the extra directories ``import`` and ``template`` may read (default
    ``$SEEDANCE_ROOTS``; the file's own directory tree always).
    """
    from ..check import resolve_file

    return compile_result(resolve_file(str(path), roots=roots), str(path), template=template)


def compile_text(
    text: str,
    path: str = "<string>",
    *,
    template: str | Path | None = None,
    roots: Iterable[str | Path] | None = None,
) -> CompiledStoryboard:
    """Check and compile ``.shot`` source text; ``path`` names it in diagnostics (and
    anchors relative imports and templates)."""
    from ..check import resolve_text

    return compile_result(resolve_text(text, path, roots=roots), path, template=template)
