"""The template context: the typed, plain data a prompt template renders.

Each type is a :class:`~typing.TypedDict` (at run time a plain ``dict``, so a template,
the JSON output and the idempotency key see exactly the data they always saw), and
each field carries its meaning as :class:`~typing.Annotated` metadata.  The table of
template variables in ``docs/compiler.md`` is generated from these types by
:func:`variables_table` (``tests/compiler/test_context_docs.py`` compares the two).
"""

from __future__ import annotations

from typing import Annotated, TypedDict

__all__ = [
    "ClipContext",
    "DialogueContext",
    "ReferenceContext",
    "ShotContext",
    "StoryboardContext",
    "TemplateContext",
    "variables_table",
]


class StoryboardContext(TypedDict):
    title: Annotated[str, "the storyboard's title"]


class ClipContext(TypedDict):
    name: Annotated[
        str, "the clip's name (for your own notes; the built-in template does not print it)"
    ]
    mode: Annotated[str, "`text-to-video`, `image-to-video` or `media-to-video`"]
    duration: Annotated[int | float, "seconds (a float only when not whole)"]
    audio: Annotated[bool, "`generate_audio` as sent (API default when unset)"]
    raw: Annotated[bool, "the clip is a raw prompt (see above)"]
    edit: Annotated[bool, "the clip has a `source` (G5)"]
    extension: Annotated[bool, "the clip has an `extend` (G6)"]


class ReferenceContext(TypedDict):
    role: Annotated[
        str,
        "`start`, `end`, `character`, `product`, `motion`, `camera`, `style`, `source`, "
        "`extension`",
    ]
    kind: Annotated[str, "`image` or `video`"]
    field: Annotated[str, "`image_url`, `end_image_url`, `media_urls[0]`, …"]
    position: Annotated[int | None, "1-based among `media_urls` of its kind; none for frames"]
    phrase: Annotated[str, '"the character in reference image 1"']
    sentence: Annotated[
        str, "the built-in sentence for it (G3/G5/G6); empty for a cast member's second reference"
    ]


class DialogueContext(TypedDict):
    speaker: Annotated[str, "who speaks, already a phrase for an asset"]
    line: Annotated[str, "the spoken line, on one line"]


_FIELD = "the field (assets already replaced by their phrase; repeated fields joined with `; `)"


class ShotContext(TypedDict):
    number: Annotated[int, "1-based"]
    start: Annotated[str | None, 'start in seconds: `"3"` (`"4.5"` for fractions)']
    end: Annotated[str | None, 'end in seconds: `"8"`']
    timecode: Annotated[str | None, '`"3–8 s"` when every shot has a duration']
    duration: Annotated[str | None, "the shot's own duration in seconds"]
    subject: Annotated[str | None, _FIELD]
    action: Annotated[str | None, _FIELD]
    scene: Annotated[str | None, _FIELD]
    camera: Annotated[str | None, _FIELD]
    light: Annotated[str | None, _FIELD]
    style: Annotated[str | None, _FIELD]
    texts: Annotated[list[str], "free `text` fields"]
    dialogue: Annotated[list[DialogueContext], "the `say` lines, in order"]


class TemplateContext(TypedDict):
    storyboard: Annotated[StoryboardContext, "the storyboard"]
    clip: Annotated[ClipContext, "the clip"]
    texts: Annotated[list[str], "the clip's own `text` lines"]
    references: Annotated[list[ReferenceContext], "every supplied asset, in payload order"]
    shots: Annotated[list[ShotContext], "the shots in order"]
    style: Annotated[list[str], "the style package items"]
    keep: Annotated[list[str], "the `keep` constraint items (after `without`)"]
    avoid: Annotated[list[str], "the `avoid` constraint items (after `without`)"]
    constraints: Annotated[list[str], '`keep` + `"no " + avoid`, ready to join']
    timecodes: Annotated[bool, "every shot has a timecode"]


# ----------------------------------------------------------------- the docs


def _type_name(tp: object) -> str:
    import types
    import typing

    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(tp))
    if origin is list:
        (item,) = typing.get_args(tp)
        return "list of " + _type_name(item)
    if tp is type(None):
        return "none"
    if isinstance(tp, type) and typing.is_typeddict(tp):
        return "dict"
    return getattr(tp, "__name__", str(tp))


def _rows(tp: type, prefix: str) -> list[tuple[str, str, str]]:
    import typing

    out: list[tuple[str, str, str]] = []
    for name, hint in typing.get_type_hints(tp, include_extras=True).items():
        base, meaning = typing.get_args(hint)[0], typing.get_args(hint)[1]
        path = f"{prefix}{name}"
        out.append((path, _type_name(base), meaning))
        item = typing.get_args(base)[0] if typing.get_origin(base) is list else base
        if isinstance(item, type) and typing.is_typeddict(item):
            out += _rows(item, f"{path}[i]." if item is not base else f"{path}.")
    return out


def variables_table() -> str:
    """The Markdown table of every template variable, generated from
    :class:`TemplateContext` (what ``docs/compiler.md`` shows)."""
    lines = ["| variable | type | meaning |", "|---|---|---|"]
    lines += [
        f"| `{path}` | {tp} | {meaning} |"
        for path, tp, meaning in _rows(TemplateContext, "")
        if tp != "dict"
    ]
    return "\n".join(lines) + "\n"
