# Two commands set up a fresh machine (Python 3.11 and make):
#   make build   create .venv from requirements.lock, then build the data packages
#   make test    run the tests (creates .venv first if needed)
#   make bench   the benchmark of docs/performance.md
#   make site    the reading site, dist/site/ (open dist/site/index.html)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# axe-core (pinned in package-lock.json), injected into pages by the browser tests
AXE    := node_modules/axe-core/axe.min.js

.PHONY: build test lint check env lock clean bench site screenshots browser

build: $(STAMP)
	$(BIN)/hrc-corpus build

test: $(STAMP) lint browser $(AXE)
	$(BIN)/python -m pytest

# Style and types, pinned in requirements.lock (configured in pyproject.toml); part of `make test`.
lint: $(STAMP)
	$(BIN)/ruff check build tests benchmarks
	$(BIN)/mypy

# The reading site (build/hrc_corpus/site.py), from the CSV data package.
site: $(STAMP)
	$(BIN)/hrc-corpus site

# docs/screenshots/*.png: each page type at desktop and phone width (not part of `make test`).
screenshots: $(STAMP) browser
	$(BIN)/python -m tests.screenshots

# The browser tests drive Debian's chromium (never a downloaded browser): as root (CI), install it
# when missing; otherwise stop with the one command to run.
BROWSER := /usr/bin/chromium
browser:
	@test -x $(BROWSER) || { if [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "The browser tests need Debian's chromium; run: sudo apt-get install -y chromium" >&2; exit 1; fi; }

$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

check: $(STAMP)
	$(BIN)/hrc-corpus check

# Versioned release files in dist/<name>-<version>/ (see build/hrc_corpus/release.py).
.PHONY: release
release: $(STAMP)
	$(BIN)/hrc-corpus release

env: $(STAMP)

# Time every stage at 1k, 10k and 100k synthetic claims against the floor and the peers
# (about half an hour, most of it the peers at 100k; corpora and results go to $TMPDIR/hrc-corpus-bench/).
# Not part of `make test`.
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/quotes.py

# The stamp depends on the lock file, so a changed pin reinstalls.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Re-resolve the pins from the ranges in pyproject.toml (needs the network).
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet '.[test,bench]'
	{ echo "# Pinned environment: every direct and transitive dependency, exact versions."; \
	  echo "# Regenerate with: make lock (after editing the ranges in pyproject.toml)."; \
	  .venv-lock/bin/pip freeze --exclude hrc-corpus; } > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) dist .hrc-build node_modules
