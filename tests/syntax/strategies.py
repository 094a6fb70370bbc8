"""Hypothesis strategies for syntax trees that the grammar can express.

Every generated tree is one that the parser could have produced: names are never
reserved words, setting values are classified as the parser classifies them, phrases
are normalised (lower case, single spaces).  Spans are left at NO_SPAN (equality ignores
them), comments are empty (equality ignores them too).
"""

from __future__ import annotations

from hypothesis import strategies as st

from seedance_dsl.syntax import nodes as n
from seedance_dsl.syntax.parser import RESERVED_WORDS, classify_value

# The grammar's reserved words, plus words that are values or fields (`text`, `on`, `off`):
# generated names avoid them all, so a generated tree never depends on context to parse.
RESERVED = RESERVED_WORDS | {"text", "on", "off"}

names = st.from_regex(r"[a-z_][a-z0-9_]{0,9}", fullmatch=True).filter(lambda s: s not in RESERVED)
idents = names.map(n.Ident)
words = st.from_regex(r"[a-z][a-z0-9'\-]{0,7}", fullmatch=True).filter(lambda s: s not in RESERVED)
phrases = st.lists(words, min_size=1, max_size=3).map(lambda ws: n.Ident(" ".join(ws)))

# any text, including quotes, backslashes, newlines, tabs, control characters, emoji —
# but no NUL and no lone surrogate, which no string can hold (SHOT114)
_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
texts = st.text(_chars, max_size=40).map(n.Text)
prose = st.one_of(
    texts,
    st.lists(st.text(alphabet='abc \t"\\xyz', max_size=12), min_size=2, max_size=4).map(
        lambda ls: n.Text("\n".join(ls))
    ),
)

_value_words = [
    "standard",
    "pro",
    "mini",
    "real",
    "wild",
    "720p",
    "1080p",
    "1080p-plus",
    "4k",
    "16:9",
    "9:16",
    "21:9",
    "adaptive",
    "on",
    "off",
    "fixed",
    "free",
    "5s",
    "1.5s",
    "15s",
    "42",
    "-1",
    "0",
    "text-to-video",
    "image-to-video",
    "media-to-video",
]


@st.composite
def setting_values(draw: st.DrawFn) -> n.SettingValue:
    if draw(st.booleans()):
        w = draw(st.sampled_from(_value_words))
        return n.SettingValue(w, classify_value(w))
    return n.SettingValue(draw(st.text(_chars, max_size=20)), "text")


settings = st.builds(
    n.Setting, st.sampled_from(sorted(n.SETTING_KEYS)).map(n.Ident), setting_values()
)

clip_outputs = st.builds(n.ClipOutput, idents, st.sampled_from(["last_frame", "video"]))
roles = st.builds(n.RoleDecl, st.sampled_from(n.ROLES), st.one_of(idents, clip_outputs))
uses = st.builds(n.UsePackage, idents, st.lists(phrases, max_size=3).map(tuple))
shot_fields = st.builds(n.ShotField, st.sampled_from(n.SHOT_FIELD_KEYS), st.one_of(prose, idents))
dialogues = st.builds(n.Dialogue, st.one_of(idents, texts), prose)
durations = st.integers(min_value=1, max_value=60_000).map(n.Duration)
shots = st.builds(
    n.Shot,
    st.one_of(st.none(), durations),
    st.lists(st.one_of(shot_fields, dialogues), max_size=4).map(tuple),
)
name_lists = st.lists(idents, min_size=1, max_size=3).map(tuple)
cast_uses = st.builds(n.CastUse, name_lists)
omits = st.builds(n.Omit, name_lists)
members = st.builds(
    n.MemberDecl,
    st.sampled_from(["character", "product"]),
    idents,
    st.lists(st.one_of(idents, texts), max_size=3).map(tuple),  # names and inline URLs/paths
    st.one_of(st.none(), prose),
)
clip_items = st.one_of(settings, roles, uses, cast_uses, omits, shots, st.builds(n.ClipText, prose))
clips = st.builds(n.ClipDecl, idents, st.lists(clip_items, max_size=6).map(tuple))
assets = st.builds(n.AssetDecl, idents, st.sampled_from(["image", "video"]), texts)
package_items = st.one_of(
    st.builds(n.StyleItem, prose),
    st.builds(
        n.ConstraintItem,
        st.sampled_from(["keep", "avoid"]),
        st.lists(phrases, min_size=1, max_size=3).map(tuple),
    ),
)
packages = st.builds(n.PackageDecl, idents, st.lists(package_items, max_size=4).map(tuple))
# after a cut entry `trim` and `fade` are keywords, so no entry is named so
_trims = st.builds(
    lambda a, d: n.Trim(n.Duration(a), n.Duration(a + d)),
    st.integers(min_value=0, max_value=20_000),
    st.integers(min_value=1, max_value=20_000),
)
cut_entries = st.builds(
    n.CutEntry,
    names.filter(lambda s: s not in ("trim", "fade")).map(n.Ident),
    st.one_of(st.none(), _trims),
    st.one_of(st.none(), st.integers(min_value=0, max_value=5_000).map(n.Duration)),
)
cuts = st.builds(n.CutDecl, st.lists(cut_entries, max_size=5).map(tuple))
top_items = st.one_of(
    st.builds(n.Import, texts),
    st.builds(n.TemplateDecl, texts),
    st.builds(
        n.Defaults,
        st.lists(settings, max_size=5).map(tuple),
        uses=st.lists(uses, max_size=2).map(tuple),
        cast=st.lists(cast_uses, max_size=2).map(tuple),
    ),
    assets,
    members,
    packages,
    clips,
    cuts,
)
storyboards = st.builds(
    n.Storyboard,
    st.one_of(st.none(), texts),
    st.lists(top_items, max_size=6).map(tuple),
)
