# credtrends: `make demo` starts the dashboard on demo data, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo serve test lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
		|| { echo "credtrends needs Python 3.11 or newer (found: $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## virtualenv with credtrends and its dev tools

demo: $(STAMP)  ## load the synthetic demo data set and serve the dashboard
	$(BIN)/credtrends demo

serve: $(STAMP)  ## serve the dashboard on whatever the warehouse holds
	$(BIN)/credtrends serve

lint: $(STAMP)  ## ruff and mypy
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

test: lint  ## lint, then unit, integration (SQLite + PostgreSQL) and browser tests
	$(BIN)/pytest

bench: $(STAMP)  ## benchmarks (print ratios against baselines measured in the same run)
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
