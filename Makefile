# HH Quiz. Two commands: `make run` and `make test`. Both build .venv on first use.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint test-postgres bench clean screenshots

$(PY):
	@interp=$$(sh scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$interp"; \
	"$$interp" -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(PY) pyproject.toml requirements.lock
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py setup_bank
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(PY) manage.py makemigrations --check --dry-run >/dev/null || (echo "Model changes without a migration: run manage.py makemigrations"; exit 1)
	$(VENV)/bin/pytest --cov --cov-report=term

# The same suite on PostgreSQL and Redis (the local servers by default).
test-postgres: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hhquiz} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	$(VENV)/bin/pytest

# README screenshots from the running app (Chromium via Playwright): docs/screenshots/.
screenshots: $(STAMP)
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) staticfiles test_db*.sqlite3* .cache
