# CarbonCred — `make run` serves the site and the API on http://127.0.0.1:8000 (`make run PORT=8101` for
# another port), `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Every command below (gunicorn, seed_demo, collectstatic) sees the address the server binds, so a run
# without PUBLIC_BASE_URL links certificates and QR codes to it: `make run PORT=8101`.
export BIND := $(HOST):$(PORT)
# `make demo FORCE=1` seeds even a database seed_demo would refuse (it says why it refuses).
FORCE ?=

# The first interpreter that is Python >= 3.12: pyenv's python3 (the checkout's .python-version
# says 3.13), then explicit versions, then plain python. Override with `make PYTHON=/path/python3`.
PYTHON ?= $(shell for c in python3 python3.14 python3.13 python3.12 python; do \
	p=$$(command -v $$c 2>/dev/null) || continue; \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; \
	done)

.PHONY: help run demo test lint bench clean python

help:
	@echo "make run    create .venv, install, migrate SQLite, load reference data, serve on $(HOST):$(PORT) with the task worker"
	@echo "            another port or address: make run PORT=8101 (HOST=0.0.0.0 to listen on every interface)"
	@echo "make demo   the same, with demo SMEs, claims, credits and certificates seeded first (demo logins printed);"
	@echo "            make demo FORCE=1 seeds a database that already holds other organisations"
	@echo "make test   the whole test suite (PostgreSQL-only tests run when DATABASE_URL is PostgreSQL)"
	@echo "make lint   ruff, mypy and lint-imports"
	@echo "make bench  every benchmark and the table of targets (PostgreSQL; about 15 minutes; docs/BENCHMARKS.md)"

python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: CarbonCred needs Python 3.12 or newer, and none was found on PATH." >&2; \
		echo "       Install Python 3.13 (e.g. 'pyenv install 3.13' or your OS package) or run" >&2; \
		echo "       'make PYTHON=/path/to/python3.13 ...'." >&2; \
		exit 1; \
	fi

# A venv left by an older interpreter is rebuilt rather than half-used.
$(BIN)/python: | python
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		rm -rf $(VENV); fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-run

# gunicorn and the task worker (manage.py db_worker: checkpoints, webhook deliveries) together; Ctrl-C stops both.
define serve
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py ledger_checkpoint --schedule >/dev/null
	@echo "Serving CarbonCred on http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/docs/), task worker beside it"
	WEB_CONCURRENCY=2 BIN=$(BIN) bin/serve
endef

run: $(VENV)/.installed-run
	$(BIN)/python manage.py migrate --noinput
	@echo "Want demo SMEs, claims, credits and certificates to click through? make demo (demo-only logins)"
	$(serve)

# seed_demo is idempotent and refuses (DEBUG off) a database holding real organisations.
demo: $(VENV)/.installed-run
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo $(if $(FORCE),--force)
	$(serve)

test: $(VENV)/.installed-dev
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

# Each script gets a database named after this one plus a suffix, dropped and recreated.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cc_bench
bench: $(VENV)/.installed-dev
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/static
