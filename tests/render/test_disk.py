"""A full, read-only or immutable disk: refused before the first credit, or — when it
happens during the run — a clear stop (exit 3) with the state saved, and a re-run that
recovers without a second charge.

As root (CI), the disks are real: a small tmpfs mounted in the test's directory
(remounted read-only for the read-only case) and ``chattr +i`` for the immutable one.
Where mounting is not allowed the same tests run on simulated failures (``os.open``,
``os.write`` or the state's transactions raising the error the kernel would).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from render_helpers import independent

from seedance_dsl.errors import SeedanceDSLError
from seedance_dsl.render import preflight as preflight_mod
from seedance_dsl.render.commands import render_file
from seedance_dsl.render.events import RenderEvent
from seedance_dsl.render.lock import RenderLock
from seedance_dsl.render.preflight import PreflightError, estimate_clip_bytes
from seedance_dsl.render.state import StateDB, StateError


def _rate(sb: Any) -> tuple[int, float]:
    st = sb.settings
    return st.rate_limit_requests, st.scaled(st.rate_limit_window_s)


#: set to 1 to run the simulated variants where the real ones would run (both must pass)
SIMULATE = os.environ.get("SEEDANCE_TEST_SIMULATE_DISK") == "1"


def _root_tools(tool: str) -> bool:
    return not SIMULATE and os.geteuid() == 0 and shutil.which(tool) is not None


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    if not _root_tools("mount"):
        return False
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
        capture_output=True,
        timeout=10,
    )
    return r.returncode == 0


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=10)


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Callable[[str], tuple[Path, bool]]]:
    """small_fs("8m") -> (directory, real): a small tmpfs when it can be mounted."""
    mounted: list[Path] = []

    def make(size: str) -> tuple[Path, bool]:
        d = tmp_path / f"fs{len(mounted)}"
        real = _mount_tmpfs(d, size)
        if real:
            mounted.append(d)
        return d, real

    yield make
    for d in mounted:
        _umount(d)


def _fill(directory: Path) -> Path:
    """Write a file in ``directory`` until its filesystem is full."""
    filler = directory / "filler"
    block = b"\0" * 65536
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(block)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    with contextlib.suppress(OSError), open(directory / "filler2", "wb", buffering=0) as f:
        while True:  # the last pages too
            f.write(b"\0" * 512)
    return filler


def _failing_open(monkeypatch: pytest.MonkeyPatch, under: Path, number: int) -> list[bool]:
    """``os.open`` of a new file under ``under`` fails with ``number`` while armed[0]."""
    real = os.open
    armed = [True]

    def fake(path: Any, flags: int, mode: int = 0o777, *args: Any, **kw: Any) -> int:
        if armed[0] and flags & os.O_CREAT and str(path).startswith(str(under)):
            raise OSError(number, os.strerror(number), str(path))
        return real(path, flags, mode, *args, **kw)

    monkeypatch.setattr(os, "open", fake)
    return armed


def _render(sb: Any, path: Path, out: Path, **kw: Any) -> Any:
    return render_file(
        path, base_url=sb.base_url, api_key=sb.api_key, rate_limit=_rate(sb), out_dir=out, **kw
    )


def test_the_estimate_scales_with_resolution_and_duration() -> None:
    small = estimate_clip_bytes({"resolution": "720p", "duration": "4"})
    assert estimate_clip_bytes({"resolution": "720p", "duration": "8"}) > small
    assert estimate_clip_bytes({"resolution": "4k", "duration": "4"}) > 4 * small
    assert estimate_clip_bytes({}) > 0  # the contract's defaults


def test_a_full_out_is_refused_before_the_first_credit(
    sandbox: Any, tmp_path: Path, small_fs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, real = small_fs("2m")
    if not real:
        free = shutil.disk_usage(tmp_path).free
        monkeypatch.setattr(
            preflight_mod.shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(free, 0, 2 << 20)
        )
    path = tmp_path / "film.shot"
    path.write_text(independent(6), encoding="utf-8")
    with pytest.raises(PreflightError) as info:
        _render(sandbox, path, out)
    err = info.value
    assert err.exit_code == 2 and "not enough free space" in err.message
    assert "6 clip(s)" in err.message and "nothing was submitted" in err.message
    assert err.help and "SEEDANCE_MIN_FREE_BYTES" in err.help
    assert sandbox.inspect()["tasks_created"] == 0  # not one credit


def test_a_read_only_out_is_refused_before_the_first_credit(
    sandbox: Any, tmp_path: Path, small_fs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, real = small_fs("64m")
    if real:
        subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True, timeout=10)
    else:
        _failing_open(monkeypatch, out, errno.EROFS)
    path = tmp_path / "film.shot"
    path.write_text(independent(3), encoding="utf-8")
    with pytest.raises(PreflightError) as info:
        _render(sandbox, path, out)
    assert "Read-only file system" in info.value.message, info.value.message
    assert info.value.help and "read-only" in info.value.help
    assert sandbox.inspect()["tasks_created"] == 0


def test_an_immutable_out_is_refused_before_the_first_credit(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "frozen"
    out.mkdir()
    frozen = (
        _root_tools("chattr")
        and subprocess.run(["chattr", "+i", str(out)], capture_output=True).returncode == 0
    )
    if not frozen:
        _failing_open(monkeypatch, out, errno.EPERM)
    path = tmp_path / "film.shot"
    path.write_text(independent(2), encoding="utf-8")
    try:
        with pytest.raises(PreflightError) as info:
            _render(sandbox, path, out)
    finally:
        if frozen:
            subprocess.run(["chattr", "-i", str(out)], check=True)
    assert "Operation not permitted" in info.value.message
    assert sandbox.inspect()["tasks_created"] == 0


def _after_first_submit(action: Callable[[], None]) -> Callable[[RenderEvent], None]:
    done = [False]

    def on_event(ev: RenderEvent) -> None:
        if ev.kind == "submitted" and not done[0]:
            done[0] = True
            action()

    return on_event


@pytest.mark.parametrize("trouble", ["full", "read-only"])
def test_out_failing_during_the_run_stops_cleanly_and_a_rerun_recovers(
    sandbox: Any,
    tmp_path: Path,
    small_fs: Any,
    monkeypatch: pytest.MonkeyPatch,
    trouble: str,
) -> None:
    """After the first submit ``--out`` fills up (ENOSPC) or turns read-only (EROFS):
    exit 3, the state saved; with the disk fixed the re-run pays nothing twice."""
    # the estimate would refuse a tiny disk: tell it the clips are tiny
    monkeypatch.setenv("SEEDANCE_VIDEO_BYTES_PER_SECOND", "1")
    monkeypatch.setenv("SEEDANCE_MIN_FREE_BYTES", "1")
    out, real = small_fs("16m")
    path = tmp_path / "film.shot"
    path.write_text(independent(5), encoding="utf-8")
    number = errno.ENOSPC if trouble == "full" else errno.EROFS
    armed = [False]
    if real and trouble == "full":
        fail: Callable[[], None] = lambda: (_fill(out), None)[1]  # noqa: E731
    elif real:

        def fail() -> None:
            subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True, timeout=10)

    else:
        armed = _failing_open(monkeypatch, out, number)
        armed[0] = False
        fail = lambda: armed.__setitem__(0, True)  # noqa: E731
    summary = _render(sandbox, path, out, on_event=_after_first_submit(fail))
    assert summary.exit_code == 3, summary.message
    assert os.strerror(number) in summary.message, summary.message
    assert "run the same command again" in summary.message
    ins = sandbox.inspect()
    assert ins["tasks_created"] >= 1
    with StateDB.for_storyboard(path) as db:
        rows = db.history(None, path.name)
    # every task paid for is in the state: with its task id, or (a submit cut short by
    # the stop) as an intent whose key the re-run sends again, which the server replays
    assert set(ins["tasks_per_idempotency_key"]) <= {r.idempotency_key for r in rows}
    assert any(r.task_id for r in rows)

    # the disk fixed: the re-run downloads what was paid for, submits only the rest
    if real and trouble == "full":
        for f in out.glob("filler*"):
            f.unlink()
    elif real:
        subprocess.run(["mount", "-o", "remount,rw", str(out)], check=True, timeout=10)
    else:
        armed[0] = False
    again = _render(sandbox, path, out)
    assert again.exit_code == 0, again.message
    ins = sandbox.inspect()
    assert ins["tasks_created"] == 5
    assert set(ins["tasks_per_idempotency_key"].values()) == {1}  # nothing paid twice
    assert all((out / f"c{i:02d}.mp4").is_file() for i in range(5))


def test_the_state_disk_filling_up_during_the_run_stops_cleanly(
    sandbox: Any, tmp_path: Path, small_fs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``sqlite3.OperationalError: database or disk is full`` mid-run: exit 3, a clear
    message; the re-run (with room again) replays, it does not pay again."""
    monkeypatch.setenv("SEEDANCE_MIN_FREE_BYTES", "1")
    home, real = small_fs("4m")
    path = home / "film.shot"
    path.write_text(independent(4), encoding="utf-8")
    out = tmp_path / "out"
    full = [False]
    if real:
        fill: Callable[[], None] = lambda: (_fill(home), None)[1]  # noqa: E731
    else:
        real_tx = StateDB._tx

        @contextlib.contextmanager
        def tx(self: StateDB) -> Iterator[sqlite3.Connection]:
            if full[0]:
                raise sqlite3.OperationalError("database or disk is full")
            with real_tx(self) as c:
                yield c

        monkeypatch.setattr(StateDB, "_tx", tx)
        fill = lambda: full.__setitem__(0, True)  # noqa: E731
    summary = _render(sandbox, path, out, on_event=_after_first_submit(fill))
    assert summary.exit_code == 3, summary.message
    assert "render state" in summary.message and "full" in summary.message, summary.message
    paid = sandbox.inspect()["tasks_created"]
    assert paid >= 1
    if real:
        for f in home.glob("filler*"):
            f.unlink()
    else:
        full[0] = False
    again = _render(sandbox, path, out)
    assert again.exit_code == 0, again.message
    ins = sandbox.inspect()
    assert ins["tasks_created"] == 4
    assert set(ins["tasks_per_idempotency_key"].values()) == {1}


def test_writing_the_lock_on_a_full_filesystem_is_a_clear_error(
    sandbox: Any, small_fs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, real = small_fs("1m")
    path = home / "film.shot"
    path.write_text(independent(1), encoding="utf-8")
    if real:
        (home / ".seedance").mkdir()
        _fill(home)
    else:
        real_write = os.write

        def full_write(fd: int, data: Any) -> int:
            if os.readlink(f"/proc/self/fd/{fd}").endswith(".lock"):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real_write(fd, data)

        monkeypatch.setattr(os, "write", full_write)
    with pytest.raises(StateError) as info:
        RenderLock(path).acquire()
    assert "No space left on device" in info.value.message and info.value.help
    with pytest.raises(SeedanceDSLError) as info2:
        _render(sandbox, path, home / "out")
    assert info2.value.exit_code == 2 and info2.value.help
    assert sandbox.inspect()["tasks_created"] == 0
