# aidledger: `make run` serves the demo ledger, `make test` runs the suite.
# Everything installs into .venv from requirements.lock (exact versions) + pyproject.toml.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup test lint format messages messages-check ci clean

# The venv is rebuilt when the dependency lists change; the stamp records that it is complete.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --constraint requirements.lock --editable ".[dev]"
	touch $@

setup: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_login

run: setup
	@echo "Serving aidledger at http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

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

clean:
	rm -rf $(VENV) staticfiles
