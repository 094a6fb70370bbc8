"""Client configuration: the API key, the base URL, timeouts, named profiles.

Precedence, for every setting: **argument (flag) > environment > config file > default**.

=============  ==========================  ===========================  ==================
setting        environment                 config file (profile table)   default
=============  ==========================  ===========================  ==================
API key        ``SEEDANCE_API_KEY``        ``api_key``                   (none: an error)
base URL       ``SEEDANCE_BASE_URL``       ``base_url``                  ``CONTRACT.default_base_url``
profile        ``SEEDANCE_PROFILE``        ``default_profile`` (top)     ``"default"``
connect/read   —                           ``connect_timeout``,          10 s / 60 s
timeouts                                   ``read_timeout``
config file    ``SEEDANCE_CONFIG`` (path)  —                             ``<user config dir>/seedance/config.toml``
=============  ==========================  ===========================  ==================

The config file is TOML::

    default_profile = "work"

    [profiles.work]
    api_key = "sk_live_..."

    [profiles.sandbox]
    api_key = "sk_test_anything"
    base_url = "http://127.0.0.1:8765"

A config file that holds a key and is readable by the group or others gets an
:class:`InsecureConfigWarning` (fix: ``chmod 600``).
"""

from __future__ import annotations

import ipaddress
import os
import stat
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from ..api.spec import CONTRACT
from ..secret import ApiKey
from .errors import ConfigError

__all__ = [
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "ENV_CONFIG",
    "ENV_PROFILE",
    "ClientConfig",
    "InsecureConfigWarning",
    "Timeouts",
    "default_config_path",
    "resolve_config",
]

ENV_API_KEY = "SEEDANCE_API_KEY"
ENV_BASE_URL = "SEEDANCE_BASE_URL"
ENV_PROFILE = "SEEDANCE_PROFILE"
ENV_CONFIG = "SEEDANCE_CONFIG"
DEFAULT_PROFILE = "default"

Source = Literal["argument", "environment", "config file", "default"]


