"""The render state database: ``<storyboard dir>/.seedance/state.db`` (SQLite, WAL).

Every render intent is written **before** its request is sent: clip, take, request
hash, Idempotency-Key.  Then come the task id, the task's state, its outputs and the
downloaded files.  A re-run reads this back and resumes: an intent without a task id is
re-sent with the same key (the server replays it, or creates it if the first send never
arrived), a task in flight is polled, a completed task is downloaded, a finished clip
with an unchanged request is reused.

Rows are keyed by ``(server, idempotency_key)``: ``server`` is the namespace of the
server the task lives on (its base URL, or ``sandbox``), so the same storyboard rendered
against two servers keeps two histories.  The database never holds an API key.

Each write is its own short transaction, committed before the caller goes on: a
``kill -9`` at any moment leaves the database at the last committed step.

A damaged file never crashes a command: the file is checked when it is opened
(``PRAGMA quick_check``, the schema, every row read), and every SQLite error of every
access becomes a :class:`StateError` that says what is wrong and what to do — "move it
aside" for a damaged or foreign file, "free space" for a full disk, "close the other
program" for a file locked past ``SEEDANCE_STATE_BUSY_TIMEOUT``.

The log of the API requests sent (for the next process's rate window) is kept in its own
small file, ``requests.db`` beside ``state.db``: moving a damaged ``state.db`` aside keeps
it, so the re-run right after a heavy run still counts what that run sent.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar

from ..errors import SeedanceDSLError
from ..limits import exceeded_help, limit
from ..secret import ensure_no_secret

__all__ = [
    "RecordState",
    "RenderRecord",
    "StateBusy",
    "StateDB",
    "StateDamaged",
    "StateError",
    "StateUnwritable",
    "state_dir_for",
]

SCHEMA_VERSION = 1

#: intent: recorded, not known to be accepted; submitted: a task id is known, rendering;
#: completed: the server reports outputs; done: the outputs are on disk;
#: failed: the task failed on the server; rejected: the server refused the request (4xx).
RecordState = Literal["intent", "submitted", "completed", "done", "failed", "rejected"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS renders (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    server           TEXT NOT NULL,
    storyboard       TEXT NOT NULL,
    clip             TEXT NOT NULL,
    take             INTEGER NOT NULL,
    attempt          INTEGER NOT NULL DEFAULT 0,
    request_hash     TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    request_json     TEXT NOT NULL,
    state            TEXT NOT NULL,
    task_id          TEXT,
    credits_used     INTEGER,
    credits_refunded INTEGER,
    video_url        TEXT,
    last_frame_url   TEXT,
    seed             INTEGER,
    error_code       TEXT,
    error_message    TEXT,
    video_path       TEXT,
    frame_path       TEXT,
    video_bytes      INTEGER,
    frame_bytes      INTEGER,
    created_at       REAL NOT NULL,
    submitted_at     REAL,
    completed_at     REAL,
    downloaded_at    REAL,
    render_s         REAL,
    updated_at       REAL NOT NULL,
    UNIQUE (server, idempotency_key)
);
CREATE INDEX IF NOT EXISTS renders_clip ON renders (server, storyboard, clip, take);
CREATE TABLE IF NOT EXISTS render_times (
    server      TEXT NOT NULL,
    tier        TEXT NOT NULL,
    resolution  TEXT NOT NULL,
    duration    INTEGER NOT NULL,
    render_s    REAL NOT NULL,
    recorded_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS render_times_key ON render_times (server, tier, resolution, duration);
CREATE TABLE IF NOT EXISTS server_facts (
    server TEXT NOT NULL,
    name   TEXT NOT NULL,
    value  REAL NOT NULL,
    PRIMARY KEY (server, name)
);
"""

_COLUMNS = (
    "id",
    "server",
    "storyboard",
    "clip",
    "take",
    "attempt",
    "request_hash",
    "idempotency_key",
    "request_json",
    "state",
    "task_id",
    "credits_used",
    "credits_refunded",
    "video_url",
    "last_frame_url",
    "seed",
    "error_code",
    "error_message",
    "video_path",
    "frame_path",
    "video_bytes",
    "frame_bytes",
    "created_at",
    "submitted_at",
    "completed_at",
    "downloaded_at",
    "render_s",
    "updated_at",
)

