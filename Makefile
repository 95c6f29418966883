# Anju: two commands on a fresh machine — `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint check serve migrate demo-data browser messages clean bench bench-desk

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0

demo-data: migrate
	$(PY) manage.py load_demo

## demo: install, migrate, load demo data, print logins, serve web + worker + scheduler
demo: demo-data
	@# honcho gives each process PORT, from 5000 unless told: the console is on 8000.
	$(BIN)/honcho -f Procfile.demo start --port $${PORT:-8000}

## browser: Debian's Chromium and a CJK font for the Playwright tests (installed when missing)
browser:
	@if ! test -x $(CHROMIUM) || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
		command -v apt-get >/dev/null && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null \
		|| echo "warning: Chromium not installed; browser tests will be skipped"; \
	fi

lint: $(DEV_STAMP)
	$(BIN)/ruff check anju benchmarks
	$(BIN)/ruff format --check anju benchmarks
	$(BIN)/mypy anju
	$(PY) manage.py makemigrations --check --dry-run

## test: the whole suite (lint, type check, migrations check, pytest)
test: $(DEV_STAMP) browser lint
	$(BIN)/pytest

## bench: owner search at 1M owners and the 100k-row import (PostgreSQL, see docs/benchmarks.md)
bench: $(DEV_STAMP)
	$(PY) -m benchmarks.run

## bench-desk: service desk at 5M work orders: API create (wrk), queues, breach sweep
bench-desk: $(DEV_STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(PY) -m benchmarks.desk_run

## messages: refresh the Chinese catalogue and compile it (needs GNU gettext)
messages: $(DEV_STAMP)
	command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext >/dev/null)
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=benchmarks
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
