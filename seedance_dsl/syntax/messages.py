"""The messages of syntax errors, as a table.

When the LALR parser meets a token it cannot take, :func:`describe` turns the situation
(the token, the one before it, the set of tokens the grammar expected) into a specific
message: the first row of :data:`RULES` whose conditions all hold gives the code, the
message and the help; when no row matches, a generic "unexpected X: expected Y" is said.

A row's conditions (each left at None is not checked):

- ``after``: the previous token's type is one of these; ``after_word``: its text is this;
- ``within`` / ``has`` / ``exactly`` / ``lacks``: the expected set is a subset of /
  includes / is / shares nothing with this set;
- ``found``: the unexpected token's type is one of these;
- ``needs_last``: there is a previous token;
- ``fill``: a function of the situation giving more fields for the templates, or None
  when the row does not apply after all.

The message and help are ``str.format`` templates over the fields ``found`` (how the
unexpected token is named), ``prev`` (the previous token's text), ``word`` (the
unexpected token's text), ``expected`` (the expected tokens, said in words) and what
``fill`` adds; a help whose field is None is left out.  ``at_last`` puts the error on the
previous token; ``label`` labels the innermost open `{` (``fill`` makes sure there is one).

The lexer's messages (a character no token starts with, a string never closed, a
comment in another language's syntax) are the ``LEX_*`` rows below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import nodes as n
from .diagnostics import Diagnostic, Label
from .lalr import Token
from .values import did_you_mean

__all__ = ["RULES", "Rule", "Situation", "describe", "describe_expected", "join_or"]

#: Tokens that open a top-level statement.
TOP_TYPES = frozenset({"STORYBOARD", "IMPORT", "TEMPLATE", "DEFAULTS", "ASSET", "PACKAGE", "CLIP"})
#: Tokens that open a statement of an enclosing block: seen where `}` was possible, the
#: block before them was not closed.
OPENING_TYPES = TOP_TYPES | {"SHOT", "USE", "REF", "EXTEND"}

#: How a message names a token type.
TOKEN_WORDS: dict[str, str] = {
    "NAME": "a name",
    "WORD": "a word",
    "VALUE": "a value",
    "STRING": 'a string in double quotes ("...")',
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "COMMA": "`,`",
    "DOT": "`.`",
    "$END": "the end of the file",
}

#: An example of each setting, for "expected a value for `KEY`".
VALUE_EXAMPLES: dict[str, str] = {
    "tier": "tier standard",
    "channel": "channel standard",
    "aspect": "aspect 16:9",
    "resolution": "resolution 720p",
    "duration": "duration 5s",
    "audio": "audio on",
    "lens": "lens free",
    "seed": "seed 42",
    "mode": "mode text-to-video",
    "text": 'text "rain streaks the window"',
}


def describe_expected(expected: set[str] | frozenset[str]) -> list[str]:
    words: list[str] = []
    for e in sorted(expected):
        if e in TOKEN_WORDS:
            words.append(TOKEN_WORDS[e])
        elif e.isupper() and e.isalpha():
            words.append(f"`{e.lower()}`")
    return words


def join_or(words: list[str]) -> str:
    if not words:
        return "something else"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def found_words(t: Token) -> str:
    """How a message names the unexpected token."""
    if t.type == "$END":
        return "the end of the file"
    text = str(t)
    if t.type == "STRING":
        text = text if len(text) <= 30 else text[:27] + '..."'
        return f"the string {text}"
    return f"`{text}`"


@dataclass(frozen=True, slots=True)
class Situation:
    """What the parser knew when it met a token it could not take."""

    token: Token
    expected: frozenset[str]
    last: Token | None  # the last token the parser took
    span: n.Span  # where the error is reported
    last_span: n.Span | None
    opener: Token | None  # the `{` of the innermost block still open

    @property
    def prev(self) -> str:
        return str(self.last) if self.last is not None else ""

    @property
    def prev_type(self) -> str:
        return self.last.type if self.last is not None else ""


Fill = Callable[[Situation], "dict[str, str | None] | None"]


@dataclass(frozen=True, slots=True)
class Rule:
    message: str
    help: str | None = None
    code: str = "SHOT101"
    after: frozenset[str] | None = None
    after_word: str | None = None
    within: frozenset[str] | None = None
    has: frozenset[str] | None = None
    exactly: frozenset[str] | None = None
    lacks: frozenset[str] | None = None
    found: frozenset[str] | None = None
    needs_last: bool = False
    fill: Fill | None = None
    at_last: bool = False
    label: str | None = None

    def applies(self, s: Situation) -> bool:
        e = s.expected
        return (
            (self.after is None or s.prev_type in self.after)
            and (self.after_word is None or s.prev == self.after_word)
            and (self.within is None or e <= self.within)
            and (self.has is None or e >= self.has)
            and (self.exactly is None or e == self.exactly)
            and (self.lacks is None or not (e & self.lacks))
            and (self.found is None or s.token.type in self.found)
            and (not self.needs_last or s.last is not None)
        )


def _set(*items: str) -> frozenset[str]:
    return frozenset(items)


def _setting_key(s: Situation) -> dict[str, str | None] | None:
    return {} if s.prev in n.SETTING_KEYS else None


def _value_example(s: Situation) -> dict[str, str | None] | None:
    return {"example": VALUE_EXAMPLES.get(s.prev)}


def _keyword_typo(s: Situation) -> dict[str, str | None] | None:
    keywords = [e.lower() for e in s.expected if e.isalpha() and e.isupper()]
    hint = did_you_mean(str(s.token), keywords) if keywords else ""
    return {"hint": hint} if hint else None


def _open_block(s: Situation) -> dict[str, str | None] | None:
    return {} if s.opener is not None else None


_NAME = _set("NAME")
_NAME_STRING = _set("NAME", "STRING")
_TEXTUAL = _set("NAME", "WORD", "VALUE")


def _role_target(after: str, what: str) -> Rule:
    return Rule(
        "expected a name after `{prev}`, found {found}",
        "`{prev}` names " + what,
        after=_set(after),
        within=_NAME,
    )


def _name_after(after: str, thing: str, example: str) -> Rule:
    return Rule(
        f"expected {thing} after `{{prev}}`, found {{found}}",
        f"for example: {example}",
        after=_set(after),
        within=_NAME,
    )


def _string_after(word: str, what: str, example: str) -> Rule:
    return Rule(
        f"expected {what}, found {{found}}",
        f"write {example}",
        after_word=word,
        exactly=_set("STRING"),
    )


#: The specific messages, most specific first (the first row that applies is used).
RULES: tuple[Rule, ...] = (
    Rule(
        "expected a duration like `5s` or `{{`, found {found}",
        "a shot is `shot {{ ... }}` or `shot 3s {{ ... }}`",
        code="SHOT106",
        after=_set("SHOT"),
        has=_set("VALUE"),
    ),
    _role_target("START", "the start frame: an image asset or `clip.last_frame`"),
    _role_target("END", "the end frame: an image asset or `clip.last_frame`"),
    _role_target("SOURCE", "the video to edit: a video asset or `clip.video`"),
    _role_target("EXTEND", "the clip to extend (or a video asset)"),
    _role_target("REF", "the asset to reference"),
    _name_after("CLIP", "the clip's name", "clip arrival {{ ... }}"),
    _name_after("ASSET", "the asset's name", 'asset station image "https://..."'),
    _name_after("PACKAGE", "the package's name", "package cinematic {{ ... }}"),
    _name_after("USE", "the name of a package", "use standard"),
    Rule(
        "expected a phrase after `{prev}`, found {found}",
        "for example: {prev} stable faces, natural motion",
        after=_set("KEEP", "AVOID"),
        within=_set("WORD"),
    ),
    Rule(
        "expected `{{` after `{prev}`, found {found}",
        "a block opens with `{{` and closes with `}}`",
        exactly=_set("LBRACE"),
        needs_last=True,
    ),
    Rule(
        "expected a role after `as`, found {found}",
        "a reference is `as character`, `as product`, `as motion`, `as camera` or `as style`",
        after=_set("AS"),
    ),
    Rule(
        "expected a package item to switch off, found {found}",
        'for example: use standard without subtitles, "stable faces"',
        after=_set("WITHOUT", "COMMA"),
        has=_NAME_STRING,
    ),
    Rule(
        "expected a value for `{prev}`, found {found}",
        "for example: {example}",
        exactly=_set("VALUE", "STRING"),
        needs_last=True,
        fill=_value_example,
    ),
    Rule(
        "`{prev}` is a clip setting, not a shot field",
        "move `{prev}` out of the shot into the clip (or into `defaults`)",
        code="SHOT105",
        after=_NAME,
        has=_NAME_STRING,
        fill=_setting_key,
        at_last=True,
    ),
    Rule(
        "expected a string in double quotes or an asset name after `{prev}`, found {found}",
        'for example: {prev} "a woman in a red coat"',
        after=_NAME,
        has=_NAME_STRING,
        lacks=_set("VALUE"),
    ),
    _string_after("storyboard", "the title", 'storyboard "Glass Train"'),
    _string_after("import", "the path of a .shot file", 'import "lib/team.shot"'),
    _string_after("template", "the path of a template", 'template "house.j2"'),
    _string_after("style", "the style as prose", 'style "35mm film, teal palette"'),
    Rule(
        "expected the URL in double quotes, found {found}",
        'write "https://cdn.example.com/station.png"',
        after=_NAME,
        exactly=_set("STRING"),
    ),
    Rule("expected a string in double quotes, found {found}", exactly=_set("STRING")),
    Rule(
        "unknown keyword `{word}`{hint}",
        "expected {expected}",
        found=_TEXTUAL,
        lacks=_TEXTUAL,
        fill=_keyword_typo,
    ),
    Rule(
        "expected `}}` before {found}",
        "close the block with `}}` before starting the next declaration",
        code="SHOT104",
        has=_set("RBRACE"),
        found=OPENING_TYPES,
        fill=_open_block,
        label="this block is not closed",
    ),
)


def describe(s: Situation) -> Diagnostic:
    """The diagnostic for a token the parser could not take."""
    fields: dict[str, Any] = {
        "found": found_words(s.token),
        "prev": s.prev,
        "word": str(s.token),
        "expected": join_or(describe_expected(s.expected)),
    }
    for rule in RULES:
        if not rule.applies(s):
            continue
        more = rule.fill(s) if rule.fill is not None else {}
        if more is None:
            continue
        fields.update(more)
        help = rule.help
        if help is not None and any(v is None and "{" + k + "}" in help for k, v in fields.items()):
            help = None
        labels: tuple[Label, ...] = ()
        if rule.label is not None and s.opener is not None:
            labels = (Label(_token_span(s.span.file, s.opener), rule.label),)
        span = s.last_span if rule.at_last and s.last_span is not None else s.span
        return Diagnostic(
            rule.code,
            "error",
            rule.message.format(**fields),
            span,
            labels,
            help.format(**fields) if help is not None else None,
        )
    msg = f"unexpected {fields['found'].removeprefix('the ')}"
    if s.expected:
        msg += f": expected {fields['expected']}"
    return Diagnostic("SHOT101", "error", msg, s.span)


def _token_span(file: str, t: Token) -> n.Span:
    return n.Span(file, t.line, t.column, t.end_line, t.end_column, t.start_pos, t.end_pos)


# ---------------------------------------------------------------------------- the lexer's

#: (code, message, help) of the lexer's errors; ``{char}`` is the character as written.
LEX_UNCLOSED_LONG = ("SHOT103", "this multi-line string is never closed", 'close it with `"""`')
LEX_UNCLOSED = (
    "SHOT103",
    "this string is never closed",
    'close it with `"` on the same line; for prose over several lines use """..."""',
)
LEX_CHAR = (
    "SHOT102",
    "unexpected character `{char}`",
    "comments start with `//`; strings are in double quotes",
)
LEX_CHAR_CODE = (
    "SHOT102",
    "unexpected character U+{code:04X}",
    "comments start with `//`; strings are in double quotes",
)
LEX_HASH = (
    "`#` does not start a comment: comments start with `//`",
    "write `// ...` for a comment",
)
LEX_BLOCK_UNCLOSED = "this `/*` comment is never closed, and comments start with `//`"
LEX_BLOCK = "`/* ... */` is not a comment here: comments start with `//`"
LEX_BLOCK_HELP = "start each line of the comment with `//`"

#: End of file.
EOF_UNCLOSED = (
    "unexpected end of file: a `}` is missing",
    "this `{` is never closed",
    "add the missing `}` at the end of the block",
)
EOF_EXPECTED = "unexpected end of file: expected {expected}"
TOO_MANY = ("stopped after {count} syntax errors", "fix the errors above and run the command again")
