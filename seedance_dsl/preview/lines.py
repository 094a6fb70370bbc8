"""Where each line of a clip's prompt comes from: a ``.shot`` line for every line.

The compiler renders the prompt with a jinja2 template from the checked clip, so a line
of the prompt is made of the author's words (a shot's fields, a clip's ``text``, a
package's style and constraints, a reference's sentence) joined by the template's own
words.  :func:`prompt_sources` finds, for each line, the ``.shot`` lines whose words it
contains (matched case-insensitively, on whole words, spaces collapsed), in the order
they appear in the prompt line:

- a reference's sentence ("Open on the supplied start frame.") -> its role line
  (``start station``);
- a shot's fields, dialogue and the phrase of its ``subject`` -> the ``shot`` line first
  (it makes "Shot 2 (3–8 s):"), then each field's own line;
- a clip's ``text`` (each line of a multi-line one) -> the ``text`` line;
- a package's ``style`` / ``keep`` / ``avoid`` words -> their lines in the package (in
  whichever file declares it); the built-in ``standard`` package's -> the clip's
  ``use standard`` line.

A line with none of the author's words (a blank line, a sentence of the template alone)
is *connective*: it links to the clip's own line (``clip reveal {``), marked as written
by the template.  So every line of every prompt links to a line of a ``.shot`` file.
Uses only the checker's public model (:class:`~seedance_dsl.check.ResolvedClip`) and the
compiler's :class:`~seedance_dsl.compiler.CompiledClip`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from ..syntax import nodes as n
from ..syntax.nodes import Span

__all__ = ["LineSource", "prompt_sources"]

Kind = Literal["source", "template"]

_MIN_CHARS = 3  # shorter fragments ("on") would match anywhere


@dataclass(frozen=True, slots=True)
class LineSource:
    """The ``.shot`` lines one prompt line comes from (the first is *the* line)."""

    kind: Kind  # "source": the author's words; "template": connective, links the clip
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class _Fragment:
    words: str  # normalised: lower case, single spaces, no end punctuation
    span: Span
    shot: Span | None  # the shot block the words belong to, if any
    lines: tuple[Span, ...] = ()  # a multi-line string's own lines, after its statement


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def _fragment(
    text: str, span: Span, shot: Span | None = None, lines: tuple[Span, ...] = ()
) -> _Fragment | None:
    words = _norm(text).strip(" .;,:!?\"'")
    if len(words) < _MIN_CHARS or span.line <= 0:
        return None
    return _Fragment(words, span, shot, lines)


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _find(text: str, words: str) -> int:
    """Where ``words`` occurs in ``text`` as whole words, or -1 (``str.find``, not a
    regular expression: a storyboard of 100 clips has thousands of fragments)."""
    at = text.find(words)
    while at >= 0:
        end = at + len(words)
        if (at == 0 or not _word(text[at - 1])) and (end == len(text) or not _word(text[end])):
            return at
        at = text.find(words, at + 1)
    return -1


def _string(
    text: n.Text, at: Span, sources: Mapping[str, str], shot: Span | None = None
) -> list[_Fragment | None]:
    """A string as a whole (linked to its statement, then its lines) and line by line."""
    parts = _text_lines(text, at, sources)
    own = tuple(sp for _, sp in parts if sp != at)
    return [
        _fragment(text.value, at, shot, own),
        *(_fragment(line, sp, shot) for line, sp in parts),
    ]


def _text_lines(text: n.Text, at: Span, sources: Mapping[str, str]) -> list[tuple[str, Span]]:
    """Each line of a multi-line string with the ``.shot`` line it is written on (found
    in the source between the string's first and last line; else the statement's)."""
    lines = text.value.splitlines()
    if len(lines) < 2:
        return [(line, at) for line in lines]
    src = sources.get(text.span.file, "").split("\n")
    first, last = text.span.line, max(text.span.end_line, text.span.line)
    out: list[tuple[str, Span]] = []
    k = first
    for line in lines:
        want = line.strip()
        found = None
        if want:
            for j in range(k, min(last, len(src)) + 1):
                if want in src[j - 1]:
                    found = j
                    break
        if found is not None:
            out.append((line, replace(text.span, line=found, column=1, end_line=found)))
            k = found + 1
        else:
            out.append((line, at))
    return out


def _fragments(
    resolved: Any, compiled: Any, sources: Mapping[str, str] | None = None
) -> list[_Fragment]:
    """Every piece of the author's words that can reach the prompt, with its span."""
    out: list[_Fragment | None] = []
    texts = sources or {}
    phrases = {r.name: r.phrase for r in compiled.references}
    for r in compiled.references:
        out.append(_fragment(r.sentence, r.span))
    for ct in resolved.texts:
        out += _string(ct.text, ct.span, texts)
    for shot in resolved.shots:
        for item in shot.items:
            if isinstance(item, n.ShotField):
                value = item.value
                if isinstance(value, n.Ident):
                    text = phrases.get(value.name, value.name)
                    out.append(_fragment(text, item.span, shot.span))
                else:
                    out += _string(value, item.span, texts, shot.span)
            elif isinstance(item, n.Dialogue):
                out.append(_fragment(item.line.value, item.span, shot.span))
                speaker = item.speaker
                said = (
                    phrases.get(speaker.name, speaker.name)
                    if isinstance(speaker, n.Ident)
                    else speaker.value
                )
                out.append(_fragment(said, item.span, shot.span))
    for use in resolved.uses:
        pkg = use.package
        here = use.decl.span  # the built-in package has no lines of its own

        def at(span: Span, here: Span = here) -> Span:
            return span if span.line > 0 else here

        for style in pkg.style:
            out += _string(style, at(style.span), texts)
        for item in (*pkg.keep, *pkg.avoid):
            out.append(_fragment(item.name, at(item.span)))
    return [f for f in out if f is not None]


