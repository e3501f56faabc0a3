# Factdesk: `make demo` to try it, `make test` to run the whole suite.  See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The address the demo prints, and emails link to: the port it serves unless SITE_URL says otherwise.
SITE_URL ?= http://127.0.0.1:$(PORT)
# The demo runs on the embedded default (SQLite + file-system broker) unless told otherwise.
DEMO_ENV = DEBUG=true SITE_URL=$(SITE_URL)
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
# Some machines' pip configuration names local mirrors that do not exist; pip warns about each one.
PIP_NOISE := grep -v 'is ignored: it is neither a file nor a directory'

.PHONY: help setup setup-browser demo demo-smoke serve test lint format eval bench clean

help:
	@echo "make demo    set everything up and run the demo (admin and API on http://127.0.0.1:$(PORT)/)"
	@echo "make test    run the whole test suite"
	@echo "make setup   create .venv and install requirements (idempotent)"
	@echo "make setup-browser  install Debian's chromium for the browser tests (as root; CI does this)"
	@echo "make lint    ruff check, format check and mypy"
	@echo "make eval    run the analysis evaluations (needs ../shared)"

# --- setup: find Python >= 3.12, build .venv once, reinstall only when requirements.txt changes ---
setup: $(VENV)/.installed var/secret_key

$(VENV)/.installed: requirements.txt
	@set -e; py=""; \
	for candidate in python3.13 python3.12 python3; do \
	  if command -v $$candidate >/dev/null 2>&1 && \
	     $$candidate -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
	    py=$$candidate; break; \
	  fi; \
	done; \
	if [ -z "$$py" ]; then \
	  echo "Factdesk needs Python 3.12 or newer (3.13 recommended), and found none on PATH" >&2; \
	  echo "(tried python3.13, python3.12, python3). Install one, then run make again." >&2; \
	  exit 1; \
	fi; \
	if ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
	  echo "Creating $(VENV) with $$($$py --version)"; rm -rf $(VENV); $$py -m venv $(VENV); \
	fi; \
	echo "Installing requirements into $(VENV)"; \
	$(PIP) --upgrade pip 2> >($(PIP_NOISE) >&2); \
	$(PIP) -r requirements.txt 2> >($(PIP_NOISE) >&2); \
	touch $@

# --- the browser for tests/browser: Debian's chromium, driven by Playwright (a pinned requirement).
# Never `playwright install`: it downloads a browser build, which this project's machines cannot fetch.
# `make test` does not need this: without /usr/bin/chromium the browser tests are skipped (CI sets
# FACTDESK_REQUIRE_BROWSER=1, which makes that a failure).  apt takes 20-40 s here (no recommends).
CHROMIUM := /usr/bin/chromium
setup-browser:
	@set -e; \
	if [ -x $(CHROMIUM) ]; then \
	  echo "Browser for tests: $$($(CHROMIUM) --version 2>/dev/null)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for the browser tests (apt-get, under a minute)"; \
	  start=$$(date +%s); \
	  apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null; \
	  echo "Installed $$($(CHROMIUM) --version 2>/dev/null) in $$(( $$(date +%s) - start ))s"; \
	else \
	  echo "The browser tests need Debian's chromium at $(CHROMIUM), and it is not installed." >&2; \
	  echo "Install it as root: sudo apt-get install chromium   (or run make setup-browser as root)." >&2; \
	  echo "Until then \`make test\` skips the browser tests (tests/browser) and says why." >&2; \
	  exit 1; \
	fi

var/secret_key:
	@mkdir -p var
	@umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@echo "Wrote a local SECRET_KEY to $@ (production sets SECRET_KEY in the environment instead)."

# --- demo -------------------------------------------------------------------------------------
demo: setup
	@$(DEMO_ENV) $(PY) manage.py migrate --noinput -v 0
	@$(DEMO_ENV) LOG_LEVEL=WARNING $(PY) manage.py demo
	@$(MAKE) --no-print-directory serve

# CI: the same set-up and report, without starting the server.
demo-smoke: setup
	@$(DEMO_ENV) $(PY) manage.py migrate --noinput -v 0
	@$(DEMO_ENV) LOG_LEVEL=WARNING $(PY) manage.py demo --smoke

# The web server and one Celery worker on the embedded broker; Ctrl-C stops both.  The worker takes
# both queues (analysis and email; fetching sources) with 8 threads, so a slow site does not hold up
# the rest, and runs Celery beat too (-B: email and fetch recovery every minute, digests every 5
# minutes); production runs one `celery -A config beat` beside its workers instead.  Emails go to the
# worker's output (consolemail://).
serve: setup
	@$(DEMO_ENV) $(VENV)/bin/celery -A config worker -B --pool=threads --concurrency=8 --loglevel=warning & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Worker and beat started (pid $$worker). Serving http://127.0.0.1:$(PORT)/ — Ctrl-C to stop."; \
	$(DEMO_ENV) $(PY) manage.py runserver --noreload 127.0.0.1:$(PORT)

# --- tests and checks -------------------------------------------------------------------------
# Two pytest processes per core (pytest-xdist; each has its own test database, cache and broker folders):
# the integration and fault tests spend much of their time waiting on the real processes they start
# (leases, visibility timeouts, a server coming up), and the other processes use the cores meanwhile.
# On 2 cores, PostgreSQL: 273 s with 2 processes, 234 s with 3, 205 s with 4, 204 s with 6.
# The tests marked `integration` share the machine's Redis and take turns (a lock file, tests/conftest.py).
# `make test TEST_WORKERS=0` runs everything in this one process (as a bare `.venv/bin/pytest` does).
# Bytecode is written even where the environment says not to (PYTHONDONTWRITEBYTECODE, set on some
# machines): without it each pytest worker rewrites the asserts of every test module anew, and each of
# the dozens of web servers, workers and commands the tests start compiles the project again.  The
# .pyc files go to __pycache__ folders, which git ignores.
TEST_WORKERS ?= $(shell echo $$((2 * $$(nproc 2>/dev/null || echo 1))))
test: setup
	env -u PYTHONDONTWRITEBYTECODE $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

eval: setup
	$(PY) -m bench.evaluate

clean:
	rm -rf var staticfiles .pytest_cache .ruff_cache .mypy_cache .hypothesis

# --- the API under schemathesis (CI runs it) ----------------------------------------------------
# A fresh PostgreSQL database (FACTDESK_FUZZ_DATABASE_URL, default factdesk_fuzz on the local server),
# seeded through the services, served by gunicorn on a free loopback port, fuzzed on every operation
# of the live schema: no 5xx, every response as documented.  About a minute and a half on 2 cores.
# FUZZ_ARGS="--seed random --max-examples 60" explores further than CI's fixed run.
.PHONY: api-fuzz
api-fuzz: setup
	$(PY) .ci/api_fuzz.py $(FUZZ_ARGS)

# --- the API's contract, as integrators meet it (CI runs it) ------------------------------------
# The live schema validated and linted with Redocly's recommended rules, a Python client
# (openapi-python-client) and TypeScript types (openapi-typescript) generated from it without a
# warning, the integration examples in contract/ type-checked against them (mypy --strict, tsc
# --strict), and the API's tests, whose every response is validated against the schema.  The npm
# tools are pinned in contract/ts/package-lock.json (npm ci when missing).  About a minute, plus the
# tests; CONTRACT_ARGS=--no-tests skips them.
.PHONY: api-contract
api-contract: setup
	$(PY) .ci/api_contract.py $(CONTRACT_ARGS)
