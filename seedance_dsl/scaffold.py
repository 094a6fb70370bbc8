"""``seedance init [DIR]``: a starter project that checks clean and renders on the sandbox.

:func:`init_project` writes a storyboard (``film.shot``), a library it imports
(``lib/look.shot``), a short ``README.md`` and the ``.gitignore`` entries of a render's
state (``.seedance/``) and videos (``renders/``).  It never replaces a file: when one of
the files exists nothing is written (:class:`InitRefused`); an existing ``.gitignore``
only gets the entries it lacks appended.  Used by the CLI and by ``seedance mcp``'s
``init`` tool.  ``tests/ecosystem/test_init.py`` checks and renders the result.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError

__all__ = ["FILES", "GITIGNORE_ENTRIES", "InitRefused", "InitResult", "init_project"]

FILM = """\
// A starter storyboard: two clips, the second starts on the last frame of the first.
// Check it:   seedance check film.shot
// Preview it: seedance compile film.shot
// Render it:  seedance render film.shot --sandbox   (free local animatics)
storyboard "My first film"

import "lib/look.shot"

defaults {
  tier       standard
  aspect     16:9
  resolution 720p
  audio      off
}

clip opening {
  duration 5s
  use      house_look
  use      standard

  shot 2s {
    subject "a paper boat"
    action  "drifts along a rain-filled gutter"
    camera  "low tracking shot"
    scene   "a quiet street after a summer storm"
  }

  shot 3s { action "the boat spins slowly in a small whirlpool"  camera "slow push-in" }
}

clip landing {
  duration 5s
  start    opening.last_frame  // continuity: begins where the opening ends
  use      house_look
  use      standard

  shot {
    action "the boat slips into a puddle that reflects the clearing sky"
    camera "crane up to reveal the street"
  }
}
"""

LIBRARY = """\
// A library: looks and rules that several storyboards share.
// Import it with `import "lib/look.shot"`; a library has no storyboard header and no clips.

package house_look {
  style "natural light, soft contrast, 35mm lens, gentle film grain"
  keep  natural motion, stable faces
  avoid watermark, text overlays
}
"""

README = """\
# {title}

A storyboard project of [seedance-dsl](https://pypi.org/project/seedance-dsl/).

- `film.shot`: the storyboard (two clips; the second starts on the last frame of the first)
- `lib/look.shot`: a library of shared looks, imported by `film.shot`

```sh
seedance check film.shot            # syntax, names, values and every API rule
seedance compile film.shot          # each clip's prompt and exact API request
seedance render film.shot --sandbox # free local animatics in renders/film/
seedance plan film.shot             # what a real render would submit, and its cost
seedance render film.shot           # the real service: needs SEEDANCE_API_KEY, spends credits
```

`.seedance/` (the render state: what was submitted and paid) and `renders/` (the videos)
are in `.gitignore`.
"""

#: the files :func:`init_project` creates, relative to the directory
FILES: dict[str, str] = {"film.shot": FILM, "lib/look.shot": LIBRARY, "README.md": README}
GITIGNORE_ENTRIES = (".seedance/", "renders/")


class InitRefused(UsageError):
    """A file ``init`` would create exists already: nothing was written."""


@dataclass(frozen=True, slots=True)
class InitResult:
    directory: Path
    created: tuple[str, ...]
    gitignore: str  # "created", "appended" or "unchanged"


def init_project(directory: str | os.PathLike[str] = ".") -> InitResult:
    """Create the starter project in ``directory`` (made if missing).

    Raises:
        InitRefused: one of :data:`FILES` exists (nothing is written).
        UsageError: ``directory`` is a file, or a file cannot be written.
    """
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is not a directory", help="name a new or existing directory")
    existing = [name for name in FILES if (root / name).exists() or (root / name).is_symlink()]
    if existing:
        raise InitRefused(
            f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''} in "
            f"{root}; nothing was written",
            help="run `seedance init` in a new directory (`seedance init my-film`), or move "
            "those files away",
        )
    title = root.resolve().name or "storyboards"
    created: list[str] = []
    try:
        for name, text in FILES.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8", newline="\n") as f:  # never replaces
                f.write(text.replace("{title}", title))
            created.append(name)
        gitignore = _gitignore(root / ".gitignore")
    except FileExistsError as exc:  # created between the check and the write
        raise InitRefused(
            f"{exc.filename} appeared while init was writing; nothing else was written",
            help="run init again in an empty directory",
        ) from None
    except OSError as exc:
        raise UsageError(
            f"cannot write in {root}: {exc.strerror or exc}", help="choose a writable directory"
        ) from None
    return InitResult(root, tuple(created), gitignore)


def _gitignore(path: Path) -> str:
    """Append the entries ``path`` lacks (an existing file is kept as it is)."""
    if not path.exists():
        path.write_text(
            "# seedance-dsl: render state and videos\n" + "\n".join(GITIGNORE_ENTRIES) + "\n"
        )
        return "created"
    text = path.read_text(encoding="utf-8", errors="replace")
    have = {line.strip() for line in text.splitlines()}
    missing = [e for e in GITIGNORE_ENTRIES if e not in have and e.rstrip("/") not in have]
    if not missing:
        return "unchanged"
    sep = "" if not text or text.endswith("\n") else "\n"
    with path.open("a", encoding="utf-8") as f:
        f.write(sep + "# seedance-dsl: render state and videos\n" + "\n".join(missing) + "\n")
    return "appended"
