"""Rewrite (``--write``) or check (``--check``) the generated block of every package
facade from its ``_EXPORTS`` mapping (``make facades``; seedance_dsl/_lazy.py)."""

from __future__ import annotations

import sys

from seedance_dsl._lazy import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
