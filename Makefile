# BEBELI — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi:app
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/bebeli_test

.PHONY: run test test-sqlite test-postgres install install-dev browser pgbackrest translations serve worker bench-catalog clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

translations: | $(BIN)/python
	@$(BIN)/pybabel compile -q -d translations 2>/dev/null || $(BIN)/pybabel compile -d translations

## make run: virtualenv, install, migrate the SQLite database in instance/, load demo data, serve
run: install
	@mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## make test: the whole suite on SQLite and, when a server answers, on PostgreSQL: the two
## passes run side by side (each is one process; together they use both cores) and the
## PostgreSQL pass's output follows the SQLite pass's. PARALLEL=0 runs them one after the other.
PARALLEL ?= 1
SQLITE_PASS = $(BIN)/python -m pytest
POSTGRES_PASS = TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/python -m pytest
test: install-dev browser pgbackrest
	@if ! $(BIN)/python scripts/testdb.py "$(TEST_DATABASE_URL)"; then \
		echo "== test suite on SQLite =="; \
		$(SQLITE_PASS) || exit $$?; \
		echo "== PostgreSQL pass SKIPPED: no server answered at $(TEST_DATABASE_URL) (see above) =="; \
	elif [ "$(PARALLEL)" = 0 ]; then \
		echo "== test suite on SQLite =="; \
		$(SQLITE_PASS) || exit $$?; \
		echo "== test suite on PostgreSQL ($(TEST_DATABASE_URL)) =="; \
		$(POSTGRES_PASS); \
	else \
		log=$$(mktemp); \
		echo "== test suite on SQLite, and on PostgreSQL ($(TEST_DATABASE_URL)) beside it =="; \
		$(POSTGRES_PASS) -p no:cacheprovider >"$$log" 2>&1 & \
		pg=$$!; \
		$(SQLITE_PASS); sqlite=$$?; \
		wait $$pg; postgres=$$?; \
		echo "== test suite on PostgreSQL ($(TEST_DATABASE_URL)) =="; \
		cat "$$log"; rm -f "$$log"; \
		echo "== SQLite pass: $$([ $$sqlite = 0 ] && echo passed || echo FAILED); PostgreSQL pass: $$([ $$postgres = 0 ] && echo passed || echo FAILED) =="; \
		[ $$sqlite = 0 ] && [ $$postgres = 0 ]; \
	fi

test-sqlite: install-dev
	$(SQLITE_PASS) $(ARGS)

test-postgres: install-dev
	$(BIN)/python scripts/testdb.py "$(TEST_DATABASE_URL)"
	$(POSTGRES_PASS) $(ARGS)

# Debian's chromium for the browser tests (never a downloaded browser).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian chromium for the browser tests…"; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
			|| echo "WARNING: could not install chromium; browser tests will be skipped"; \
		else \
			echo "WARNING: /usr/bin/chromium missing and cannot install it; browser tests will be skipped"; \
		fi; \
	fi

# Debian's pgbackrest for the point-in-time recovery drill (tests/core/test_pitr.py, which also
# needs PostgreSQL's server binaries); without it the drill is skipped.
pgbackrest:
	@if ! command -v pgbackrest >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian pgbackrest for the recovery drill…"; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbackrest >/dev/null) \
			|| echo "WARNING: could not install pgbackrest; the recovery drill will be skipped"; \
		else \
			echo "WARNING: pgbackrest missing and cannot install it; the recovery drill will be skipped"; \
		fi; \
	fi

## make serve: gunicorn against PostgreSQL and Redis, configured as a server is. The environment
## (README, "Production") comes from the shell or from ENV_FILE; to try it on this machine:
##   make serve ENV_FILE=scripts/serve-local.env
ENV_FILE ?=
serve: install
	@set -a; if [ -n "$(ENV_FILE)" ]; then . "$(ENV_FILE)"; fi; set +a; \
	export BEBELI_CONFIG=production; \
	$(BIN)/flask db upgrade && exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# The job worker beside `make serve` (same ENV_FILE): mail delivery and the periodic jobs.
worker: install
	@set -a; if [ -n "$(ENV_FILE)" ]; then . "$(ENV_FILE)"; fi; set +a; \
	export BEBELI_CONFIG=production FLASK_APP=wsgi:app; \
	exec $(BIN)/flask worker

clean:
	rm -rf $(VENV) instance *.egg-info