_UPDATABLE = frozenset(_COLUMNS) - {"id", "server", "idempotency_key", "created_at"}
_STATES = frozenset({"intent", "submitted", "completed", "done", "failed", "rejected"})
#: the type each column of a row read back must have (a damaged page can hold anything)
_INT_COLUMNS = frozenset(
    {"id", "take", "attempt", "credits_used", "credits_refunded", "seed"}
    | {"video_bytes", "frame_bytes"}
)
_REAL_COLUMNS = frozenset(
    {"created_at", "submitted_at", "completed_at", "downloaded_at", "render_s", "updated_at"}
)
_NULLABLE = frozenset(
    {"task_id", "credits_used", "credits_refunded", "video_url", "last_frame_url", "seed"}
    | {"error_code", "error_message", "video_path", "frame_path", "video_bytes"}
    | {"frame_bytes", "submitted_at", "completed_at", "downloaded_at", "render_s"}
)
#: the tables (and the columns of ``renders``) a state database of this version has
_TABLES = frozenset({"meta", "renders", "render_times", "server_facts"})


def state_dir_for(storyboard_path: str | Path) -> Path:
    """``<storyboard dir>/.seedance``: where the state of a storyboard is kept."""
    return Path(storyboard_path).resolve().parent / ".seedance"


class StateError(SeedanceDSLError):
    """The render state (``.seedance/`` beside the storyboard) cannot be used."""

    exit_code = 2
    kind = "state"


class StateDamaged(StateError):
    """``state.db`` is damaged, or is not a state database of this version."""


class StateUnwritable(StateError):
    """``state.db`` cannot be written: a full disk, a read-only filesystem, no permission.

    Every step committed before is kept; a re-run (once there is room) resumes."""

    kind = "disk"


class StateBusy(StateError):
    """Another program holds ``state.db`` locked for longer than the bound."""

    kind = "busy"


def _move_aside_help(path: Path) -> str:
    return (
        f"move it aside (`mv {path} {path}.damaged`) and render again: clips already paid "
        "for are replayed by the server under the same Idempotency-Key, not charged twice"
    )