class InsecureConfigWarning(UserWarning):
    """The config file holding an API key is readable by other users."""


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Per-request timeouts, in seconds (one HTTP request, not a whole ``wait``).

    ``connect``: establishing the TCP/TLS connection.  ``read``: the longest silence
    while waiting for (part of) the answer — a submit answers in well under a second
    normally, so 60 s means the server is stuck.  ``write``: sending the body.
    ``pool``: waiting for a free connection of the client's pool.
    """

    connect: float = 10.0
    read: float = 60.0
    write: float = 30.0
    pool: float = 30.0

    def __post_init__(self) -> None:
        for name in ("connect", "read", "write", "pool"):
            if not getattr(self, name) > 0:
                raise ValueError(f"timeout {name} must be > 0 seconds")

    def scaled(self, factor: float) -> Timeouts:
        """All four multiplied by ``factor`` (for time-scaled sandboxes and tests)."""
        return Timeouts(
            self.connect * factor, self.read * factor, self.write * factor, self.pool * factor
        )


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """The resolved configuration of one client.  Its repr never shows the key."""

    api_key: ApiKey | None
    base_url: str
    profile: str
    timeouts: Timeouts = field(default_factory=Timeouts)
    config_path: Path | None = None
    api_key_source: Source | None = None
    base_url_source: Source = "default"
    #: the profile's ``[profiles.NAME.store]`` table (the asset store for local files:
    #: ``seedance_dsl.assets.store.store_config`` reads it; docs/assets.md), or None
    store: Mapping[str, Any] | None = None

    def require_key(self) -> ApiKey:
        if self.api_key is None:
            where = f" (looked in {self.config_path})" if self.config_path else ""
            raise ConfigError(
                f"no Seedance API key configured for profile {self.profile!r}{where}",
                help=(
                    f"set {ENV_API_KEY}, or add api_key to [profiles.{self.profile}] in "
                    f"{self.config_path or default_config_path()} (chmod 600); "
                    "for a local sandbox any key it accepts will do"
                ),
            )
        return self.api_key

    def with_overrides(
        self, *, base_url: str | None = None, timeouts: Timeouts | None = None
    ) -> ClientConfig:
        cfg = self
        if base_url is not None:
            cfg = replace(cfg, base_url=check_base_url(base_url), base_url_source="argument")
        if timeouts is not None:
            cfg = replace(cfg, timeouts=timeouts)
        return cfg


def default_config_path() -> Path:
    """``<user config dir>/seedance/config.toml`` (platformdirs).

    On Linux that is ``$XDG_CONFIG_HOME`` (or ``~/.config``), computed here as
    platformdirs does: importing it costs ~20 ms of every render's time to its first
    submit (tests/client/test_config.py compares the two)."""
    if sys.platform == "linux":
        base = os.environ.get("XDG_CONFIG_HOME", "")
        if not base.strip():
            base = os.path.expanduser("~/.config")
        return Path(base) / "seedance" / "config.toml"
    import platformdirs

    return platformdirs.user_config_path("seedance", appauthor=False) / "config.toml"


def check_base_url(url: str) -> str:
    """Validate and normalise a base URL (no trailing slash).

    https anywhere; plain http only on loopback (a local sandbox), because the key
    travels in the Authorization header and must never cross a network in clear text.
    """
    url = url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError as exc:
        raise ConfigError(f"base URL {url!r} is not a well-formed URL") from exc
    help_text = f"use https://host (the hosted service is {CONTRACT.default_base_url})"
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(f"base URL {url!r} must be an http(s) URL with a host", help=help_text)
    if parts.query or parts.fragment:
        raise ConfigError(f"base URL {url!r} must not have a query or fragment", help=help_text)
    if parts.scheme == "http" and not _is_loopback(host):
        raise ConfigError(
            f"base URL {url!r} uses plain http on a non-loopback host; the API key would "
            "travel in clear text",
            help=help_text + "; plain http is allowed only for a sandbox on 127.0.0.1",
        )
    return url


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(
            f"cannot read the config file {path}: {exc.strerror}",
            help="fix its permissions (chmod 600) or point SEEDANCE_CONFIG elsewhere",
        ) from None
    import tomllib  # only when there is a file (~3 ms of every client otherwise)

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        # tomllib's message names line and column but never quotes the file's content.
        detail = str(exc) if isinstance(exc, tomllib.TOMLDecodeError) else "not UTF-8"
        raise ConfigError(
            f"{path}: the config file is not valid TOML ({detail})",
            help="see docs/client.md for the format",
        ) from None
    return data


def _warn_if_exposed(path: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover - POSIX permission bits only
        return
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & (stat.S_IRGRP | stat.S_IROTH | stat.S_IWGRP | stat.S_IWOTH):
        warnings.warn(
            f"{path} holds an API key and is readable by other users "
            f"(mode {stat.filemode(mode)}); run: chmod 600 {path}",
            InsecureConfigWarning,
            stacklevel=3,
        )


def _profile_table(data: Mapping[str, Any], name: str, path: Path) -> Mapping[str, Any] | None:
    profiles = data.get("profiles", {})
    if not isinstance(profiles, Mapping):
        raise ConfigError(f"{path}: `profiles` must be a table of [profiles.<name>] tables")
    table = profiles.get(name)
    if table is None:
        return None
    if not isinstance(table, Mapping):
        raise ConfigError(f"{path}: [profiles.{name}] must be a table")
    known = {"api_key", "base_url", "connect_timeout", "read_timeout", "store"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(
            f"{path}: [profiles.{name}] has unknown setting(s) {', '.join(unknown)}",
            help=f"the settings of a profile are {', '.join(sorted(known))}",
        )
    if "store" in table and not isinstance(table["store"], Mapping):
        raise ConfigError(
            f"{path}: [profiles.{name}] store must be a table",
            help=f"write it as [profiles.{name}.store] with bucket = ..., endpoint_url = ...",
        )
    return table


def resolve_config(
    api_key: str | ApiKey | None = None,
    *,
    base_url: str | None = None,
    profile: str | None = None,
    timeouts: Timeouts | None = None,
    config_path: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> ClientConfig:
    """Resolve the configuration: argument > environment > config file > default.

    ``env`` defaults to :data:`os.environ`; ``config_path`` to ``SEEDANCE_CONFIG`` or
    :func:`default_config_path`.  A missing key is *not* an error here (``plan`` needs
    no key); :meth:`ClientConfig.require_key` raises :class:`ConfigError` when one is
    needed.  An explicitly requested profile that the file lacks is an error.
    """
    env = os.environ if env is None else env
    if config_path is not None:
        path = Path(config_path)
    elif env.get(ENV_CONFIG):
        path = Path(env[ENV_CONFIG])
    else:
        path = default_config_path()
    data = _read_config_file(path)

    explicit_profile = profile or env.get(ENV_PROFILE)
    file_default = data.get("default_profile")
    if file_default is not None and not isinstance(file_default, str):
        raise ConfigError(f"{path}: default_profile must be a string")
    name = explicit_profile or file_default or DEFAULT_PROFILE
    table = _profile_table(data, name, path) if data else None
    if table is None and (explicit_profile or file_default):
        names = sorted(data.get("profiles", {}) or {})
        raise ConfigError(
            f"profile {name!r} is not defined in {path}",
            help=(
                f"defined profiles: {', '.join(names)}"
                if names
                else f"add a [profiles.{name}] table to {path}"
            ),
        )
    table = table or {}

    key: ApiKey | None = None
    key_source: Source | None = None
    if api_key is not None:
        key, key_source = _as_key(api_key, "the api_key argument"), "argument"
    elif env.get(ENV_API_KEY, "").strip():
        key, key_source = _as_key(env[ENV_API_KEY], ENV_API_KEY), "environment"
    elif "api_key" in table:
        raw = table["api_key"]
        if not isinstance(raw, str):
            raise ConfigError(f"{path}: [profiles.{name}] api_key must be a string")
        key, key_source = _as_key(raw, f"api_key in {path}"), "config file"
    if "api_key" in table:
        _warn_if_exposed(path)

    url_source: Source
    if base_url is not None:
        url, url_source = base_url, "argument"
    elif env.get(ENV_BASE_URL, "").strip():
        url, url_source = env[ENV_BASE_URL], "environment"
    elif "base_url" in table:
        if not isinstance(table["base_url"], str):
            raise ConfigError(f"{path}: [profiles.{name}] base_url must be a string")
        url, url_source = table["base_url"], "config file"
    else:
        url, url_source = CONTRACT.default_base_url, "default"

    if timeouts is None:
        t = Timeouts()
        try:
            timeouts = Timeouts(
                connect=float(table.get("connect_timeout", t.connect)),
                read=float(table.get("read_timeout", t.read)),
                write=t.write,
                pool=t.pool,
            )
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: [profiles.{name}] {exc}") from None

    return ClientConfig(
        api_key=key,
        base_url=check_base_url(url),
        profile=name,
        timeouts=timeouts,
        config_path=path,
        api_key_source=key_source,
        base_url_source=url_source,
        store=table.get("store"),
    )


def _as_key(value: str | ApiKey, where: str) -> ApiKey:
    if isinstance(value, ApiKey):
        return value
    try:
        return ApiKey(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
