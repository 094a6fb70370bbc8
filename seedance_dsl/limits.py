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

from .errors import UsageError

__all__ = [
    "LIMITS",
    "Limit",
    "LimitSettingError",
    "check_environment",
    "exceeded_help",
    "limit",
    "markdown_table",
]

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
                help=f"set {self.env} to a positive number of {self.unit} "
                f"(default {_fmt_default(self)})",
            )
        return number

    def int_value(self) -> int:
        return int(self.value())


class LimitSettingError(UsageError, ValueError):
    """An environment variable of a limit holds something that is not a positive number
    (exit 2, like any other bad setting)."""


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
    Limit(
        "template_file_bytes",
        1 * MiB,
        "bytes",
        "SEEDANCE_MAX_TEMPLATE_BYTES",
        "the size of one prompt template file (`template`, `--template`, or one it includes)",
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
    Limit(
        "render_task_timeout",
        3600.0,
        "seconds",
        "SEEDANCE_TASK_TIMEOUT",
        "how long a task may stay processing before `render` reports it stuck "
        "(scaled by the server's time scale, e.g. --sandbox's)",
    ),
    Limit(
        "output_url_lifetime",
        86400.0,
        "seconds",
        "SEEDANCE_OUTPUT_URL_LIFETIME",
        "how long a server's output URL (video, last frame) is taken to stay valid after "
        "the task completed, when the URL itself does not say (X-Amz-Expires, X-Goog-Expires, "
        "Expires=)",
    ),
    Limit(
        "output_url_margin",
        900.0,
        "seconds",
        "SEEDANCE_OUTPUT_URL_MARGIN",
        "how long an earlier clip's output URL must still be valid when a clip that uses it "
        "is submitted; less, and `render` renews it (re-fetches the task, or uploads the "
        "downloaded file through the store)",
    ),
    Limit(
        "state_busy_timeout",
        30.0,
        "seconds",
        "SEEDANCE_STATE_BUSY_TIMEOUT",
        "how long a command waits for .seedance/state.db while another program holds it locked",
    ),
    Limit(
        "render_video_bytes_per_second",
        1.5 * MiB,
        "bytes",
        "SEEDANCE_VIDEO_BYTES_PER_SECOND",
        "the size of one second of 1080p video in the free-space estimate of --out before "
        "the first submit (scaled by the pixels of other resolutions)",
    ),
    Limit(
        "render_min_free_bytes",
        32 * MiB,
        "bytes",
        "SEEDANCE_MIN_FREE_BYTES",
        "free space kept to spare, beyond the downloads' estimate, on --out and the state "
        "directory before the first submit",
    ),
    # --- assets: local reference files, the upload store, the preflight of remote URLs
    #     (seedance_dsl.assets)
    Limit(
        "asset_image_bytes",
        30 * MiB,
        "bytes",
        "SEEDANCE_MAX_ASSET_IMAGE_BYTES",
        "the size of one image asset (a local file, or what a remote URL declares)",
    ),
    Limit(
        "asset_image_pixels",
        36_000_000,
        "count",
        "SEEDANCE_MAX_ASSET_IMAGE_PIXELS",
        "the pixels (width x height) of one image asset, read from its header before any "
        "decode (a decompression bomb is refused)",
    ),
    Limit(
        "asset_video_bytes",
        200 * MiB,
        "bytes",
        "SEEDANCE_MAX_ASSET_VIDEO_BYTES",
        "the size of one video asset (a local file, or what a remote URL declares)",
    ),
    Limit(
        "asset_video_seconds",
        60,
        "seconds",
        "SEEDANCE_MAX_ASSET_VIDEO_SECONDS",
        "the duration of one local video asset",
    ),
    Limit(
        "asset_probe_timeout",
        10,
        "seconds",
        "SEEDANCE_ASSET_PROBE_TIMEOUT",
        "one preflight probe of a remote asset URL, from connect to its answer's headers",
    ),
    Limit(
        "asset_probe_concurrency",
        8,
        "count",
        "SEEDANCE_MAX_ASSET_PROBES",
        "preflight probes of remote asset URLs in flight at once",
    ),
    Limit(
        "asset_upload_concurrency",
        4,
        "count",
        "SEEDANCE_MAX_ASSET_UPLOADS",
        "uploads of local assets to the store in flight at once",
    ),
    Limit(
        "asset_store_timeout",
        60,
        "seconds",
        "SEEDANCE_ASSET_STORE_TIMEOUT",
        "one request to the asset store (connect, or a read of its answer); an unreachable "
        "store is reported before anything is submitted",
    ),
    # --- the sandbox server: what a client may send (seedance_dsl.sandbox)
    Limit(
        "sandbox_body_bytes",
        1_000_000,
        "bytes",
        "SEEDANCE_SANDBOX_MAX_BODY_BYTES",
        "the size of one request body the sandbox reads (a larger Content-Length is "
        "refused before the body is read)",
    ),
    Limit(
        "sandbox_header_bytes",
        16 * 1024,
        "bytes",
        "SEEDANCE_SANDBOX_MAX_HEADER_BYTES",
        "the size of the request line and headers of one request to the sandbox",
    ),
    Limit(
        "sandbox_idle_timeout",
        5,
        "seconds",
        "SEEDANCE_SANDBOX_IDLE_TIMEOUT",
        "how long the sandbox keeps a connection open that sends nothing (before its "
        "first request, or between keep-alive requests)",
    ),
    Limit(
        "sandbox_header_timeout",
        10,
        "seconds",
        "SEEDANCE_SANDBOX_HEADER_TIMEOUT",
        "how long the sandbox waits for a request's headers once their first byte came",
    ),
    Limit(
        "sandbox_body_timeout",
        30,
        "seconds",
        "SEEDANCE_SANDBOX_BODY_TIMEOUT",
        "how long the sandbox waits for a whole request body once the headers came",
    ),
    Limit(
        "sandbox_max_connections",
        1000,
        "count",
        "SEEDANCE_SANDBOX_MAX_CONNECTIONS",
        "connections the sandbox serves at once (lowered to stay below the file-"
        "descriptor limit, RLIMIT_NOFILE; more get 503 service_busy)",
    ),
    Limit(
        "sandbox_asset_bytes",
        256 * MiB,
        "bytes",
        "SEEDANCE_SANDBOX_MAX_ASSET_BYTES",
        "the size of one local asset uploaded to the sandbox (PUT /_sandbox/assets/NAME), "
        "which then serves it to its own animatics",
    ),
    Limit(
        "sandbox_fetch_bytes",
        32 * MiB,
        "bytes",
        "SEEDANCE_SANDBOX_MAX_FETCH_BYTES",
        "the size of one loopback media URL (start/end frame, reference) the sandbox fetches "
        "to draw an animatic",
    ),
    Limit(
        "sandbox_fetch_timeout",
        10,
        "seconds",
        "SEEDANCE_SANDBOX_FETCH_TIMEOUT",
        "one fetch of a loopback media URL by the sandbox, from connect to its last byte",
    ),
    # --- preview and cut: what they read of a render folder (seedance_dsl.preview, .cut)
    Limit(
        "manifest_bytes",
        64 * MiB,
        "bytes",
        "SEEDANCE_MAX_MANIFEST_BYTES",
        "the size of a render's manifest.json that `preview`, `cut` and `trace` read",
    ),
    # --- the language server: how long it waits, how far it looks (seedance_dsl.lsp)
    Limit(
        "lsp_debounce",
        0.1,
        "seconds",
        "SEEDANCE_LSP_DEBOUNCE",
        "how long `seedance lsp` waits after a keystroke before it re-checks the document",
    ),
    Limit(
        "lsp_full_check_delay",
        0.6,
        "seconds",
        "SEEDANCE_LSP_FULL_CHECK_DELAY",
        "how long typing must pause before `seedance lsp` replaces a per-clip re-check by "
        "a full check of the file",
    ),
    Limit(
        "lsp_workspace_files",
        2000,
        "count",
        "SEEDANCE_MAX_LSP_WORKSPACE_FILES",
        ".shot files `seedance lsp` reads from the workspace folders (references, rename, "
        "workspace symbols)",
    ),
)