def state_error(path: Path, exc: BaseException) -> StateError:
    """The :class:`StateError` that tells the user what an SQLite (or OS) error on the
    state database ``path`` means and what to do about it."""
    if isinstance(exc, StateError):
        return exc
    name = str(getattr(exc, "sqlite_errorname", ""))
    text = str(exc) or type(exc).__name__
    if path.is_dir():
        return StateDamaged(
            f"cannot use the render state {path}: it is a directory, not a database file",
            help=_move_aside_help(path),
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        waited = limit("state_busy_timeout")
        return StateBusy(
            f"cannot use the render state {path}: it is locked by another program (waited {waited:g} s)",
            help="close the program that holds it (an sqlite3 shell, a backup or sync tool), "
            "then run again; " + exceeded_help("state_busy_timeout"),
        )
    if (
        name.startswith(("SQLITE_FULL", "SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_CANTOPEN"))
        or isinstance(exc, OSError)
        or "disk is full" in text
        or "readonly database" in text
        or "unable to open" in text
        or "disk I/O error" in text
    ):
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else text
        return StateUnwritable(
            f"cannot write the render state {path}: {reason}",
            help="free some space on that disk (or make it writable), then run the same "
            "command again: every step before this one is saved, and nothing paid for "
            "is charged twice",
        )
    return StateDamaged(
        f"cannot use the render state {path}: it is damaged or not a seedance state database ({text})",
        help=_move_aside_help(path),
    )


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _converting(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Every SQLite error of a :class:`StateDB` method becomes a :class:`StateError`."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return fn(*args, **kwargs)
        except (sqlite3.Error, OSError) as exc:
            path = getattr(args[0], "path", None)
            raise state_error(Path(str(path)), exc) from None

    return wrapper


def make_state_dir(directory: Path) -> None:
    """Create the state directory, or say clearly why it cannot be."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StateError(
            f"cannot create the render state directory {directory}: {exc.strerror or exc}",
            help="the state is kept beside the storyboard: make its directory writable, "
            "or copy the .shot file (and what it imports) somewhere writable",
        ) from None


@dataclass(frozen=True, slots=True)
class RenderRecord:
    """One row of ``renders``: one intent (clip, take, attempt, request) and its fate."""

    id: int
    server: str
    storyboard: str
    clip: str
    take: int
    attempt: int
    request_hash: str
    idempotency_key: str
    request_json: str
    state: RecordState
    task_id: str | None
    credits_used: int | None
    credits_refunded: int | None
    video_url: str | None
    last_frame_url: str | None
    seed: int | None
    error_code: str | None
    error_message: str | None
    video_path: str | None
    frame_path: str | None
    video_bytes: int | None
    frame_bytes: int | None
    created_at: float
    submitted_at: float | None
    completed_at: float | None
    downloaded_at: float | None
    render_s: float | None
    updated_at: float

    @property
    def request(self) -> dict[str, Any]:
        value = json.loads(self.request_json)
        assert isinstance(value, dict)
        return value

    @property
    def in_flight(self) -> bool:
        return self.state in ("intent", "submitted")

    def to_json(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in _COLUMNS if name != "request_json"}
        out["request"] = self.request
        return out


class StateDB:
    """The state of the renders of the storyboards in one directory."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._requests: RequestLog | None = None
        if not readonly:
            make_state_dir(self.path.parent)
            _orphans_aside(self.path)
        timeout = limit("state_busy_timeout")
        conn: sqlite3.Connection | None = None
        try:
            if self.path.is_dir():
                raise IsADirectoryError(self.path)
            if readonly:
                conn = _open_readonly(self.path, timeout)
            else:
                conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                # NORMAL (with WAL): a committed step survives a crash or kill -9 of the
                # process; only a power cut can lose the last steps (which a re-run redoes
                # safely: the server replays a re-sent Idempotency-Key).
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.executescript(_SCHEMA)
                conn.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)",
                    (str(SCHEMA_VERSION),),
                )
            # sqlite opens lazily and reads pages only when asked: check the whole file
            # now, so a damaged one is reported here, with its path and what to do, and
            # not as a crash at some later query
            if _check(conn, self.path) == "empty":
                # an empty file, opened read-only: nothing recorded yet; answer from an
                # empty database of the same schema
                conn.close()
                conn = sqlite3.connect(":memory:", isolation_level=None)
                conn.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            if conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            raise state_error(self.path, exc) from None
        self._conn = conn
        self._conn.row_factory = sqlite3.Row

    @classmethod
    def for_storyboard(cls, storyboard_path: str | Path, *, readonly: bool = False) -> StateDB:
        return cls(state_dir_for(storyboard_path) / "state.db", readonly=readonly)

    @classmethod
    def exists_for(cls, storyboard_path: str | Path) -> bool:
        return (state_dir_for(storyboard_path) / "state.db").exists()

    @property
    def connection(self) -> sqlite3.Connection:
        """The open connection (the upload step records its uploads in the same file)."""
        return self._conn

    def close(self) -> None:
        if self._requests is not None:
            self._requests.close()
        with contextlib.suppress(sqlite3.Error):
            self._conn.close()

    def __enter__(self) -> StateDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")

    # ------------------------------------------------------------------ records

    def _row(self, row: sqlite3.Row | None) -> RenderRecord | None:
        if row is None:
            return None
        values = {name: row[name] for name in _COLUMNS}
        problem = _bad_row(values)
        if problem is not None:
            raise StateDamaged(
                f"cannot use the render state {self.path}: it is damaged: record {values.get('id')!r} "
                f"has {problem}",
                help=_move_aside_help(self.path),
            )
        return RenderRecord(**values)

    @_converting
    def get(self, server: str, idempotency_key: str) -> RenderRecord | None:
        cur = self._conn.execute(
            "SELECT * FROM renders WHERE server = ? AND idempotency_key = ?",
            (server, idempotency_key),
        )
        return self._row(cur.fetchone())

    @_converting
    def get_by_id(self, record_id: int) -> RenderRecord:
        cur = self._conn.execute("SELECT * FROM renders WHERE id = ?", (record_id,))
        rec = self._row(cur.fetchone())
        if rec is None:
            raise KeyError(record_id)
        return rec

    @_converting
    def record_intent(
        self,
        *,
        server: str,
        storyboard: str,
        clip: str,
        take: int,
        attempt: int,
        request_hash: str,
        idempotency_key: str,
        request_json: str,
    ) -> RenderRecord:
        """Write the intent to render (before anything is sent); idempotent per key."""
        ensure_no_secret(request_json, where=f"the request of clip {clip} (for {self.path})")
        now = time.time()
        with self._tx() as c:
            c.execute(
                "INSERT OR IGNORE INTO renders (server, storyboard, clip, take, attempt,"
                " request_hash, idempotency_key, request_json, state, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'intent', ?, ?)",
                (
                    server,
                    storyboard,
                    clip,
                    take,
                    attempt,
                    request_hash,
                    idempotency_key,
                    request_json,
                    now,
                    now,
                ),
            )
        rec = self.get(server, idempotency_key)
        assert rec is not None
        return rec

    @_converting
    def update(self, record_id: int, **fields: Any) -> RenderRecord:
        bad = set(fields) - _UPDATABLE
        if bad:
            raise ValueError(f"cannot update {sorted(bad)}")
        for name, value in fields.items():
            if isinstance(value, str):
                ensure_no_secret(value, where=f"the {name} of record {record_id} of {self.path}")
        fields["updated_at"] = time.time()
        names = sorted(fields)
        sql = "UPDATE renders SET " + ", ".join(f"{n} = ?" for n in names) + " WHERE id = ?"
        with self._tx() as c:
            c.execute(sql, [fields[n] for n in names] + [record_id])
        return self.get_by_id(record_id)

    @_converting
    def history(
        self, server: str | None, storyboard: str, clip: str | None = None
    ) -> list[RenderRecord]:
        """All records of a storyboard (optionally one clip), oldest first."""
        sql = "SELECT * FROM renders WHERE storyboard = ?"
        args: list[Any] = [storyboard]
        if server is not None:
            sql += " AND server = ?"
            args.append(server)
        if clip is not None:
            sql += " AND clip = ?"
            args.append(clip)
        sql += " ORDER BY id"
        return [r for r in map(self._row, self._conn.execute(sql, args)) if r is not None]

    @_converting
    def latest_for(
        self,
        server: str,
        storyboard: str,
        clip: str,
        take: int,
        request_hash: str,
    ) -> RenderRecord | None:
        """The newest record (highest attempt) of this clip, take and request."""
        cur = self._conn.execute(
            "SELECT * FROM renders WHERE server = ? AND storyboard = ? AND clip = ?"
            " AND take = ? AND request_hash = ? ORDER BY attempt DESC, id DESC LIMIT 1",
            (server, storyboard, clip, take, request_hash),
        )
        return self._row(cur.fetchone())

    @_converting
    def latest_done(
        self, server: str, storyboard: str, clip: str, take: int
    ) -> RenderRecord | None:
        """The newest finished render of this clip and take, whatever its request."""
        cur = self._conn.execute(
            "SELECT * FROM renders WHERE server = ? AND storyboard = ? AND clip = ?"
            " AND take = ? AND state IN ('done', 'completed') ORDER BY id DESC LIMIT 1",
            (server, storyboard, clip, take),
        )
        return self._row(cur.fetchone())

    @_converting
    def servers(self, storyboard: str) -> list[str]:
        cur = self._conn.execute(
            "SELECT server, MAX(id) AS m FROM renders WHERE storyboard = ?"
            " GROUP BY server ORDER BY m DESC",
            (storyboard,),
        )
        return [row["server"] for row in cur]

    # ------------------------------------------------------------ render times

    @_converting
    def add_render_time(
        self, server: str, tier: str, resolution: str, duration: int, render_s: float
    ) -> None:
        with self._tx() as c:
            c.execute(
                "INSERT INTO render_times VALUES (?, ?, ?, ?, ?, ?)",
                (server, tier, resolution, duration, render_s, time.time()),
            )

    @_converting
    def render_times(
        self,
        server: str,
        tier: str | None = None,
        resolution: str | None = None,
        duration: int | None = None,
        *,
        limit: int = 50,
    ) -> list[tuple[str, str, int, float]]:
        """The newest samples of a server, optionally narrowed: (tier, res, duration, s)."""
        sql = "SELECT tier, resolution, duration, render_s FROM render_times WHERE server = ?"
        args: list[Any] = [server]
        for name, value in (("tier", tier), ("resolution", resolution), ("duration", duration)):
            if value is not None:
                sql += f" AND {name} = ?"
                args.append(value)
        sql += " ORDER BY rowid DESC LIMIT ?"
        args.append(limit)
        return [
            (row["tier"], row["resolution"], int(row["duration"]), float(row["render_s"]))
            for row in self._conn.execute(sql, args)
        ]

    # ------------------------------------------------------------ request log

    def _request_log(self) -> RequestLog:
        if self._requests is None:
            self._requests = RequestLog(self.path.with_name("requests.db"))
        return self._requests

    def log_request(self, server: str, at: float) -> None:
        """One API request sent at wall time ``at`` (for the next process's rate window)."""
        self._request_log().log(server, at)

    def recent_requests(self, server: str, within_s: float, now: float) -> list[float]:
        """Wall times of the requests of the last ``within_s`` seconds (and forget older)."""
        recent = self._request_log().recent(server, within_s, now)
        # a state database of an earlier version kept the log in its own table
        with contextlib.suppress(sqlite3.Error):
            rows = self._conn.execute(
                "SELECT at FROM request_log WHERE server = ? AND at >= ?",
                (server, now - within_s),
            ).fetchall()
            recent = sorted(recent + [float(r[0]) for r in rows if isinstance(r[0], float)])
        return recent

    # ------------------------------------------------------------ server facts

    @_converting
    def fact(self, server: str, name: str) -> float | None:
        """A learned number about a server (e.g. ``accepted_in_flight``)."""
        row = self._conn.execute(
            "SELECT value FROM server_facts WHERE server = ? AND name = ?", (server, name)
        ).fetchone()
        return None if row is None else float(row[0])

    @_converting
    def set_fact(self, server: str, name: str, value: float) -> None:
        with self._tx() as c:
            c.execute(
                "INSERT INTO server_facts (server, name, value) VALUES (?, ?, ?)"
                " ON CONFLICT (server, name) DO UPDATE SET value = excluded.value",
                (server, name, value),
            )


