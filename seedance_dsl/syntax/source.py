"""Reading ``.shot`` files: bytes → text, with file-level diagnostics instead of exceptions."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic

if TYPE_CHECKING:
    from pathlib import Path


def decode(data: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """UTF-8 text of ``data`` (a leading BOM is allowed), or a SHOT002 diagnostic."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Diagnostic(
                "SHOT002",
                "error",
                f"{path} is not UTF-8 text (invalid byte 0x{data[exc.start]:02x} "
                f"at line {line}, byte {col})",
                None,
                help="save the file as UTF-8; a .shot file is plain text",
            )
        ]
    if "\x00" in text:
        return None, [
            Diagnostic(
                "SHOT002",
                "error",
                f"{path} is not a text file (it contains NUL bytes)",
                None,
                help="a .shot file is plain UTF-8 text",
            )
        ]
    return text, []


#: Where nothing a storyboard names may ever be read, whatever the roots: the process's
#: environment and memory (``/proc``), the kernel's (``/sys``), devices (``/dev``).
_SYSTEM_DIRS = ("/proc", "/sys", "/dev")
_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    for test, word in _KINDS:
        if test(mode):
            return word
    return "a special file"


def _cap(limit_name: str) -> tuple[int | None, Diagnostic | None]:
    from ..limits import LimitSettingError, limit

    try:
        return int(limit(limit_name)), None
    except LimitSettingError as exc:
        return None, Diagnostic("SHOT010", "error", exc.message, None, help=exc.help)


def read_bytes(
    path: str | Path, *, limit_name: str = "storyboard_file_bytes", what: str = "a .shot file"
) -> tuple[bytes | None, list[Diagnostic]]:
    """The bytes of a regular file of at most ``limit(limit_name)`` bytes, or diagnostics.

    Never blocks and never reads more than the cap (+1 byte): the file is opened with
    ``O_NONBLOCK`` (a FIFO opens at once), its type and size come from ``fstat`` on that
    descriptor, and a FIFO, device or socket is refused (SHOT009) before any read.  A
    file that is (or grows) larger than the cap is SHOT010."""
    p = os.fspath(path)
    cap, bad = _cap(limit_name)
    if cap is None:
        assert bad is not None
        return None, [bad]
    system = _system_dir(p)
    if system is not None:
        return None, [_system_file(p, system, what)]
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(p, flags)
    except FileNotFoundError:
        return None, [
            Diagnostic(
                "SHOT001",
                "error",
                f"file not found: {p}",
                None,
                help="check the path; it is relative to the current directory",
            )
        ]
    except IsADirectoryError:
        return None, [_directory(p)]
    except ValueError:  # e.g. a NUL byte in the path
        return None, [Diagnostic("SHOT005", "error", f"invalid file name: {p!r}", None)]
    except OSError as exc:
        return None, [
            Diagnostic("SHOT005", "error", f"cannot read {p}: {exc.strerror or exc}", None)
        ]
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            return None, [_directory(p)]
        if not stat.S_ISREG(st.st_mode):
            return None, [
                Diagnostic(
                    "SHOT009",
                    "error",
                    f"{p} is not a regular file (it is {_kind(st.st_mode)})",
                    None,
                    help=f"name {what} saved on disk; pipes, devices and sockets are never read",
                )
            ]
        if st.st_size > cap:
            return None, [_too_big(p, st.st_size, limit_name)]
        chunks: list[bytes] = []
        got = 0
        while got <= cap:
            try:
                chunk = os.read(fd, min(cap + 1 - got, 1 << 20))
            except BlockingIOError:  # pragma: no cover - regular files do not block
                break
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > cap:
            return None, [_too_big(p, None, limit_name)]
        return b"".join(chunks), []
    except OSError as exc:
        return None, [
            Diagnostic("SHOT005", "error", f"cannot read {p}: {exc.strerror or exc}", None)
        ]
    finally:
        os.close(fd)


def _system_dir(p: str) -> str | None:
    real = _real(p)
    return next((d for d in _SYSTEM_DIRS if _inside(real, d)), None)


