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
# Two test processes (pytest-xdist): CI has two cores. `make test PYTEST_WORKERS=0` runs in one.
# Whole files go to one process (--dist loadfile), so a module-scoped fixture (the demo seed
# in tests/skp/test_demo.py) is built once.
PYTEST_WORKERS ?= 2
# The browser tests drive Debian's Chromium; `make install` installs it once (own stamp).
CHROMIUM := /usr/bin/chromium
CHROMIUM_STAMP := $(VENV)/.chromium-checked
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install install-test chromium run serve migrate seed test lint typecheck pytest-sqlite pytest-postgres messages lock clean

help:
	@echo "make run   - install, migrate, load demo data and serve on http://$(HOST):$(PORT)/"
	@echo "make test  - ruff, mypy and the test suite on SQLite, then on PostgreSQL if reachable"
	@echo "make messages - update locale/en/LC_MESSAGES/django.po and compile it (needs GNU gettext)"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed (python3.11 or python3)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements/dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

# What the test suite needs beyond the Python packages: Chromium for the browser tests.
install-test: $(STAMP) $(CHROMIUM_STAMP)

# Chromium for the Playwright browser tests (never `playwright install`: it downloads).
# Runs once; `make chromium` tries again. Failing to install only prints a message: the
# browser tests then skip (and fail under CI=true).
$(CHROMIUM_STAMP): $(BIN)/python
	@$(MAKE) --no-print-directory chromium
	@touch $@

chromium:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	else echo "Chromium is missing at $(CHROMIUM) and neither root nor sudo is available:"; \
		echo "  install it with: apt-get install -y --no-install-recommends chromium"; \
		echo "  (the browser tests are skipped until then)."; exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "Chromium is missing at $(CHROMIUM) and apt-get is not available: install Chromium"; \
		echo "so that $(CHROMIUM) exists (the browser tests are skipped until then)."; exit 0; fi; \
	echo "Installing Chromium for the browser tests (apt-get install chromium)..."; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium \
	|| { $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q \
		&& $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; } \
	|| { echo "Could not install Chromium: the browser tests are skipped until $(CHROMIUM) exists."; \
		echo "  Try: sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium"; }

migrate: install
	env -u DATABASE_URL $(BIN)/python manage.py migrate --noinput -v 0

seed: migrate
	env -u DATABASE_URL $(BIN)/python manage.py seed_demo

# DEBUG off: the error pages users see, never Django's debug pages (a traceback shows in
# this terminal instead); --insecure still serves the static files. The server starts at
# once; the demo data loads beside it (about two minutes the first time, a second later
# on) and prints the demo logins here when it is done. Beside them, the scheduler
# (reminders, escalation, keberatan expiry, stalled jobs) runs every minute. Both stop with
# the server.
run: migrate
	@echo ""
	@echo "Kinerja ASN berjalan di http://$(HOST):$(PORT)/  (Ctrl+C untuk berhenti)"
	@echo "Data demo dimuat di latar belakang; daftar login demo muncul di sini setelah selesai."
	@echo ""
	@env -u DATABASE_URL $(BIN)/python manage.py seed_demo & seed=$$!; \
	env -u DATABASE_URL $(BIN)/python manage.py run_scheduler --interval 60 > var/scheduler.log 2>&1 & \
	scheduler=$$!; trap 'kill $$scheduler $$seed 2>/dev/null' EXIT INT TERM; \
	env -u DATABASE_URL DJANGO_DEBUG=false $(BIN)/python manage.py runserver --insecure $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

pytest-sqlite: install-test
	env -u DATABASE_URL $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

pytest-postgres: install-test
	@if $(BIN)/python -m config.dbcheck "$(PG_URL)"; then \
		echo "== PostgreSQL run on $(PG_URL)"; \
		DATABASE_URL="$(PG_URL)" $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS); \
	elif [ "$(REQUIRE_POSTGRES)" = "1" ] || [ "$(CI)" = "true" ]; then \
		echo "PostgreSQL at $(PG_URL) cannot be reached and is required here."; exit 1; \
	else \
		echo "PostgreSQL at $(PG_URL) cannot be reached: the PostgreSQL run was skipped."; \
	fi

test: lint typecheck pytest-sqlite pytest-postgres

# English comes from locale/en/LC_MESSAGES/django.po (the source text is Indonesian); the
# compiled .mo is committed so a machine without gettext still shows English.
messages: install
	@command -v msgfmt >/dev/null 2>&1 || { echo "GNU gettext is needed: apt-get install -y gettext"; exit 1; }
	$(BIN)/python manage.py makemessages -l en --add-location=file --ignore=.venv --ignore=var --ignore=test-artifacts
	$(BIN)/python manage.py compilemessages -l en --ignore=.venv --ignore=var

lock:
	@echo "Regenerate requirements/*.txt in a clean venv from pyproject.toml (see README)."

clean:
	rm -rf $(VENV) var/*.sqlite3* .mypy_cache .ruff_cache test-artifacts