def _check(conn: sqlite3.Connection, path: Path) -> Literal["ok", "empty"]:
    """Raise :class:`StateDamaged` unless ``conn`` is a whole state database of ours
    (or an empty file: ``"empty"``)."""
    row = conn.execute("PRAGMA quick_check(1)").fetchone()
    if row is None or row[0] != "ok":
        raise StateDamaged(
            f"cannot use the render state {path}: it is damaged ({row[0] if row else 'no answer'})",
            help=_move_aside_help(path),
        )
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables and path.stat().st_size == 0:
        return "empty"
    columns = {r[1] for r in conn.execute("PRAGMA table_info(renders)")}
    version = None
    if "meta" in tables:
        found = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        version = found[0] if found else None
    if not tables >= _TABLES or not set(_COLUMNS) <= columns or version != str(SCHEMA_VERSION):
        raise StateDamaged(
            f"cannot use the render state {path}: it is not a seedance state database of this version "
            f"(schema {version!r}, tables {', '.join(sorted(tables)) or 'none'})",
            help=_move_aside_help(path),
        )
    return "ok"


def _open_readonly(path: Path, timeout: float) -> sqlite3.Connection:
    """A read-only connection; a file a crash left needing recovery (a hot journal, a
    WAL without its index) is opened read-write once, so SQLite can recover it."""
    uri = f"file:{path}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        conn.close()
        if not str(getattr(exc, "sqlite_errorname", "")).startswith("SQLITE_READONLY"):
            raise
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    return conn


