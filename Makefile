# Kongtun: two commands.
#   make run    install, set up a demo database and serve it on http://127.0.0.1:8000
#   make test   every check and the whole test suite, on SQLite and then on PostgreSQL 15
#   make bench  the benchmarks in bench/, each against a raw baseline measured in the same run
# CI runs `make -k test` with CI=true (.ci/run). Steps are incremental: a second run is quick.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3.11
VENV ?= .venv
BIND ?= 127.0.0.1:8000
PYTEST_WORKERS ?= 2
VAR_DIR := $(or $(KONGTUN_VAR_DIR),var)
ENV_FILE := $(or $(KONGTUN_ENV_FILE),$(VAR_DIR)/kongtun.env)

STATIC_STAMP := $(VAR_DIR)/static/.collected
STATIC_SOURCES := $(shell find kongtun -path '*/static/*' -type f)

PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

# A stamp per requirements content: editing a requirements file reinstalls, nothing else does.
REQ_RUN := $(shell cat requirements.txt | sha256sum | cut -c1-12)
REQ_DEV := $(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)
RUN_STAMP := $(VENV)/.installed-run-$(REQ_RUN)
DEV_STAMP := $(VENV)/.installed-dev-$(REQ_DEV)
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

# What the test suite needs from Debian (installed when missing and we are root).
TEST_PACKAGES := postgresql-15 chromium fonts-thai-tlwg gettext poppler-utils zbar-tools \
	libpango-1.0-0 libpangoft2-1.0-0
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0

# Tests and checks never read a developer's var/kongtun.env; the checks below import settings,
# so they get the same test-only keys as pytest (pyproject.toml).
TEST_ENV := KONGTUN_ENV_FILE=/dev/null PYTHONPATH=$(CURDIR)/scripts
CHECK_ENV := $(TEST_ENV) SECRET_KEY=check-only-not-a-secret \
	FIELD_ENCRYPTION_KEY=check-only-not-a-key BLIND_INDEX_KEY=check-only-not-a-key
CI_MODE := $(filter true 1 yes,$(CI))
# On CI a skipped test fails the run (scripts/pytest_no_skips.py).
PYTEST := $(VENV)/bin/pytest -n $(PYTEST_WORKERS) \
	$(if $(CI_MODE),-p no:cacheprovider -p pytest_no_skips) $(PYTEST_ARGS)

.PHONY: help run test check lint typecheck migrations-check test-sqlite test-postgres \
	messages packages-run packages-test venv venv-dev clean bench

help:
	@echo "make run            install and serve the demo on http://$(BIND)"
	@echo "make test           lint, types, migrations, tests on SQLite and PostgreSQL"
	@echo "make check          only ruff (lint), mypy (typecheck) and migrations-check"
	@echo "make test-sqlite    only the test suite on SQLite"
	@echo "make test-postgres  only the test suite on a throwaway PostgreSQL 15"
	@echo "make bench          the benchmarks (bench/README.md); they print rates and ratios"
	@echo "make clean          remove the venv and build output (keeps var/kongtun.env and data)"

# --- Install ----------------------------------------------------------------------------------
$(PY):
	bash scripts/make-venv.sh $(VENV)

$(RUN_STAMP): | $(PY)
	$(PIP) -r requirements.txt
	rm -f $(VENV)/.installed-run-*
	touch $@

$(DEV_STAMP): | $(PY)
	$(PIP) -r requirements-dev.txt
	rm -f $(VENV)/.installed-dev-* $(VENV)/.installed-run-*
	touch $@ $(RUN_STAMP)

venv: $(RUN_STAMP)
venv-dev: $(DEV_STAMP)

packages-run:
	@bash scripts/apt-ensure.sh $(RUN_PACKAGES)

packages-test:
	@bash scripts/apt-ensure.sh $(TEST_PACKAGES)