def prompt_sources(
    prompt: str, resolved: Any, compiled: Any, sources: Mapping[str, str] | None = None
) -> list[LineSource]:
    """One :class:`LineSource` per line of ``prompt`` (``prompt.split("\\n")``).

    ``resolved`` is the clip's :class:`~seedance_dsl.check.ResolvedClip` (``None`` when
    the checker's model is not at hand: then every line is connective), ``compiled``
    its :class:`~seedance_dsl.compiler.CompiledClip`, ``sources`` the text of each file
    (to find the line of each line of a multi-line string).
    """
    frags = _fragments(resolved, compiled, sources) if resolved is not None else []
    clip_span: Span = compiled.span
    out: list[LineSource] = []
    for line in prompt.split("\n"):
        text = _norm(line)
        found: list[tuple[int, int, _Fragment]] = []
        for f in frags:
            at = _find(text, f.words)
            if at >= 0:
                found.append((at, at + len(f.words), f))
        # words inside longer words are theirs ("the character in reference image 1"
        # inside that reference's sentence is the sentence, not a shot's subject)
        hits = [
            h
            for h in found
            if not any(g[0] <= h[0] and h[1] <= g[1] and g[1] - g[0] > h[1] - h[0] for g in found)
        ]
        if not hits:
            out.append(LineSource("template", (clip_span,)))
            continue
        # a prompt line describes one shot: the one most of its words come from (two
        # shots with the same subject share that subject's phrase)
        score: dict[Span, int] = {}
        for start, end, f in hits:
            if f.shot is not None:
                score[f.shot] = score.get(f.shot, 0) + end - start
        if score:
            best = max(score, key=lambda s: (score[s], -s.start_pos))
            hits = [h for h in hits if h[2].shot is None or h[2].shot == best]
        hits.sort(key=lambda h: (h[0], h[0] - h[1]))
        ordered: list[Span] = [best] if score else []  # "Shot 2 (3–8 s):" is the shot's
        for _, _, f in hits:
            ordered += [f.span, *f.lines]
        spans: dict[tuple[str, int], Span] = {}
        for sp in ordered:
            spans.setdefault((sp.file, sp.line), sp)  # each line once, first place kept
        out.append(LineSource("source", tuple(spans.values())))
    return out