def _bad_row(values: dict[str, Any]) -> str | None:
    """What is wrong with a row read back (``None``: nothing)."""
    for name, value in values.items():
        if value is None:
            if name not in _NULLABLE:
                return f"no {name}"
            continue
        if name in _INT_COLUMNS:
            ok = isinstance(value, int)
        elif name in _REAL_COLUMNS:
            ok = isinstance(value, (int, float))
        else:
            ok = isinstance(value, str)
        if not ok:
            return f"a {type(value).__name__} as its {name}"
    if values["state"] not in _STATES:
        return f"an unknown state {values['state']!r}"
    try:
        request = json.loads(values["request_json"])
    except ValueError:
        return "a request that is not JSON"
    if not isinstance(request, dict):
        return "a request that is not a JSON object"
    return None


def _orphans_aside(path: Path) -> None:
    """A ``-wal``/``-shm``/``-journal`` file without its ``state.db`` belongs to a database
    that was moved aside: SQLite would replay it into the new one.  Rename it beside (the
    moved database may want it back) before a new database is made."""
    if path.exists():
        return
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for suffix in ("-wal", "-shm", "-journal"):
        leftover = path.with_name(path.name + suffix)
        if leftover.exists() or leftover.is_symlink():
            with contextlib.suppress(OSError):
                os.replace(leftover, leftover.with_name(f"{leftover.name}.orphaned-{stamp}"))


