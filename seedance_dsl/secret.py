"""The API key, held in a type that never shows it.

``str()``, ``repr()``, ``format()`` and pickling of an :class:`ApiKey` never reveal the
key; only :meth:`ApiKey.reveal` does, and the client calls it in exactly one place:
when it writes the ``Authorization`` header of a request to the API's own base URL.

Defence in depth: every key made in this process (and ``$SEEDANCE_API_KEY``) is
remembered, and :func:`ensure_no_secret` refuses a request body, a manifest, a state
row or a cache entry that contains one — with an error that says what and where, and
never shows the key.
"""

from __future__ import annotations

import hmac
import json
import os
from typing import Any, NoReturn

from .errors import SeedanceDSLError

__all__ = ["ApiKey", "SecretInData", "contains_secret", "ensure_no_secret", "secret_path"]

#: keys shorter than this are not looked for (a test key such as "k" is in every text;
#: real keys are far longer)
MIN_GUARDED_CHARS = 8
_GUARDED: set[str] = set()


class ApiKey:
    """A Seedance API key.  Compare with ``==``; read with :meth:`reveal`, never print."""

    __slots__ = ("__value",)

    def __init__(self, value: str) -> None:
        value = value.strip()
        if not value:
            raise ValueError("an API key cannot be empty")
        if any(c.isspace() or not c.isprintable() for c in value):
            # The key never goes into this message.
            raise ValueError("an API key cannot contain spaces or control characters")
        if not value.isascii():
            # An HTTP header carries ASCII only; the key never goes into this message.
            raise ValueError(
                "an API key must be ASCII: this one has a non-ASCII character (copy it again "
                "from the dashboard: a look-alike letter or a typographic quote slipped in)"
            )
        self.__value = value
        if len(value) >= MIN_GUARDED_CHARS:
            _GUARDED.add(value)

    def reveal(self) -> str:
        """The key itself.  Only for the Authorization header."""
        return self.__value

    def __repr__(self) -> str:
        return "ApiKey('**********')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ApiKey):
            return NotImplemented
        return hmac.compare_digest(self.__value.encode(), other.__value.encode())

    def __hash__(self) -> int:
        return hash(("ApiKey", self.__value))

    def __reduce__(self) -> NoReturn:
        raise TypeError("an ApiKey cannot be pickled (it would write the key out)")

    def __copy__(self) -> ApiKey:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> ApiKey:
        return self


class SecretInData(SeedanceDSLError):
    """Something about to be sent or written contains the API key: refused."""

    exit_code = 2
    kind = "secret"


def _secrets() -> list[str]:
    found = set(_GUARDED)
    env = os.environ.get("SEEDANCE_API_KEY", "").strip()
    if len(env) >= MIN_GUARDED_CHARS:
        found.add(env)
    forms: set[str] = set()
    for value in found:
        forms.add(value)
        forms.add(json.dumps(value)[1:-1])  # as it appears inside a JSON string
    return sorted(forms)


def contains_secret(data: str | bytes) -> bool:
    """Whether ``data`` contains a key made in this process or ``$SEEDANCE_API_KEY``."""
    for secret in _secrets():
        if isinstance(data, bytes):
            if secret.encode("utf-8") in data:
                return True
        elif secret in data:
            return True
    return False


def secret_path(value: Any, path: str = "") -> str | None:
    """The first field path (``prompt``, ``media_urls[1]``) of a JSON-like ``value``
    whose text contains a key; ``None`` when none does."""
    if isinstance(value, str):
        return (path or "(value)") if contains_secret(value) else None
    if isinstance(value, dict):
        for k, v in value.items():
            found = secret_path(v, f"{path}.{k}" if path else str(k))
            if found is not None:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            found = secret_path(v, f"{path}[{i}]")
            if found is not None:
                return found
    return None


def ensure_no_secret(data: str | bytes, *, where: str, help: str | None = None) -> None:
    """Raise :class:`SecretInData` if ``data`` contains an API key.  ``where`` says what
    was about to be sent or written (the key itself is never shown)."""
    if contains_secret(data):
        raise SecretInData(
            f"{where} contains the API key (not shown); refused: it is not sent or written",
            help=help
            or "remove the key from the storyboard (a text, an import, a template, an asset "
            "URL) and run again",
        )
