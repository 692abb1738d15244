# credtrends: `make demo` starts the dashboard on demo data, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# axe-core, the accessibility rules the browser tests run in the page: version and integrity
# pinned in tests/browser/axe/package-lock.json, installed by `npm ci` into a git-ignored cache.
AXE_DIR := .cache/axe-core
AXE_JS := $(AXE_DIR)/node_modules/axe-core/axe.min.js
AXE_PINS := tests/browser/axe/package.json tests/browser/axe/package-lock.json

.PHONY: install axe demo serve test lint messages bench reliability reliability-web clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
		|| { echo "credtrends needs Python 3.11 or newer (found: $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## virtualenv with credtrends and its dev tools

# Never stops `make test`: without npm or the registry, pytest skips the accessibility tests
# with the reason (and fails them with CI=true), like the other missing services.
$(AXE_JS): $(AXE_PINS)
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "axe-core: npm not found; the accessibility tests will say so"; \
	elif mkdir -p $(AXE_DIR) && cp $(AXE_PINS) $(AXE_DIR)/ && \
		npm ci --prefix $(AXE_DIR) --ignore-scripts --no-audit --no-fund --loglevel=error; then \
		touch $@; \
	else \
		echo "axe-core: npm ci failed; the accessibility tests will say so"; \
	fi

axe: $(AXE_JS)  ## axe-core from the npm registry, for the browser accessibility tests

demo: $(STAMP)  ## load the synthetic demo data set and serve the dashboard
	$(BIN)/credtrends demo

serve: $(STAMP)  ## serve the dashboard on whatever the warehouse holds
	$(BIN)/credtrends serve

lint: $(STAMP)  ## ruff and mypy
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

test: lint axe  ## lint, then unit, integration (SQLite + PostgreSQL) and browser tests
	$(BIN)/pytest

# Translations (CONTRIBUTING.md, "a message"): extract every tr("key") / N_("key") of src/
# into a template, add new keys to both catalogues with an empty text and drop the keys no
# code uses, then compile the .mo files the dashboard reads (committed beside the .po; a
# unit test fails when they disagree). Run it again after filling in the new texts.
LOCALE := src/credtrends/web/locale
messages: $(STAMP)  ## update the .po catalogues from the code, compile the .mo files
	@mkdir -p .cache
	$(BIN)/pybabel --quiet extract --mapping-file $(LOCALE)/babel.cfg \
		--no-default-keywords --keyword tr --keyword N_ --no-location --sort-output \
		--project credtrends --output-file .cache/credtrends.pot src/credtrends
	$(BIN)/pybabel --quiet update --input-file .cache/credtrends.pot --output-dir $(LOCALE) \
		--domain credtrends --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date
	$(BIN)/pybabel compile --statistics --directory $(LOCALE) --domain credtrends

bench: $(STAMP)  ## benchmarks (print ratios against baselines measured in the same run)
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# The web part only: each battery starts its own gunicorn, Redis and PostgreSQL database
# (about 4 minutes in all). Needs redis-server and PostgreSQL.
reliability-web: $(STAMP)  ## web fault batteries: Redis outage, table lock, hostile requests
	PYTHONPATH=src:. $(BIN)/python -m tests.reliability.run_battery web_

# Faults on purpose (kill -9, locked or full or read-only storage, Redis stopped, a table
# lock, hostile requests), SQLite and PostgreSQL, loopback only; prints figures. Not part
# of `make test`; the disk battery needs root.
reliability: $(STAMP)  ## fault batteries: tests/reliability/battery_*.py, in name order
	PYTHONPATH=src:. $(BIN)/python -m tests.reliability.run_battery

clean:
	rm -rf $(VENV) .cache .mypy_cache .ruff_cache .pytest_cache
