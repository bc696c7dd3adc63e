# aidledger: `make run` serves the demo ledger, `make test` runs the suite.
# Everything installs into .venv from requirements.lock (exact versions) + pyproject.toml.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# gunicorn worker processes for `make serve` (the usual variable name on hosting platforms).
WEB_CONCURRENCY ?= 2

.PHONY: run serve worker setup test e2e lint format messages messages-check ci clean bench

# The venv is rebuilt when the dependency lists change; the stamp records that it is complete.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --constraint requirements.lock --editable ".[dev]"
	touch $@

setup: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_login --url http://$(HOST):$(PORT)/

# A background worker (django-tasks' db_worker: Word briefings, assessment packs) runs beside
# the development server and is stopped with it.
run: setup
	@echo "Serving aidledger at http://$(HOST):$(PORT)/ with a background worker (Ctrl+C stops both)"
	@$(PY) manage.py db_worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# One background worker in the foreground: in production run one (or more) per server under
# the service manager, beside `make serve` (README "Background work").
worker: $(VENV)/.installed
	$(PY) manage.py db_worker --no-reload

# Production-style serving: migrate, collect the static files (hashed, compressed, served by
# WhiteNoise with long cache headers), list anything `check --deploy` finds unsafe, then
# gunicorn. Configure through the environment first: README "Serving in production".
# The long timeout lets a big CSV export finish streaming; no control socket, whose default
# path in $HOME two instances on one machine would share.
# Background work (the assessment packs of "我的导出") needs `make worker` running
# too, under systemd or the like, with the same environment: see README "Background work".
serve: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	$(PY) manage.py check --deploy
	@echo "Serving aidledger with gunicorn at http://$(HOST):$(PORT)/ ($(WEB_CONCURRENCY) workers; Ctrl+C stops it)"
	$(VENV)/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers $(WEB_CONCURRENCY) \
		--timeout 120 --access-logfile - --error-logfile - --no-control-socket

# One pytest-xdist worker per core, each with its own test database (test_<name>_gw0, …).
test: $(VENV)/.installed
	$(PY) -m pytest -n auto

# The browser suite (e2e/, README "The browser suite"): Debian's Chromium driven by Playwright
# against a live server on the demo ledger, with the product's settings. Not part of `make
# test`. A failing test leaves its screenshot in artifacts/e2e/; every run refreshes the
# 1366 px and 375 px screenshots in artifacts/e2e/screens/.
CHROMIUM ?= /usr/bin/chromium
e2e: $(VENV)/.installed
	CHROMIUM=$(CHROMIUM) $(PY) -m pytest e2e --ds=config.settings -p no:xdist -q

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refresh the translation catalogues after changing user-visible strings (needs GNU gettext).
messages: $(VENV)/.installed
	$(PY) manage.py makemessages --locale zh_Hans --locale en --no-obsolete --no-location --ignore ".venv/*" --ignore "staticfiles/*"
	$(PY) manage.py compilemessages --ignore ".venv/*"

# Fails when code has strings the committed catalogues do not have.
messages-check: $(VENV)/.installed
	$(PY) manage.py makemessages --locale zh_Hans --locale en --no-obsolete --no-location --ignore ".venv/*" --ignore "staticfiles/*"
	git diff --exit-code --ignore-matching-lines='^"POT-Creation-Date:' -- locale/ || \
		{ echo "Translation catalogues are out of date: run 'make messages', translate, commit."; exit 1; }

ci:
	bash .ci/run

# The benchmark (README "Benchmark"): scratch databases at these scales, never your ledger.
# PostgreSQL runs when BENCH_DATABASE_URL names a server (or DATABASE_URL is a postgres one);
# BENCH_ARGS passes more options to bench/run.py (--keep, --seed, --load-seconds, …).
PROGRAMMES ?= 10
YEARS ?= 5
SQLITE_PROGRAMMES ?= 2
SQLITE_YEARS ?= 2
SEED ?= 1
BENCH_DATABASE_URL ?= $(filter postgres%,$(DATABASE_URL))
BENCH_ARGS ?=

$(VENV)/.bench-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet --constraint requirements.lock --editable ".[dev,bench]"
	touch $@

bench: $(VENV)/.bench-installed
	$(PY) bench/run.py --database-url "$(BENCH_DATABASE_URL)" \
		--programmes $(PROGRAMMES) --years $(YEARS) \
		--sqlite-programmes $(SQLITE_PROGRAMMES) --sqlite-years $(SQLITE_YEARS) \
		--seed $(SEED) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles
