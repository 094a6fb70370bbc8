"""``seedance config``: the effective client configuration, and where each value came from.

Reads :func:`seedance_dsl.client.config.resolve_config` (argument > environment > config
file > default) and shows the profile, the config file, the API key (only *whether* it
is set, and from where: never a character of it), the base URL, the timeouts, the rate
limit and the price table.  Exit codes: 0 shown; 2 the configuration is broken (an
unreadable or invalid config file, an unknown profile, a bad base URL).
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from typing import Any

import click

from .exit_codes import exit_help


def effective_config(profile: str | None = None) -> tuple[dict[str, Any], list[str]]:
    """``(settings, warnings)``: each setting is ``{"value", "source"}``.  Raises the
    client's ``ConfigError`` when the configuration cannot be resolved."""
    from ..api.spec import CONTRACT
    from ..client.config import ENV_CONFIG, ENV_PROFILE, resolve_config
    from ..render.commands import RATE_LIMIT_ENV

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cfg = resolve_config(profile=profile)
    notes = [str(w.message) for w in caught]

    if profile:
        profile_source = "argument"
    elif os.environ.get(ENV_PROFILE):
        profile_source = f"environment ${ENV_PROFILE}"
    elif cfg.profile != "default":
        profile_source = "config file default_profile"
    else:
        profile_source = "default"
    path = cfg.config_path
    path_source = f"environment ${ENV_CONFIG}" if os.environ.get(ENV_CONFIG) else "default"
    exists = path is not None and path.is_file()

    def where(source: str | None, env: str) -> str:
        if source == "environment":
            return f"environment ${env}"
        if source == "config file":
            return f"config file [profiles.{cfg.profile}]"
        return source or "default"

    if cfg.api_key is not None:
        key_value = "set"
        key_source = where(cfg.api_key_source, "SEEDANCE_API_KEY")
    else:
        key_value = "not set"
        key_source = "nowhere: render needs one (SEEDANCE_API_KEY or api_key in a profile)"
    rate = os.environ.get(RATE_LIMIT_ENV)
    prices = os.environ.get("SEEDANCE_PRICES")
    settings: dict[str, Any] = {
        "profile": {"value": cfg.profile, "source": profile_source},
        "config_file": {
            "value": (str(path) if path else "-") + ("" if exists else " (not present)"),
            "source": path_source,
        },
        "api_key": {"value": key_value, "source": key_source},
        "base_url": {
            "value": cfg.base_url,
            "source": where(cfg.base_url_source, "SEEDANCE_BASE_URL"),
        },
        "connect_timeout": {"value": f"{cfg.timeouts.connect:g} s", "source": _timeout_source(cfg)},
        "read_timeout": {"value": f"{cfg.timeouts.read:g} s", "source": _timeout_source(cfg)},
        "rate_limit": {
            "value": rate or f"{CONTRACT.rate_limit_requests}/{CONTRACT.rate_limit_window_s:g}",
            "source": f"environment ${RATE_LIMIT_ENV}" if rate else "default: the API contract",
        },
        "prices": {
            "value": prices or "built-in",
            "source": "environment $SEEDANCE_PRICES" if prices else "default",
        },
    }
    return settings, notes


def _timeout_source(cfg: Any) -> str:
    from ..client.config import Timeouts

    default = Timeouts()
    if (cfg.timeouts.connect, cfg.timeouts.read) == (default.connect, default.read):
        return "default"
    return f"config file [profiles.{cfg.profile}]"


@click.command(
    "config",
    short_help="Show the effective configuration and profile, and where each value came from.",
    epilog=exit_help("config"),
)
@click.option("--profile", default=None, metavar="NAME", help="Show this profile instead.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for programs.",
)
def config(profile: str | None, fmt: str) -> None:
    """Show the effective client configuration (profile, config file, API key, base URL,
    timeouts, rate limit, prices) and the source of each value: argument, environment,
    config file or default. The API key is never shown, only whether it is set."""
    from ..errors import SeedanceDSLError

    try:
        settings, notes = effective_config(profile)
    except SeedanceDSLError as exc:
        if fmt == "json":
            payload = {
                "ok": False,
                "error": {"kind": exc.kind, "message": exc.message, "help": exc.help},
            }
            click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        else:
            click.echo(exc.format(), err=True)
        sys.exit(2)
    if fmt == "json":
        click.echo(
            json.dumps(
                {"ok": True, "settings": settings, "warnings": notes}, indent=2, ensure_ascii=False
            )
        )
        sys.exit(0)
    width = max(len(k) for k in settings)
    vwidth = max(len(str(v["value"])) for v in settings.values())
    for name, item in settings.items():
        click.echo(f"{name:<{width}}  {item['value']!s:<{vwidth}}  from {item['source']}")
    for note in notes:
        click.echo(f"warning: {note}", err=True)
    sys.exit(0)