# Generated once and never overwritten: the keys must outlive every rerun, or the encrypted
# national IDs become unreadable.
$(ENV_FILE): | $(PY)
	PYTHON=$(PY) bash scripts/make-env-file.sh $@

# Compiled translations are not committed (*.mo is ignored); build them from the .po files.
messages: $(RUN_STAMP)
	@if [ -n "$$(find . -path ./$(VENV) -prune -o -path ./$(VAR_DIR) -prune -o \
			-path '*/locale/*' -name '*.po' -print -quit)" ]; then \
		command -v msgfmt >/dev/null || bash scripts/apt-ensure.sh gettext; \
		$(VENV)/bin/django-admin compilemessages --ignore=$(VENV) --ignore=$(VAR_DIR) \
			--ignore=node_modules -v0; \
	fi

# --- Run ----------------------------------------------------------------------------------------
# Plain HTTP on loopback, so HTTPS=false; DEBUG stays off so it runs as it does in production.
run: export DEBUG := false
run: export HTTPS := false
run: $(RUN_STAMP) packages-run messages $(STATIC_STAMP) | $(ENV_FILE)
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	@echo "Serving Kongtun on http://$(BIND) (Ctrl-C stops it)"
	exec env BACKUP_SCHEDULER=true $(VENV)/bin/gunicorn kongtun.wsgi --bind $(BIND) --workers 2 \
		--access-logfile - --access-logformat '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
# The access log leaves out query strings (%(U)s): they could carry what someone searched for.

# Compressing and hashing a thousand files takes seconds: only when a static file or the
# installed packages (Django admin's files) changed.
$(STATIC_STAMP): $(RUN_STAMP) $(STATIC_SOURCES) | $(ENV_FILE)
	DEBUG=false $(MANAGE) collectstatic --noinput -v0
	touch $@

# --- Test ---------------------------------------------------------------------------------------
test: packages-test check test-sqlite test-postgres

# Separate targets, so `make -k` reports all three.
check: lint typecheck migrations-check

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check --output-format concise .

typecheck: $(DEV_STAMP)
	$(CHECK_ENV) $(VENV)/bin/mypy kongtun

migrations-check: $(DEV_STAMP)
	$(CHECK_ENV) $(MANAGE) makemigrations --check --dry-run

test-sqlite: $(DEV_STAMP) packages-test messages
	env -u DATABASE_URL $(TEST_ENV) $(PYTEST)

test-postgres: $(DEV_STAMP) packages-test messages
	$(TEST_ENV) PYTHON=$(PY) bash scripts/with-postgres.sh $(PYTEST)

# --- Benchmarks ---------------------------------------------------------------------------------
# Every bench/*.py (helpers start with "_") in turn, each on throwaway databases of its own;
# never a timed assertion in the test suite. A script that fails does not stop the others.
# The benchmarks' own packages (DuckDB, the raw-row baseline of province_rollup.py) have a
# stamp of their own, and province_rollup.py starts a throwaway PostgreSQL 15.
REQ_BENCH := $(shell cat requirements.txt requirements-bench.txt | sha256sum | cut -c1-12)
BENCH_STAMP := $(VENV)/.installed-bench-$(REQ_BENCH)

$(BENCH_STAMP): | $(RUN_STAMP)
	$(PIP) -r requirements-bench.txt
	rm -f $(VENV)/.installed-bench-*
	touch $@

bench: $(BENCH_STAMP)
	@bash scripts/apt-ensure.sh postgresql-15
	@failed=; for script in bench/[a-z]*.py; do \
		echo "== $$script"; \
		env -u DATABASE_URL $(TEST_ENV) $(PY) $$script || failed="$$failed $$script"; \
	done; \
	if [ -n "$$failed" ]; then echo "bench: failed:$$failed" >&2; exit 1; fi

clean:
	rm -rf $(VENV) $(VAR_DIR)/static .mypy_cache .ruff_cache .pytest_cache
	rm -f $(VAR_DIR)/test-kongtun.sqlite3*
