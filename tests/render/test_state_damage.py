"""A damaged ``.seedance/state.db`` is a clear error ("move it aside"), never a traceback;
the request log survives moving it aside."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from render_helpers import cli_env, independent, seedance_cmd

from seedance_dsl.errors import SeedanceDSLError
from seedance_dsl.render.commands import plan_file, render_file, status_file
from seedance_dsl.render.state import StateBusy, StateDamaged, StateDB


def _rate(sb: Any) -> tuple[int, float]:
    st = sb.settings
    return st.rate_limit_requests, st.scaled(st.rate_limit_window_s)


def _commands(sb: Any, path: Path) -> dict[str, Callable[[], object]]:
    return {
        "plan": lambda: plan_file(path, base_url=sb.base_url),
        "status": lambda: status_file(path, base_url=sb.base_url),
        "render": lambda: render_file(
            path,
            base_url=sb.base_url,
            api_key=sb.api_key,
            rate_limit=_rate(sb),
            out_dir=path.parent / "out",
        ),
    }


def _outcome(fn: Callable[[], object]) -> str:
    """ "ok", or the name of the intended error; anything else fails the test."""
    try:
        fn()
    except StateDamaged as exc:
        assert exc.help and "move it aside" in exc.help, exc.format()
        assert exc.exit_code == 2
        return "damaged"
    except SeedanceDSLError as exc:
        return type(exc).__name__
    return "ok"


@pytest.fixture
def rendered(sandbox: Any, tmp_path: Path) -> Path:
    """A storyboard directory with a real state database (six clips rendered)."""
    base = tmp_path / "base"
    base.mkdir()
    path = base / "film.shot"
    path.write_text(independent(6), encoding="utf-8")
    summary = render_file(
        path,
        base_url=sandbox.base_url,
        api_key=sandbox.api_key,
        rate_limit=_rate(sandbox),
        out_dir=base / "out",
    )
    assert summary.exit_code == 0
    return base


def _copy(base: Path, name: str) -> Path:
    d = base.parent / name
    shutil.copytree(base, d)
    return d / "film.shot"


def test_random_bytes_anywhere_in_the_file_are_a_clear_error(sandbox: Any, rendered: Path) -> None:
    db = rendered / ".seedance" / "state.db"
    size = db.stat().st_size
    page = 4096
    assert size >= 4 * page
    rng = random.Random(7)
    offsets = sorted({*range(page, size, page), size // 3, size // 2, 2 * size // 3, size - 200})
    seen: dict[str, int] = {}
    for off in offsets:
        path = _copy(rendered, f"at{off}")
        with open(path.parent / ".seedance" / "state.db", "r+b") as f:
            f.seek(off)
            f.write(rng.randbytes(64))
        for name, fn in _commands(sandbox, path).items():
            what = _outcome(fn)
            assert what in ("ok", "damaged"), (off, name, what)
            seen[what] = seen.get(what, 0) + 1
    print(f"\nrandom bytes at {len(offsets)} offsets of {size} bytes, 3 commands each: {seen}")
    # the page headers are damage SQLite sees: each command refused those files
    assert seen.get("damaged", 0) >= 3 * (size // page - 1) // 2, seen
    # nothing was charged again for a file that turned out readable
    assert set(sandbox.inspect()["tasks_per_idempotency_key"].values()) == {1}


def _zero_header(db: Path) -> None:
    with open(db, "r+b") as f:
        f.write(bytes(100))


def _foreign_schema(db: Path) -> None:
    db.unlink()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE renders (x INTEGER)")
    conn.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    conn.commit()
    conn.close()


def _directory(db: Path) -> None:
    db.unlink()
    db.mkdir()


def _text(db: Path) -> None:
    db.write_text("this is not a database\n")


def _bad_value(sql: str) -> Callable[[Path], None]:
    def damage(db: Path) -> None:
        conn = sqlite3.connect(db)
        conn.execute(sql)
        conn.commit()
        conn.close()

    return damage


@pytest.mark.parametrize(
    "damage",
    [
        _zero_header,
        _foreign_schema,
        _directory,
        _text,
        _bad_value("UPDATE renders SET state = 'xntent' WHERE id = 1"),
        _bad_value("UPDATE renders SET request_json = '{\"prompt\": ' WHERE id = 2"),
        _bad_value("UPDATE renders SET credits_used = 'lots' WHERE id = 3"),
        _bad_value("UPDATE meta SET value = '99' WHERE key = 'schema'"),
    ],
    ids=[
        "zeroed-header",
        "foreign-schema",
        "directory",
        "text",
        "bad-state",
        "bad-json",
        "bad-type",
        "other-version",
    ],
)
def test_every_damage_mode_says_move_it_aside(
    sandbox: Any, rendered: Path, damage: Callable[[Path], None]
) -> None:
    path = _copy(rendered, "damaged")
    damage(path.parent / ".seedance" / "state.db")
    for name, fn in _commands(sandbox, path).items():
        assert _outcome(fn) == "damaged", name
    assert sandbox.inspect()["tasks_created"] == 6  # nothing more was submitted


def test_the_cli_shows_the_damage_without_a_traceback(sandbox: Any, rendered: Path) -> None:
    path = _copy(rendered, "cli")
    db = path.parent / ".seedance" / "state.db"
    with open(db, "r+b") as f:
        f.seek(2 * 4096)
        f.write(random.Random(1).randbytes(64))
    env = cli_env(sandbox)
    for cmd in ("render", "plan", "status"):
        p = subprocess.run(
            [*seedance_cmd(), cmd, str(path)],
            env=env,
            cwd=path.parent,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert p.returncode == 2, (cmd, p.stderr)
        assert "Traceback" not in p.stderr and "move it aside" in p.stderr, (cmd, p.stderr)
    p = subprocess.run(
        [*seedance_cmd(), "render", str(path), "--format", "json"],
        env=env,
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    err = json.loads(p.stdout.splitlines()[-1])
    assert err["event"] == "error" and err["kind"] == "state" and p.returncode == 2


def test_a_state_db_locked_past_the_bound_is_a_clear_error(
    sandbox: Any, rendered: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDANCE_STATE_BUSY_TIMEOUT", "0.3")
    path = _copy(rendered, "locked")
    db = path.parent / ".seedance" / "state.db"
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        t0 = time.monotonic()
        with pytest.raises(StateBusy) as info:
            _commands(sandbox, path)["render"]()
        assert time.monotonic() - t0 < 10
        assert "locked by another program" in info.value.message
        assert info.value.help and "SEEDANCE_STATE_BUSY_TIMEOUT" in info.value.help
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _outcome(_commands(sandbox, path)["render"]) == "ok"


_WRITER = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("PRAGMA wal_autocheckpoint=0")
for i in range(50):
    conn.execute("INSERT INTO render_times VALUES ('s', 't', 'r', ?, 1.0, 0.0)", (i,))
os._exit(0)  # like kill -9: the -wal file stays, not checkpointed
"""