def limit(name: str) -> float:
    """The value in force of the limit ``name`` (a key of :data:`LIMITS`)."""
    return LIMITS[name].value()


def check_environment() -> None:
    """Read every limit's variable once, so a bad setting stops a command before it
    does anything (a render must not find it after its first submit).  Raises
    :class:`LimitSettingError` for the first bad one."""
    for row in LIMITS.values():
        row.value()


def exceeded_help(name: str) -> str:
    """The help line of an error that hit limit ``name``: which variable raises it."""
    row = LIMITS[name]
    return f"the limit is {row.what} ({row.value():g} {row.unit}); set {row.env} to raise it"


def _fmt_default(row: Limit) -> str:
    value = row.default
    if row.unit == "bytes":
        for unit, size in (("GiB", 1024 * MiB), ("MiB", MiB), ("KiB", 1024)):
            if value >= size and value % size == 0:
                return f"{value / size:g} {unit}"
        return f"{value:,.0f} bytes"
    if row.unit == "seconds":
        return f"{value:g} s"
    if row.unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.0f} {row.unit}"


def markdown_table() -> str:
    """The table of docs/security.md: every limit, its default and its variable."""
    lines = ["| limit | default | environment variable | what it bounds |", "|---|---|---|---|"]
    for row in LIMITS.values():
        lines.append(f"| `{row.name}` | {_fmt_default(row)} | `{row.env}` | {row.what} |")
    return "\n".join(lines) + "\n"
