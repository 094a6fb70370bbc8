# The two commands of the README: `make demo` and `make test`.
# Everything a fresh clone needs is installed here; nothing is done by hand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install bytecode demo test lint typecheck pytest wheel-check bench clean chromium golden facades tables grammar-test vsix vsix-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) bytecode

# Byte-compile the package (cheap when nothing changed). pip does not compile an editable
# install, and where PYTHONDONTWRITEBYTECODE is set the interpreter never writes a .pyc
# either: every command would then compile its modules from source (`seedance plan`
# 260 ms instead of 129 ms; docs/benchmarks.md, "Bytecode"). An edited module's stale
# .pyc is ignored by the interpreter (its timestamp), so this is never wrong, only faster.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q seedance_dsl

# Ends by printing where the preview page and the final cut are (the paths the
# commands themselves report).
demo: $(STAMP) bytecode
	$(BIN)/seedance render examples/teaser.shot --sandbox
	$(BIN)/seedance render examples/stills.shot --sandbox
	@page=$$($(BIN)/seedance preview examples/teaser.shot --sandbox) && \
	final=$$($(BIN)/seedance cut examples/teaser.shot --sandbox \
	  --timeline renders/teaser/sandbox/teaser.otio --format json \
	  | $(BIN)/python -c 'import json, sys; print(json.load(sys.stdin)["out"])') && \
	echo "timeline:     renders/teaser/sandbox/teaser.otio" && \
	echo "preview page: $$page" && \
	echo "final cut:    $$final"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

# The Debian packages tests need: Chromium for tests/preview/test_browser.py (driven by
# playwright, a dev extra) and curl for the sandbox's curl tests. Installed here when
# missing and running as root, so no test has to be skipped.
chromium:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v curl >/dev/null || missing="$$missing curl"; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing$$missing (apt-get) for the tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

pytest: $(STAMP) bytecode chromium
	$(BIN)/python -m pytest -n 2 -q

# `pip install .` into a clean venv must give a working `seedance check` (grammar inside the wheel).
wheel-check: $(STAMP)
	bash tests/wheel_check.sh $(BIN)/python

# The VS Code extension (editors/vscode, docs/editors.md): its npm tools are installed from
# package-lock.json (npm ci) only when node_modules is missing or older than the lock file.
VSCODE    := editors/vscode
NPM_STAMP := $(VSCODE)/node_modules/.installed

$(NPM_STAMP): $(VSCODE)/package.json $(VSCODE)/package-lock.json
	@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing nodejs npm (apt-get) for the VS Code extension"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	fi
	cd $(VSCODE) && npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

# The TextMate grammar's test cases (editors/vscode/tests/*.shot)
grammar-test: $(NPM_STAMP)
	cd $(VSCODE) && npx --no-install vscode-tmgrammar-test -g syntaxes/shot.tmLanguage.json 'tests/*.shot'

# editors/vscode/seedance-shot.vsix: `code --install-extension editors/vscode/seedance-shot.vsix`
vsix: $(NPM_STAMP)
	cd $(VSCODE) && npx --no-install vsce package -o seedance-shot.vsix

# the .vsix holds every file package.json names, equal to the repository's (tools/vsix_check.py)
vsix-check: vsix
	$(BIN)/python tools/vsix_check.py $(VSCODE)/seedance-shot.vsix

test: lint typecheck pytest grammar-test vsix-check wheel-check

# Rewrite the golden files of tests/syntax and tests/compiler from the code as it is now,
# and list what changed (review the diff, then commit). Refused where CI is set: the
# golden tests themselves only ever compare (tests/golden_update.py).
golden: $(STAMP)
	$(BIN)/python tests/syntax/golden.py --update
	$(BIN)/python tests/compiler/compiler_golden.py --update

# Regenerate each package facade's TYPE_CHECKING imports and __all__ from its _EXPORTS
# mapping (seedance_dsl/_lazy.py); tests/test_facades.py fails when they are stale.
facades: $(STAMP)
	$(BIN)/python tools/facades.py --write

# Regenerate seedance_dsl/syntax/_tables.py, the grammar's LALR tables shipped with the
# package, from grammar/shot.lark (after a grammar change; review the diff, then commit).
# tests/syntax/test_shipped_tables.py fails when it is stale.
tables: $(STAMP)
	$(BIN)/python tools/tables.py --write

# Every benchmark in bench/, one after another (they are not tests: they print and record
# figures for docs/benchmarks.md). A few minutes; run on an otherwise idle machine.
bench: $(STAMP)
	set -e; for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