def _system_file(p: str, system: str, what: str) -> Diagnostic:
    return Diagnostic(
        "SHOT009",
        "error",
        f"{p} is not a regular file (it is inside {system})",
        None,
        help=f"name {what} saved on disk; nothing under /proc, /sys or /dev is ever read",
    )


def _directory(p: str) -> Diagnostic:
    return Diagnostic(
        "SHOT005",
        "error",
        f"{p} is a directory, not a .shot file",
        None,
        help=f"name the files inside it, e.g. {os.path.join(p, '*.shot')}",
    )


def _too_big(p: str, size: int | None, limit_name: str) -> Diagnostic:
    from ..limits import exceeded_help

    how = f"{size} bytes" if size is not None else "it grew while being read"
    return Diagnostic(
        "SHOT010",
        "error",
        f"{p} is too large ({how})",
        None,
        help=exceeded_help(limit_name),
    )


# ---------------------------------------------------------------------------- confinement


def roots_from_env() -> tuple[str, ...]:
    """The extra project roots of ``$SEEDANCE_ROOTS`` (a list of directories separated by
    ``os.pathsep``), resolved; empty entries are ignored."""
    raw = os.environ.get("SEEDANCE_ROOTS", "")
    return tuple(_real(r) for r in raw.split(os.pathsep) if r.strip())


def project_roots(main: str | Path, extra: Iterable[str | Path] | None = None) -> tuple[str, ...]:
    """The directories a storyboard's ``import`` and ``template`` may read: the directory
    tree of the top-level file ``main``, plus ``extra`` (or, when ``extra`` is None, the
    roots of ``$SEEDANCE_ROOTS``)."""
    base = _real(os.path.dirname(os.path.abspath(os.fspath(main))))
    more = roots_from_env() if extra is None else tuple(_real(os.fspath(r)) for r in extra)
    out = [base]
    for r in more:
        if r not in out:
            out.append(r)
    return tuple(out)


def _real(p: str) -> str:
    try:
        return os.path.realpath(p)
    except (OSError, ValueError):  # a loop of symlinks, a NUL byte
        return os.path.abspath(p)


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # different drives
        return False


def outside_roots(path: str | Path, roots: Iterable[str]) -> str | None:
    """None when ``path`` (symlinks resolved) lies inside one of ``roots`` and outside
    ``/proc``, ``/sys`` and ``/dev``; else the reason, for the diagnostic.  Reads
    nothing of the file."""
    real = _real(os.fspath(path))
    for system in _SYSTEM_DIRS:
        if _inside(real, system):
            return f"it is inside {system}, which a storyboard never reads"
    roots = tuple(roots)
    if any(_inside(real, r) for r in roots):
        return None
    where = " or ".join(roots)
    return f"it resolves to {real}, outside the project ({where})"


def read_source(path: str | Path) -> tuple[str | None, list[Diagnostic]]:
    """The text of a ``.shot`` file, or diagnostics (SHOT001/SHOT002/SHOT005)."""
    data, diags = read_bytes(path)
    if data is None:
        return None, diags
    return decode(data, str(path))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_problem(
    path: str | Path, *, limit_name: str = "storyboard_file_bytes", what: str = "a .shot file"
) -> Diagnostic | None:
    """Why ``path`` (named on the command line) cannot be read, without opening it:
    missing (SHOT001), a directory (SHOT005), not a regular file (SHOT009), over the
    cap (SHOT010); None when it looks readable.  ``stat`` never blocks on a FIFO."""
    p = os.fspath(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        return Diagnostic(
            "SHOT001",
            "error",
            f"file not found: {p}",
            None,
            help="check the path; it is relative to the current directory",
        )
    except (OSError, ValueError):
        return None  # reading it reports the reason
    if stat.S_ISDIR(st.st_mode):
        return _directory(p)
    system = _system_dir(p)
    if system is not None:
        return _system_file(p, system, what)
    if not stat.S_ISREG(st.st_mode):
        return Diagnostic(
            "SHOT009",
            "error",
            f"{p} is not a regular file (it is {_kind(st.st_mode)})",
            None,
            help=f"name {what} saved on disk; pipes, devices and sockets are never read",
        )
    cap, bad = _cap(limit_name)
    if bad is not None:
        return bad
    if cap is not None and st.st_size > cap:
        return _too_big(p, st.st_size, limit_name)
    return None
