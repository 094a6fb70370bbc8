#!/usr/bin/env bash
# Proves the built wheel is self-contained: `pip install .` into a clean venv, then
# `seedance check examples/*.shot` from outside the source tree (so only the wheel is used).
set -euo pipefail
py="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$py" -m pip wheel --quiet --no-deps --wheel-dir "$tmp/dist" "$root"
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet "$tmp"/dist/*.whl
cd "$tmp"
"$tmp/venv/bin/seedance" check "$root"/examples/*.shot
# the grammar's tables ship in the wheel (seedance_dsl/syntax/_tables.py) and match the
# grammar it reads: a first run (fresh cache) uses them, without importing Lark
SEEDANCE_CACHE_DIR="$tmp/fresh-cache" "$tmp/venv/bin/python" -c "import sys; from seedance_dsl.syntax.parser import _get_parser, parse_file; t = _get_parser().t; assert t.sre_key == '', 'the wheel built its own tables: _tables.py missing or stale (make tables)'; assert parse_file('$root/examples/teaser.shot')[0] is not None; assert 'lark' not in sys.modules, 'lark imported'"
# `seedance mcp` serves the docs and examples from inside the wheel
"$tmp/venv/bin/python" -c "from seedance_dsl.agents.server import _data_text, example_names; assert 'teaser.shot' in example_names(), example_names(); assert 'storyboard' in _data_text('docs/language.md')"
echo "wheel-check: ok"