def test_a_wal_leftover_of_a_database_moved_aside_is_set_aside_too(
    sandbox: Any, rendered: Path
) -> None:
    path = _copy(rendered, "wal")
    state = path.parent / ".seedance"
    subprocess.run([sys.executable, "-c", _WRITER, str(state / "state.db")], check=True, timeout=30)
    assert (state / "state.db-wal").stat().st_size > 0
    os.replace(state / "state.db", state / "state.db.damaged")  # what the message says
    for name, fn in _commands(sandbox, path).items():
        assert _outcome(fn) == "ok", name
    assert list(state.glob("state.db-wal.orphaned-*"))
    with StateDB(state / "state.db") as db:
        assert db.render_times("s") == []  # the old log was not replayed into the new file


def test_a_garbage_journal_leftover_is_harmless(sandbox: Any, rendered: Path) -> None:
    path = _copy(rendered, "journal")
    state = path.parent / ".seedance"
    (state / "state.db-journal").write_bytes(random.Random(3).randbytes(4096))
    (state / "state.db-wal").write_bytes(random.Random(4).randbytes(4096))
    for name, fn in _commands(sandbox, path).items():
        assert _outcome(fn) in ("ok", "damaged"), name


def test_moving_the_state_aside_keeps_the_request_log(sandbox_factory: Any, tmp_path: Path) -> None:
    """Right after a heavy run, the state is moved aside and the render run again: the
    request log (its own file) still counts what the first run sent, so the re-run stays
    inside the account's rate limit (the sandbox enforces it) instead of earning 429s."""
    sb = sandbox_factory(time_scale=0.1, rate_limit_requests=12)
    path = tmp_path / "film.shot"
    path.write_text(independent(10), encoding="utf-8")
    out = tmp_path / "out"
    first = render_file(
        path, base_url=sb.base_url, api_key=sb.api_key, rate_limit=_rate(sb), out_dir=out
    )
    assert first.exit_code == 0
    before = sb.inspect()["rate_limited"]
    state = tmp_path / ".seedance"
    os.replace(state / "state.db", tmp_path / "state.db.aside")
    second = render_file(
        path, base_url=sb.base_url, api_key=sb.api_key, rate_limit=_rate(sb), out_dir=out
    )
    assert second.exit_code == 0
    ins = sb.inspect()
    # the re-run (a replay per clip, then polls) waited for the window the first run
    # filled.  Before the request log had its own file it earned a storm (8 x 429 here);
    # now none, or on a loaded machine one, when a request of the first run reached the
    # server later than the budget's arrival slack allows for
    assert second.submits >= 10
    assert ins["rate_limited"] - before <= 1, (before, ins["rate_limited"])
    assert set(ins["tasks_per_idempotency_key"].values()) == {1}  # replayed, not paid again
    assert (state / "requests.db").is_file()


def test_a_damaged_request_log_is_replaced_quietly(tmp_path: Path) -> None:
    (tmp_path / "requests.db").write_text("garbage, not a database\n")
    with StateDB(tmp_path / "state.db") as db:
        db.log_request("srv", 990.0)
        assert db.recent_requests("srv", 60.0, 1000.0) == [990.0]


def test_a_busy_lock_in_a_thread_is_released_in_time(tmp_path: Path) -> None:
    """The bound is real: a lock held for less than the bound is simply waited for."""
    db = StateDB(tmp_path / "state.db")
    db.close()
    holder = sqlite3.connect(tmp_path / "state.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    threading.Timer(0.3, lambda: holder.execute("ROLLBACK")).start()
    with StateDB(tmp_path / "state.db") as again:
        again.set_fact("s", "n", 1.0)
        assert again.fact("s", "n") == 1.0
    holder.close()


def test_the_request_log_of_an_earlier_version_still_counts(tmp_path: Path) -> None:
    with StateDB(tmp_path / "state.db") as db:
        db._conn.execute("CREATE TABLE request_log (server TEXT NOT NULL, at REAL NOT NULL)")
        db._conn.execute("INSERT INTO request_log VALUES ('srv', 995.0), ('srv', 900.0)")
        db.log_request("srv", 998.0)
        assert db.recent_requests("srv", 60.0, 1000.0) == [995.0, 998.0]
