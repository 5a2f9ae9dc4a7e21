# Every target bootstraps .venv itself: a fresh machine needs only python3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP     := $(VENV)/.dev-installed

.PHONY: serve test lint types bench migrate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install -c constraints.txt -e .
	touch $@

$(DEV_STAMP): $(RUNTIME_STAMP) pyproject.toml constraints.txt
	$(PIP) install -c constraints.txt -e ".[dev]"
	touch $@

serve: $(RUNTIME_STAMP)  ## migrate, create the demo user (prints its key), serve on 127.0.0.1:8000
	$(BIN)/rendezvous serve

migrate: $(RUNTIME_STAMP)
	$(BIN)/rendezvous migrate

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: $(DEV_STAMP)
	$(BIN)/mypy

test: lint types  ## lint, types, and the whole suite on SQLite and PostgreSQL
	$(BIN)/pytest

bench: $(DEV_STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
