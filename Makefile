PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BROWSER_STAMP := $(VENV)/.browser-stamp
LINTED := src tests tests_browser bench migrations

.DEFAULT_GOAL := help
.PHONY: help install run test test-fuzz test-browser lint format typecheck openapi contract migrate bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the service with its dev tools

run: install ## Serve on http://127.0.0.1:8000 with one job worker (embedded PostgreSQL unless KINERJA_DATABASE_URL is set)
	$(BIN)/kinerja serve --seed

test: install ## Run the whole test suite against a real PostgreSQL
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fuzz: install ## Only the contract fuzz tests; KINERJA_FUZZ_EXAMPLES=500 for a nightly-sized run
	$(BIN)/python -m pytest tests/app/test_contract_fuzz.py $(PYTEST_ARGS)

$(BROWSER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,browser]'
	touch $(BROWSER_STAMP)

test-browser: $(BROWSER_STAMP) ## Sign in through /docs in headless Chromium, offline (installs Chromium)
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	$(BIN)/python -m pytest tests_browser $(PYTEST_ARGS)

lint: install ## ruff check and format check
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

format: install ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

typecheck: install ## mypy --strict on src/
	$(BIN)/mypy --strict src

openapi: install ## Regenerate openapi/openapi.json from the app
	$(BIN)/python -m kinerja_api.openapi_export > openapi/openapi.json

contract: ## Generate the TypeScript and Python clients from openapi/openapi.json, type-check them, lint it
	bash contract/check.sh

migrate: install ## Upgrade the database to the latest migration
	$(BIN)/kinerja migrate

bench: install ## Load benchmarks against a bare asyncpg baseline (prints figures, never fails on them)
	$(BIN)/python bench/run.py

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) .data
