"""The ONE table of the settings: DSL key -> API field, value parser, vocabulary, rules.

Both users read it: the checker (:mod:`.resolver`, which reports a bad value as
SHOT209/210/211 at the value) and the compiler (:mod:`seedance_dsl.compiler.build`,
which turns the value into the payload field).  A value is parsed by the row's
``parse`` — the language's rule (``5s``, ``on``/``off``, ``fixed``/``free``, an
integer) — and the parsed value is judged by the API's own rules
(:func:`seedance_dsl.api.rules.field_problems`, the ids in ``rules``), so the API rules
are not re-implemented here: a vocabulary, a duration range or a seed range comes
from the contract (:data:`seedance_dsl.api.spec.CONTRACT`) through the rule.

This module sits in ``check`` (the layer both the checker and the compiler may
import); it imports only the contract (``api``) and the parser's value helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from ..api import rules
from ..api.rules import RuleProblem
from ..api.spec import CONTRACT
from ..syntax.parser import duration_millis

__all__ = [
    "DSL_KEY",
    "SETTINGS",
    "SettingSpec",
    "parse_setting",
    "setting_problems",
    "setting_vocabulary",
    "wire_value",
]


class SettingSpec:
    """One row: a DSL setting key and everything about its value.

    ``parse`` turns the source text into the compiler's value (``None``: not a value of
    this setting), ``wire`` that value into the JSON value the API rules judge,
    ``vocabulary`` lists the allowed words of a word-valued setting (empty otherwise),
    ``rules`` names the API rules (keys of :data:`seedance_dsl.api.rules.RULES`) the
    value is checked against, ``code`` is the checker's diagnostic for a bad value and
    ``expects`` says in words what the value must be (the help of SHOT322).
    """

    # A plain class, not a dataclass: `seedance check` imports this module, and a
    # dataclass costs about a millisecond to create at import time.
    __slots__ = ("code", "expects", "field", "key", "parse", "rules", "vocabulary", "wire")

    def __init__(
        self,
        key: str,
        field: str,
        *,
        code: str,
        expects: str,
        rules: tuple[str, ...],
        vocabulary: tuple[str, ...] = (),
        parse: Callable[[str], object | None] | None = None,
        wire: Callable[[object], object] = lambda v: v,
    ) -> None:
        self.key = key
        self.field = field
        self.code = code
        self.expects = expects
        self.rules = rules
        self.vocabulary = vocabulary
        self.parse: Callable[[str], object | None] = parse or _identity
        self.wire = wire


def _identity(text: str) -> object | None:
    return text


def _words(table: Mapping[str, bool]) -> Callable[[str], object | None]:
    return table.get


def _seed(text: str) -> object | None:
    try:
        return int(text)
    except ValueError:
        return None


def _duration_wire(millis: object) -> object:
    """Milliseconds -> the API's form: ``"5"`` when whole, else ``"5.5"`` (which the
    rule ``duration.whole`` rejects)."""
    assert isinstance(millis, int)
    if millis % 1000 == 0:
        return str(millis // 1000)
    return f"{millis / 1000:.3f}".rstrip("0")


_AUDIO: Final = {"on": True, "off": False}
_LENS: Final = {"fixed": True, "free": False}

_c = CONTRACT

#: DSL key -> its row, in the order of ``nodes.SETTING_KEYS``.
SETTINGS: Final[Mapping[str, SettingSpec]] = {
    s.key: s
    for s in (
        SettingSpec(
            "mode",
            "mode",
            code="SHOT209",
            expects="a mode",
            rules=("mode.allowed",),
            vocabulary=_c.modes,
        ),
        SettingSpec(
            "tier",
            "quality_tier",
            code="SHOT209",
            expects="a quality tier",
            rules=("quality_tier.allowed",),
            vocabulary=_c.quality_tiers,
        ),
        SettingSpec(
            "channel",
            "channel",
            code="SHOT209",
            expects="a channel",
            rules=("channel.allowed",),
            vocabulary=_c.channels,
        ),
        SettingSpec(
            "aspect",
            "aspect_ratio",
            code="SHOT209",
            expects="an aspect ratio",
            rules=("aspect_ratio.allowed",),
            vocabulary=_c.aspect_ratios,
        ),
        SettingSpec(
            "duration",
            "duration",
            code="SHOT210",
            expects="a duration like 5s",
            rules=("duration.whole", "duration.range"),
            parse=duration_millis,
            wire=_duration_wire,
        ),
        SettingSpec(
            "resolution",
            "resolution",
            code="SHOT209",
            expects="a resolution",
            rules=("resolution.allowed",),
            vocabulary=_c.resolutions,
        ),
        SettingSpec(
            "audio",
            "generate_audio",
            code="SHOT209",
            expects="on or off",
            rules=("bool.type",),
            vocabulary=tuple(_AUDIO),
            parse=_words(_AUDIO),
        ),
        SettingSpec(
            "lens",
            "fixed_lens",
            code="SHOT209",
            expects="fixed or free",
            rules=("bool.type",),
            vocabulary=tuple(_LENS),
            parse=_words(_LENS),
        ),
        SettingSpec(
            "seed",
            "seed",
            code="SHOT211",
            expects="an integer (-1 for random)",
            rules=("seed.range",),
            parse=_seed,
        ),
    )
}

#: API field -> the DSL setting key that sets it (``quality_tier`` -> ``tier``).
DSL_KEY: Final[Mapping[str, str]] = {s.field: s.key for s in SETTINGS.values()}


def setting_vocabulary() -> dict[str, tuple[str, ...]]:
    """The allowed words of each word-valued setting, read off the table."""
    return {k: s.vocabulary for k, s in SETTINGS.items() if s.vocabulary}


def parse_setting(key: str, text: str) -> object | None:
    """The value of ``key text`` as the compiler uses it (a duration in milliseconds,
    a bool, an int, a word), or ``None`` when ``text`` is not a value of ``key``."""
    return SETTINGS[key].parse(text)


def wire_value(key: str, value: object) -> object:
    """A parsed value as the request body carries it (a duration as ``"5"``)."""
    return SETTINGS[key].wire(value)


def setting_problems(key: str, value: object) -> list[RuleProblem]:
    """The API rules a parsed value of ``key`` breaks (only the rules of its row)."""
    spec = SETTINGS[key]
    found = rules.field_problems(spec.field, spec.wire(value))
    return [p for p in found if p.rule in spec.rules]
