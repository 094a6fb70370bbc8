"""The values of the language, as the parser reads them: durations, setting-value kinds,
string bodies (escapes, triple-quoted dedent), the reserved words, and "did you mean".

Pure functions of text, with no parser state: the tree builder (:mod:`.build`), the
formatter and the checker share them, so a value is read one way everywhere.
"""

from __future__ import annotations

import re

from . import nodes as n

__all__ = [
    "ASSET_KINDS",
    "CLIP_KEYWORDS",
    "CLIP_OUTPUTS",
    "PACKAGE_KEYWORDS",
    "REF_ROLES",
    "RESERVED_WORDS",
    "ROLE_KEYWORDS",
    "SHOT_FIELD_SET",
    "SWITCH_WORDS",
    "TOP_KEYWORDS",
    "classify_value",
    "dedent_long",
    "did_you_mean",
    "duration_millis",
    "suggest",
    "unescape",
]

_DURATION_RE = re.compile(r"(\d+)(?:\.(\d+))?s")
_NUMBER_RE = re.compile(r"-?\d+")
_RATIO_RE = re.compile(r"\d+:\d+")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r"}
#: Characters no string (or comment) may hold: NUL (it cannot be in a file name, and
#: means "binary" everywhere) and lone UTF-16 surrogates (not characters: they cannot
#: be encoded, so no prompt, path or URL can carry them).
BAD_CHARS = re.compile("[\x00\ud800-\udfff]")
#: In a string's source text: an escape, or a character no string may hold.
STRING_SCAN = re.compile("\\\\(?:u([0-9A-Fa-f]{4})|(.))|[\x00\ud800-\udfff]", re.S)

SWITCH_WORDS = ("on", "off")
SHOT_FIELD_SET = frozenset(n.SHOT_FIELD_KEYS)
REF_ROLES: dict[str, n.Role] = {
    "character": "character",
    "product": "product",
    "motion": "motion",
    "camera": "camera",
    "style": "style",
}
ROLE_KEYWORDS: dict[str, n.Role] = {
    "start": "start",
    "end": "end",
    "source": "source",
    "extend": "extension",
}
CLIP_OUTPUTS: tuple[n.ClipOutputKind, ...] = ("last_frame", "video")
ASSET_KINDS: tuple[n.AssetKind, ...] = ("image", "video")

#: Words a user might mean at the start of a top-level statement / inside a block.
TOP_KEYWORDS = (
    "storyboard",
    "import",
    "template",
    "defaults",
    "asset",
    "package",
    "character",
    "product",
    "clip",
    "cut",
)
CLIP_KEYWORDS = ("start", "end", "ref", "source", "extend", "use", "cast", "omit", "shot", "text")
MEMBER_KEYWORDS = ("ref", "look")
PACKAGE_KEYWORDS = ("style", "keep", "avoid")
#: Words the grammar reserves: a name spelled like one of these cannot be written bare
#: (the formatter quotes it where quoting is allowed).
RESERVED_WORDS = frozenset(
    [
        "storyboard",
        "import",
        "template",
        "defaults",
        "asset",
        "package",
        "style",
        "keep",
        "avoid",
        "clip",
        "start",
        "end",
        "source",
        "extend",
        "ref",
        "as",
        "use",
        "without",
        "shot",
        "say",
    ]
)


def suggest(word: str, candidates: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """The closest candidate to ``word`` (difflib), or None when nothing is close."""
    import difflib  # only when there is a mistake to explain

    found = difflib.get_close_matches(word.lower(), sorted(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, candidates: list[str] | tuple[str, ...] | set[str]) -> str:
    """`` — did you mean `x`?`` or an empty string."""
    best = suggest(word, candidates)
    return f" — did you mean `{best}`?" if best else ""


def duration_millis(text: str) -> int | None:
    """``"5s"`` → 5000, ``"1.5s"`` → 1500; None if not a duration (or finer than 1 ms)."""
    m = _DURATION_RE.fullmatch(text)
    if m is None:
        return None
    whole, frac = m.group(1), m.group(2) or ""
    if len(frac) > 3 and frac[3:].strip("0"):
        return None
    frac = (frac + "000")[:3]
    return int(whole) * 1000 + int(frac)


def classify_value(text: str) -> n.SettingValueKind:
    if text in SWITCH_WORDS:
        return "switch"
    if _DURATION_RE.fullmatch(text):
        return "duration"
    if _NUMBER_RE.fullmatch(text):
        return "number"
    if _RATIO_RE.fullmatch(text):
        return "ratio"
    return "word"


def dedent_long(body: str) -> str:
    """The value of a triple-quoted string's body: the first and last (blank) lines
    dropped, the common indentation removed."""
    body = body.replace("\r\n", "\n")
    if body.startswith("\n"):
        body = body[1:]
    i = body.rfind("\n")
    if i >= 0 and body[i + 1 :].strip(" \t") == "":
        body = body[:i]
    import textwrap  # only for files with triple-quoted strings

    return textwrap.dedent(body)


def low_surrogate(text: str, i: int) -> int | None:
    """The low surrogate written as ``\\uDC00``-``\\uDFFF`` at ``text[i:]``, if any."""
    if text.startswith("\\u", i) and _HEX4.fullmatch(text, i + 2, i + 6):
        code = int(text[i + 2 : i + 6], 16)
        if 0xDC00 <= code <= 0xDFFF:
            return code
    return None


def unescape(body: str) -> str:
    """The value of a string's body: escapes decoded (a pair of surrogate escapes is one
    character), unknown escapes kept as their letter, and characters no string may hold
    replaced by U+FFFD (each is reported by ``TreeBuilder._check_string``)."""
    out: list[str] = []
    i = 0
    size = len(body)
    while i < size:
        j = body.find("\\", i)
        if j < 0 or j + 1 >= size:
            out.append(body[i:])
            break
        out.append(body[i:j])
        nxt = body[j + 1]
        if nxt in ESCAPES:
            out.append(ESCAPES[nxt])
            i = j + 2
        elif nxt == "u" and _HEX4.fullmatch(body, j + 2, j + 6):
            code = int(body[j + 2 : j + 6], 16)
            i = j + 6
            if 0xD800 <= code <= 0xDBFF:
                low = low_surrogate(body, i)
                if low is not None:
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
            out.append(chr(code))
        else:
            out.append(nxt)
            i = j + 2
    value = "".join(out)
    return BAD_CHARS.sub("\ufffd", value) if BAD_CHARS.search(value) else value


def char_name(c: str) -> str:
    """How a message names a character no string may hold."""
    return "a NUL character (U+0000)" if c == "\x00" else f"a lone surrogate (U+{ord(c):04X})"
