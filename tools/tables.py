"""Rewrite (``--write``) or check (``--check``) seedance_dsl/syntax/_tables.py, the
grammar's LALR tables shipped with the package (``make tables``;
seedance_dsl/syntax/tables_gen.py)."""

from __future__ import annotations

import sys

from seedance_dsl.syntax.tables_gen import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
