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
# `seedance mcp` serves the docs and examples from inside the wheel
"$tmp/venv/bin/python" -c "from seedance_dsl.agents.server import _data_text, example_names; assert 'teaser.shot' in example_names(), example_names(); assert 'storyboard' in _data_text('docs/language.md')"
echo "wheel-check: ok"
