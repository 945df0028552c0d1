# ScrubHub: `make run` for the app with demo data, `make test` for the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
# The test suite's database and broker (real Postgres and Redis, as in production).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/scrubhub
TEST_BROKER_URL ?= redis://127.0.0.1:6379/10
PYTEST_WORKERS ?= 2
PORT ?= 8000

.PHONY: run test lint format bench bench-pages services browser venv demo clean vendor audit

$(STAMP): pyproject.toml constraints.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

## make run: the site at http://127.0.0.1:$(PORT) with demo data, a Celery worker and beat (SQLite, no servers).
run: $(STAMP)
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo --if-empty
	@echo "Starting ScrubHub at http://127.0.0.1:$(PORT) (Ctrl+C stops the site, worker and beat)"
	@# The site, worker and beat all write links, so all three learn the port.
	@export PORT=$(PORT); trap 'kill 0' EXIT INT TERM; \
	$(VENV)/bin/celery -A scrubhub worker --loglevel=WARNING --pool=solo & \
	$(VENV)/bin/celery -A scrubhub beat --loglevel=WARNING & \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test: the whole suite against Postgres and Redis, in headless Chromium too.
test: $(STAMP) services browser audit
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
	  $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

services:
	@bash .ci/services.sh

browser:
	@test -x /usr/bin/chromium || (echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null)

## make bench: small and national datasets, gunicorn, wrk; gates on queries and scans (~30 min).
# BENCH_ARGS passes options, e.g. make bench BENCH_ARGS="--sizes small --runs 1".
BENCH_ARGS ?=
bench: $(STAMP) services
	@command -v wrk >/dev/null || (echo "Installing Debian's wrk for the benchmark"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(PY) -m bench.run $(BENCH_ARGS)

## make bench-pages: Lighthouse (mobile, slow 4G) on each role's key page of the demo (~5 min).
# Lighthouse comes from npm at the version pinned in bench/package-lock.json; it drives
# Debian's chromium and never downloads a browser of its own. (package.json pins
# third-party-web, which a Lighthouse dependency asks for as "latest", so npm ci holds.)
bench/node_modules/.bin/lighthouse: bench/package.json bench/package-lock.json
	cd bench && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $@

bench-pages: $(STAMP) services browser bench/node_modules/.bin/lighthouse
	CHROME_PATH=/usr/bin/chromium $(PY) -m bench.lighthouse $(BENCH_ARGS)

## make audit: bandit on our code, pip-audit on our dependencies (both run by make test).
audit: $(STAMP)
	$(VENV)/bin/bandit -q -c pyproject.toml -r scrubhub makers packages dropoffs
	$(VENV)/bin/lint-imports --no-cache .importlinter
	@# pip-audit asks PyPI's vulnerability data; where a machine cannot reach it, it says
	@# which packages it could not check (and fails only on vulnerabilities it found, not
	@# when it cannot reach the data at all).
	@mkdir -p var
	@$(VENV)/bin/pip-audit --progress-spinner off --skip-editable > var/pip-audit.txt 2>&1; \
	  status=$$?; head -n 1 var/pip-audit.txt; \
	  if [ $$status != 0 ] && ! grep -q "known vulnerabilit" var/pip-audit.txt; then \
	    echo "pip-audit could not run here (no vulnerability data reachable); see var/pip-audit.txt"; status=0; fi; \
	  skipped=$$(grep -c "could not be audited" var/pip-audit.txt); \
	  [ "$$skipped" = 0 ] || echo "pip-audit: $$skipped packages could not be checked here (no vulnerability data reachable); see var/pip-audit.txt"; \
	  exit $$status

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf var $(VENV)
