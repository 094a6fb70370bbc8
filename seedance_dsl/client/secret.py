"""The API key, held in a type that never shows it.

``str()``, ``repr()``, ``format()`` and pickling of an :class:`ApiKey` never reveal the
key; only :meth:`ApiKey.reveal` does, and the client calls it in exactly one place:
when it writes the ``Authorization`` header of a request to the API's own base URL.
"""

from __future__ import annotations

import hmac
from typing import Any, NoReturn

__all__ = ["ApiKey"]


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
