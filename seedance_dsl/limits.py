"""Every size, shape and time limit seedance-dsl enforces, in one table.

Storyboards are shared like code and ``render`` talks to whatever server the user names
(docs/security.md: the threat model).  So every input has a bound, and every bound is a
row here: a name, a default, a unit, the environment variable that changes it, and what
it guards.  An error that hits a limit names the limit and the variable that raises it
(:func:`exceeded_help`).  docs/security.md shows this table; a test compares the two.

Reading a limit costs one ``os.environ`` look-up and imports nothing: the language
commands use it on their start-up path.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Literal

__all__ = ["LIMITS", "Limit", "LimitSettingError", "exceeded_help", "limit"]

Unit = Literal["bytes", "seconds", "count", "characters"]


@dataclass(frozen=True, slots=True)
class Limit:
    """One bound: ``default`` unless ``env`` is set to another positive number."""

    name: str
    default: float
    unit: Unit
    env: str
    what: str

    def value(self) -> float:
        """The limit in force: ``$env`` when set (a positive number), else the default."""
        raw = os.environ.get(self.env)
        if raw is None or not raw.strip():
            return self.default
        try:
            number = float(raw.strip().replace("_", ""))
        except ValueError:
            number = math.nan
        if not (number > 0 and math.isfinite(number)):
            raise LimitSettingError(
                f"{self.env}={raw!r} is not a positive number",
                help=f"set {self.env} to a positive number of {self.unit} (default {self.default:g})",
            )
        return number

    def int_value(self) -> int:
        return int(self.value())


class LimitSettingError(ValueError):
    """An environment variable of a limit holds something that is not a positive number."""

    def __init__(self, message: str, *, help: str) -> None:
        super().__init__(message)
        self.message = message
        self.help = help


def _table(*rows: Limit) -> dict[str, Limit]:
    table: dict[str, Limit] = {}
    for row in rows:
        assert row.name not in table, row.name
        table[row.name] = row
    return table


MiB = 1024 * 1024

#: name -> limit.  Sections by the layer that enforces them; docs/security.md lists them
#: in this order.
LIMITS: dict[str, Limit] = _table(
    # --- storyboard files: what `import`, `template` and the file named on the command line
    #     may be (seedance_dsl.syntax / .check / .compiler)
    Limit(
        "storyboard_file_bytes",
        8 * MiB,
        "bytes",
        "SEEDANCE_MAX_FILE_BYTES",
        "the size of one .shot file (the one named, or an import)",
    ),
    # --- the API client: what a server may send (seedance_dsl.client)
    Limit(
        "response_json_bytes",
        4 * MiB,
        "bytes",
        "SEEDANCE_MAX_RESPONSE_BYTES",
        "the decoded size of one API answer (after gzip: compression cannot inflate it)",
    ),
    Limit(
        "json_depth",
        64,
        "count",
        "SEEDANCE_MAX_JSON_DEPTH",
        "the nesting depth of the JSON of one API answer",
    ),
    Limit(
        "task_id_chars",
        256,
        "characters",
        "SEEDANCE_MAX_TASK_ID_CHARS",
        "the length of a task id a server returns",
    ),
    Limit(
        "url_chars",
        16384,
        "characters",
        "SEEDANCE_MAX_URL_CHARS",
        "the length of an output URL (video_url, last_frame_url) a server returns",
    ),
    Limit(
        "download_bytes",
        2048 * MiB,
        "bytes",
        "SEEDANCE_MAX_DOWNLOAD_BYTES",
        "the size of one downloaded output file (never more than its declared length either)",
    ),
    Limit(
        "request_deadline",
        90,
        "seconds",
        "SEEDANCE_REQUEST_TIMEOUT",
        "one API request from connect to its last byte (a server trickling bytes is cut off)",
    ),
    Limit(
        "download_deadline",
        300,
        "seconds",
        "SEEDANCE_DOWNLOAD_TIMEOUT",
        "one download, retries included, from the first connect to its last byte",
    ),
    Limit(
        "retry_after",
        120,
        "seconds",
        "SEEDANCE_MAX_RETRY_AFTER",
        "the longest Retry-After the client waits out (a longer one is an error at once)",
    ),
    Limit(
        "first_answer_timeout",
        30,
        "seconds",
        "SEEDANCE_FIRST_ANSWER_TIMEOUT",
        "how long `render` waits for a first useful answer from a server before it stops "
        "(exit 3, state saved)",
    ),
    Limit(
        "outage_timeout",
        300,
        "seconds",
        "SEEDANCE_OUTAGE_TIMEOUT",
        "how long `render` goes on while a server that answered before is silent or "
        "refuses everything (503, 429, 5xx) before it stops (exit 3, state saved)",
    ),
    # --- the renderer: waits, disk, state (seedance_dsl.render)
    # --- the sandbox server: what a client may send (seedance_dsl.sandbox)
)


def limit(name: str) -> float:
    """The value in force of the limit ``name`` (a key of :data:`LIMITS`)."""
    return LIMITS[name].value()


def exceeded_help(name: str) -> str:
    """The help line of an error that hit limit ``name``: which variable raises it."""
    row = LIMITS[name]
    return f"the limit is {row.what} ({row.value():g} {row.unit}); set {row.env} to raise it"
