"""The registry of diagnostic codes and their long explanations (``seedance explain``).

Ranges: ``SHOT0xx`` file level (not found, not UTF-8, imports), ``SHOT1xx`` syntax,
``SHOT2xx`` names, resolution and setting values — all registered here.  ``SHOT3xx``
(API rules), ``SHOT4xx`` (prompt guide rules) and ``SHOT5xx`` (templates) are
registered by :mod:`seedance_dsl.compiler.codes`, which :func:`lookup` and
:func:`all_codes` import lazily when it exists.  Every code used anywhere in the package
has an entry (a test greps for them).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CodeInfo:
    code: str  # "SHOT101"
    title: str  # one line: "unexpected token"
    explanation: str  # long form, plain text with a ``.shot`` example; shown by `explain`


_REGISTRY: dict[str, CodeInfo] = {}
_EXTRA_MODULES = ("seedance_dsl.compiler.codes",)
_extras_loaded = False


def register(code: str, title: str, explanation: str) -> CodeInfo:
    """Register a code.  Re-registering the same code with a different title is a bug."""
    info = CodeInfo(code, title, explanation.strip("\n"))
    old = _REGISTRY.get(code)
    if old is not None and old.title != title:
        raise ValueError(f"diagnostic code {code} registered twice ({old.title!r}, {title!r})")
    _REGISTRY[code] = info
    return info


def _load_extras() -> None:
    global _extras_loaded
    if _extras_loaded:
        return
    _extras_loaded = True
    for name in _EXTRA_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


def lookup(code: str) -> CodeInfo | None:
    """The entry of ``code`` (case-insensitive), or None."""
    code = code.strip().upper()
    info = _REGISTRY.get(code)
    if info is None:
        _load_extras()
        info = _REGISTRY.get(code)
    return info


def all_codes() -> list[CodeInfo]:
    """Every registered code (including the compiler's), sorted by code."""
    _load_extras()
    return [_REGISTRY[c] for c in sorted(_REGISTRY)]


def title(code: str) -> str:
    info = lookup(code)
    return info.title if info else ""


# ---------------------------------------------------------------------------- SHOT0xx

register(
    "SHOT001",
    "file not found",
    """
The file named on the command line (or by an `import`) does not exist.

Check the spelling and the directory you run the command from.  Paths on the command
line are relative to the current directory; `import` paths are relative to the file that
contains the `import`.

    seedance check film.shot          # film.shot must exist here
""",
)
register(
    "SHOT002",
    "file is not UTF-8 text",
    """
A `.shot` file must be UTF-8 encoded text.  The file contains bytes that are not valid
UTF-8 (it may be a binary file, or text saved in a legacy encoding such as Latin-1).

Re-save the file as UTF-8 in your editor, or convert it:

    iconv -f latin1 -t utf-8 old.shot > film.shot
""",
)
register(
    "SHOT003",
    "imported file not found",
    """
An `import` names a file that does not exist.  Import paths are relative to the
directory of the file that contains the `import`, not to the current directory.

    // in films/teaser.shot
    import "lib/team.shot"     // reads films/lib/team.shot
""",
)
register(
    "SHOT004",
    "import cycle",
    """
Files import each other in a circle (a.shot imports b.shot, which imports a.shot).
Imports bring assets and packages into a file; a cycle has no first file to read.

Move the shared declarations into a third library file that both import, and remove
one of the imports of the cycle.
""",
)
register(
    "SHOT005",
    "file cannot be read",
    """
The path exists but cannot be read as a file: it is a directory, or you lack the
permission to read it, or reading it failed.  The message carries the system's reason.
""",
)
register(
    "SHOT006",
    "clips in an imported file are ignored",
    """
An imported file declares clips (or a `defaults` block, or a `template`).  Imports only
bring assets and packages into the importing file: a library file shares assets and
packages, while clips, defaults and the template belong to the storyboard that renders
them.  This is a warning; the clips of the imported file are not part of the importer.

Move the shared assets and packages into a library file without clips:

    // lib/team.shot
    asset logo image "https://cdn.example.com/brand/logo.png"
    package house { style "clean studio light" avoid watermark }
""",
)
register(
    "SHOT007",
    "same file imported twice",
    """
A file imports the same library twice.  The second `import` adds nothing; remove it.
This is a warning.
""",
)