_NOT_DAMAGE = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_READONLY", "SQLITE_IOERR")


class RequestLog:
    """``.seedance/requests.db``: when the API requests of earlier processes were sent.

    Only a hint for the rate limiter: a damaged file is replaced by an empty one (the
    cost is at most a few 429 answers, which the client retries), and a file that cannot
    be written (a full disk) is not used for the rest of the process — the write that
    matters, the state's, reports the disk itself."""

    _SCHEMA = """
    CREATE TABLE IF NOT EXISTS request_log (server TEXT NOT NULL, at REAL NOT NULL);
    CREATE INDEX IF NOT EXISTS request_log_at ON request_log (server, at);
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._broken = False

    def _open(self) -> sqlite3.Connection | None:
        if self._conn is not None or self._broken:
            return self._conn
        for attempt in range(2):
            try:
                conn = sqlite3.connect(
                    self.path, timeout=limit("state_busy_timeout"), isolation_level=None
                )
            except (sqlite3.Error, OSError):
                break
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.executescript(self._SCHEMA)
                row = conn.execute("PRAGMA quick_check(1)").fetchone()
                if row is None or row[0] != "ok":
                    raise sqlite3.DatabaseError("damaged")
                conn.execute("SELECT count(*) FROM request_log WHERE at > 0").fetchone()
            except sqlite3.Error as exc:
                conn.close()
                name = str(getattr(exc, "sqlite_errorname", ""))
                damaged = not name.startswith(_NOT_DAMAGE)
                if attempt == 0 and damaged and not self.path.is_dir():
                    for suffix in ("", "-wal", "-shm"):
                        with contextlib.suppress(OSError):
                            self.path.with_name(self.path.name + suffix).unlink()
                    continue
                break
            self._conn = conn
            return conn
        self._broken = True
        return None

    def log(self, server: str, at: float) -> None:
        conn = self._open()
        if conn is None:
            return
        try:
            conn.execute("INSERT INTO request_log VALUES (?, ?)", (server, at))
        except sqlite3.Error:
            self._broken = True
            self.close()

    def recent(self, server: str, within_s: float, now: float) -> list[float]:
        conn = self._open()
        if conn is None:
            return []
        try:
            conn.execute(
                "DELETE FROM request_log WHERE server = ? AND at < ?", (server, now - within_s)
            )
            rows = conn.execute(
                "SELECT at FROM request_log WHERE server = ? ORDER BY at", (server,)
            ).fetchall()
            return [float(r[0]) for r in rows if isinstance(r[0], (int, float))]
        except sqlite3.Error:
            return []

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
