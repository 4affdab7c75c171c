# consult — run `make help` for the list of targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# One process with threads: the in-memory rate-limit counters are then exact (several workers need Redis).
WORKERS ?= 1
THREADS ?= 8
FLASK := $(BIN)/flask --app consult
# Test processes (pytest-xdist): one per core; each has its own database. TEST_WORKERS=0 runs them in one process.
TEST_WORKERS ?= auto

.DEFAULT_GOAL := help
.PHONY: help run install install-dev translations migrate seed demo test lint format messages bench clean

help: ## Show this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found); set PYTHON=..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed ## Create .venv and install consult

install-dev: $(VENV)/.installed-dev ## Install consult with the test and lint tools

translations: $(VENV)/.installed ## Compile the message catalogues (.po -> .mo)
	$(BIN)/pybabel compile --statistics -d translations

migrate: $(VENV)/.installed ## Apply database migrations
	$(FLASK) db upgrade

seed: migrate ## Load the plan catalogue and the zones (idempotent)
	$(FLASK) seed

demo: seed ## Load the demo dataset into an empty database (prints the demo accounts)
	$(FLASK) demo --if-empty

run: translations demo ## Install, migrate, seed, load the demo and serve on http://$(HOST):$(PORT)
	@echo "consult is served on http://$(HOST):$(PORT)"
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --threads $(THREADS) --access-logfile - 'consult:create_app()'

test: install-dev translations ## Run the test suite (browser tests too, when Chromium is installed)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install-dev ## Check style with ruff
	$(BIN)/ruff check consult tests bench
	$(BIN)/ruff format --check consult tests bench

format: install-dev ## Format the code with ruff
	$(BIN)/ruff check --fix consult tests bench
	$(BIN)/ruff format consult tests bench

messages: install ## Extract UI strings and merge them into the Italian and English catalogues
	$(FLASK) translate update

bench: install ## Run the benchmarks under bench/ (BENCH_LARGE=1 adds 400,000 ballots)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean: ## Remove the virtual environment and caches (keeps instance/ and its database)
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-artifacts
