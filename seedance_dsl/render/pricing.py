"""Credit estimates: a configurable price table.  **Estimates, not prices.**

The provider documents one price only: ``credits_used: 30`` for a standard-tier,
5-second, 720p text-to-video request (``CONTRACT.documented_prices``).  Everything else
here is an assumption, scaled from that figure:

* linear in the duration (30 credits per 5 s = 6 credits per second);
* tier factor: mini 0.5, standard 1, pro 2;
* resolution factor: 720p 1, 1080p 1.5, 1080p-plus 2, 4k 4;
* channel, mode, audio and fixed lens: no effect.

Estimates are rounded up to whole credits.  A team that knows its real prices writes
them in a JSON file (same keys as :meth:`PriceTable.to_json`) and passes it with
``--prices FILE`` or ``SEEDANCE_PRICES``.  The real charge is what the server reports
(``credits_used``); the renderer records that, and uses the estimate only to decide
beforehand whether a submit fits in ``--max-credits``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..api.spec import CONTRACT
from ..errors import UsageError

__all__ = ["PRICES_ENV", "PriceTable"]

PRICES_ENV = "SEEDANCE_PRICES"


def _base() -> tuple[str, int, str, int]:
    (tier, duration, resolution), credits = next(iter(CONTRACT.documented_prices.items()))
    return tier, duration, resolution, credits


@dataclass(frozen=True, slots=True)
class PriceTable:
    """Credits of a request = base x duration/base duration x tier x resolution x channel."""

    base_credits: float = field(default_factory=lambda: float(_base()[3]))
    base_duration_s: float = field(default_factory=lambda: float(_base()[1]))
    tier_factor: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({"mini": 0.5, "standard": 1.0, "pro": 2.0})
    )
    resolution_factor: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType(
            {"720p": 1.0, "1080p": 1.5, "1080p-plus": 2.0, "4k": 4.0}
        )
    )
    channel_factor: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    #: Where the table came from ("built-in assumptions" or a file path).
    source: str = "built-in assumptions scaled from the one documented price"

    def estimate(self, payload: Mapping[str, Any]) -> int:
        """Estimated credits of one request body (``None``/missing fields: API defaults)."""
        d = CONTRACT.defaults

        def get(name: str) -> Any:
            value = payload.get(name)
            return d.get(name) if value is None else value

        try:
            duration = float(str(get("duration")))
        except ValueError:
            duration = float(str(d["duration"]))
        credits = self.base_credits * duration / self.base_duration_s
        credits *= self.tier_factor.get(str(get("quality_tier")), 1.0)
        credits *= self.resolution_factor.get(str(get("resolution")), 1.0)
        credits *= self.channel_factor.get(str(get("channel")), 1.0)
        return math.ceil(credits - 1e-9)

    def to_json(self) -> dict[str, Any]:
        return {
            "base_credits": self.base_credits,
            "base_duration_s": self.base_duration_s,
            "tier_factor": dict(self.tier_factor),
            "resolution_factor": dict(self.resolution_factor),
            "channel_factor": dict(self.channel_factor),
        }

    @classmethod
    def load(cls, path: str | Path) -> PriceTable:
        """A table from a JSON file; keys left out keep their built-in values."""
        p = Path(path)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UsageError(
                f"cannot read the price table {p}: {exc.strerror}",
                help="pass an existing JSON file to --prices (or unset SEEDANCE_PRICES)",
            ) from None
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"{p}:{exc.lineno}:{exc.colno}: the price table is not valid JSON: {exc.msg}",
                help="see docs/rendering.md, 'Credit estimates', for the format",
            ) from None
        if not isinstance(data, dict):
            raise UsageError(f"{p}: the price table must be a JSON object")
        base = cls()
        allowed = set(base.to_json())
        unknown = set(data) - allowed
        if unknown:
            raise UsageError(
                f"{p}: unknown price-table keys: {', '.join(sorted(unknown))}",
                help=f"allowed keys: {', '.join(sorted(allowed))}",
            )
        try:
            return cls(
                base_credits=float(data.get("base_credits", base.base_credits)),
                base_duration_s=float(data.get("base_duration_s", base.base_duration_s)),
                tier_factor=MappingProxyType(
                    {**base.tier_factor, **_floats(data.get("tier_factor", {}))}
                ),
                resolution_factor=MappingProxyType(
                    {**base.resolution_factor, **_floats(data.get("resolution_factor", {}))}
                ),
                channel_factor=MappingProxyType(
                    {**base.channel_factor, **_floats(data.get("channel_factor", {}))}
                ),
                source=str(p),
            )
        except (TypeError, ValueError, AttributeError):
            raise UsageError(
                f"{p}: price-table values must be numbers (factors: objects of numbers)"
            ) from None

    @classmethod
    def from_env_or(cls, path: str | Path | None) -> PriceTable:
        """``path`` if given, else ``$SEEDANCE_PRICES`` if set, else the built-in table."""
        chosen = path or os.environ.get(PRICES_ENV)
        return cls.load(chosen) if chosen else cls()


def _floats(value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise TypeError
    return {str(k): float(v) for k, v in value.items()}
