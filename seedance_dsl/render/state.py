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
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..errors import SeedanceDSLError

__all__ = [
    "RecordState",
    "RenderRecord",
    "StateDB",
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
CREATE TABLE IF NOT EXISTS request_log (server TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS request_log_at ON request_log (server, at);
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


def state_dir_for(storyboard_path: str | Path) -> Path:
    """``<storyboard dir>/.seedance``: where the state of a storyboard is kept."""
    return Path(storyboard_path).resolve().parent / ".seedance"


class StateError(SeedanceDSLError):
    """The render state (``.seedance/`` beside the storyboard) cannot be used."""

    exit_code = 2
    kind = "state"


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
        if not readonly:
            make_state_dir(self.path.parent)
        try:
            if readonly:
                uri = f"file:{self.path}?mode=ro"
                self._conn = sqlite3.connect(uri, uri=True, timeout=30.0, isolation_level=None)
                # sqlite opens lazily: read the schema now, so a damaged file is reported
                # here, with its path, and not as a crash at the first query
                self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            else:
                self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
                self._conn.execute("PRAGMA journal_mode=WAL")
                # NORMAL (with WAL): a committed step survives a crash or kill -9 of the
                # process; only a power cut can lose the last steps (which a re-run redoes
                # safely: the server replays a re-sent Idempotency-Key).
                self._conn.execute("PRAGMA synchronous=NORMAL")
                self._conn.executescript(_SCHEMA)
                self._conn.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)",
                    (str(SCHEMA_VERSION),),
                )
        except sqlite3.Error as exc:
            raise StateError(
                f"cannot use the render state {self.path}: {exc}",
                help="if the file is damaged, move it aside and render again: clips "
                "already paid for are replayed by the server under the same "
                "Idempotency-Key, not charged twice",
            ) from None
        self._conn.row_factory = sqlite3.Row

    @classmethod
    def for_storyboard(cls, storyboard_path: str | Path, *, readonly: bool = False) -> StateDB:
        return cls(state_dir_for(storyboard_path) / "state.db", readonly=readonly)

    @classmethod
    def exists_for(cls, storyboard_path: str | Path) -> bool:
        return (state_dir_for(storyboard_path) / "state.db").exists()

    def close(self) -> None:
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
        return RenderRecord(**{name: row[name] for name in _COLUMNS})

    def get(self, server: str, idempotency_key: str) -> RenderRecord | None:
        cur = self._conn.execute(
            "SELECT * FROM renders WHERE server = ? AND idempotency_key = ?",
            (server, idempotency_key),
        )
        return self._row(cur.fetchone())

    def get_by_id(self, record_id: int) -> RenderRecord:
        cur = self._conn.execute("SELECT * FROM renders WHERE id = ?", (record_id,))
        rec = self._row(cur.fetchone())
        if rec is None:
            raise KeyError(record_id)
        return rec

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

    def update(self, record_id: int, **fields: Any) -> RenderRecord:
        bad = set(fields) - _UPDATABLE
        if bad:
            raise ValueError(f"cannot update {sorted(bad)}")
        fields["updated_at"] = time.time()
        names = sorted(fields)
        sql = "UPDATE renders SET " + ", ".join(f"{n} = ?" for n in names) + " WHERE id = ?"
        with self._tx() as c:
            c.execute(sql, [fields[n] for n in names] + [record_id])
        return self.get_by_id(record_id)

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

    def servers(self, storyboard: str) -> list[str]:
        cur = self._conn.execute(
            "SELECT server, MAX(id) AS m FROM renders WHERE storyboard = ?"
            " GROUP BY server ORDER BY m DESC",
            (storyboard,),
        )
        return [row["server"] for row in cur]

    # ------------------------------------------------------------ render times

    def add_render_time(
        self, server: str, tier: str, resolution: str, duration: int, render_s: float
    ) -> None:
        with self._tx() as c:
            c.execute(
                "INSERT INTO render_times VALUES (?, ?, ?, ?, ?, ?)",
                (server, tier, resolution, duration, render_s, time.time()),
            )

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

    def log_request(self, server: str, at: float) -> None:
        """One API request sent at wall time ``at`` (for the next process's rate window)."""
        with self._tx() as c:
            c.execute("INSERT INTO request_log VALUES (?, ?)", (server, at))

    def recent_requests(self, server: str, within_s: float, now: float) -> list[float]:
        """Wall times of the requests of the last ``within_s`` seconds (and forget older)."""
        with self._tx() as c:
            c.execute(
                "DELETE FROM request_log WHERE server = ? AND at < ?", (server, now - within_s)
            )
        rows = self._conn.execute(
            "SELECT at FROM request_log WHERE server = ? ORDER BY at", (server,)
        )
        return [float(r[0]) for r in rows]

    # ------------------------------------------------------------ server facts

    def fact(self, server: str, name: str) -> float | None:
        """A learned number about a server (e.g. ``accepted_in_flight``)."""
        row = self._conn.execute(
            "SELECT value FROM server_facts WHERE server = ? AND name = ?", (server, name)
        ).fetchone()
        return None if row is None else float(row[0])

    def set_fact(self, server: str, name: str, value: float) -> None:
        with self._tx() as c:
            c.execute(
                "INSERT INTO server_facts (server, name, value) VALUES (?, ?, ?)"
                " ON CONFLICT (server, name) DO UPDATE SET value = excluded.value",
                (server, name, value),
            )
