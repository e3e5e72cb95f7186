# The two commands: `make run` (install, migrate, demo data, serve) and `make test`
# (lint, types, tests on SQLite, then on PostgreSQL when a server answers).

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
LOCK_HASH := $(shell cat pyproject.toml requirements/base.txt requirements/dev.txt | sha1sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(LOCK_HASH)
PG_URL := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/kinerja)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install run serve migrate seed test lint typecheck pytest-sqlite pytest-postgres lock clean

help:
	@echo "make run   - install, migrate, load demo data and serve on http://$(HOST):$(PORT)/"
	@echo "make test  - ruff, mypy and the test suite on SQLite, then on PostgreSQL if reachable"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed (python3.11 or python3)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements/dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

migrate: install
	env -u DATABASE_URL $(BIN)/python manage.py migrate --noinput -v 0

seed: migrate
	env -u DATABASE_URL $(BIN)/python manage.py seed_demo

run: seed
	@echo ""
	@echo "Kinerja ASN berjalan di http://$(HOST):$(PORT)/  (Ctrl+C untuk berhenti)"
	@echo ""
	env -u DATABASE_URL $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

pytest-sqlite: install
	env -u DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)

pytest-postgres: install
	@if $(BIN)/python -m config.dbcheck "$(PG_URL)"; then \
		echo "== PostgreSQL run on $(PG_URL)"; \
		DATABASE_URL="$(PG_URL)" $(BIN)/python -m pytest $(PYTEST_ARGS); \
	elif [ "$(REQUIRE_POSTGRES)" = "1" ] || [ "$(CI)" = "true" ]; then \
		echo "PostgreSQL at $(PG_URL) cannot be reached and is required here."; exit 1; \
	else \
		echo "PostgreSQL at $(PG_URL) cannot be reached: the PostgreSQL run was skipped."; \
	fi

test: lint typecheck pytest-sqlite pytest-postgres

lock:
	@echo "Regenerate requirements/*.txt in a clean venv from pyproject.toml (see README)."

clean:
	rm -rf $(VENV) var/*.sqlite3* .mypy_cache .ruff_cache test-artifacts
