"""Reading ``.shot`` files: bytes → text, with file-level diagnostics instead of exceptions."""

from __future__ import annotations

import hashlib
import os
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


def read_bytes(path: str | Path) -> tuple[bytes | None, list[Diagnostic]]:
    try:
        with open(os.fspath(path), "rb") as f:
            return f.read(), []
    except FileNotFoundError:
        return None, [
            Diagnostic(
                "SHOT001",
                "error",
                f"file not found: {path}",
                None,
                help="check the path; it is relative to the current directory",
            )
        ]
    except IsADirectoryError:
        return None, [
            Diagnostic(
                "SHOT005",
                "error",
                f"{path} is a directory, not a .shot file",
                None,
                help=f"name the files inside it, e.g. {os.path.join(os.fspath(path), '*.shot')}",
            )
        ]
    except ValueError:  # e.g. a NUL byte in the path
        return None, [Diagnostic("SHOT005", "error", f"invalid file name: {path!r}", None)]
    except OSError as exc:
        return None, [
            Diagnostic(
                "SHOT005",
                "error",
                f"cannot read {path}: {exc.strerror or exc}",
                None,
            )
        ]


def read_source(path: str | Path) -> tuple[str | None, list[Diagnostic]]:
    """The text of a ``.shot`` file, or diagnostics (SHOT001/SHOT002/SHOT005)."""
    data, diags = read_bytes(path)
    if data is None:
        return None, diags
    return decode(data, str(path))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
