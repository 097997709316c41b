# Tuoguan — the two commands are `make run` and `make test` (see README).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: install run test lint typecheck check-deploy test-sqlite test-postgres test-browser bench bench-enrol bench-checkin bench-liveview messages

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## make run: install, migrate SQLite under var/, seed the demo, serve on 127.0.0.1:8000 with a task
## worker and the housekeeping clock (offer expiry, purges; see `manage.py housekeeping --help`).
run: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo
	@# Stop the worker and the clock with the server. Not `kill 0`: its TERM re-entered this
	@# trap until bash crashed, and it killed make too (Ctrl-C ended in "Segmentation fault").
	@trap 'trap - EXIT INT TERM HUP; kill $$(jobs -p) 2>/dev/null' EXIT INT TERM HUP; \
	  $(PY) manage.py db_worker --interval 1 >var/worker.log 2>&1 & \
	  $(PY) manage.py housekeeping --loop >var/housekeeping.log 2>&1 & \
	  $(PY) manage.py runserver 127.0.0.1:8000

## make test: lint, types, migrations, deploy check, suite on SQLite and PostgreSQL, browser tests.
test: install lint typecheck check-deploy
	$(PY) manage.py makemigrations --check --dry-run
	bin/test-suite

lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/djlint templates tuoguan --lint
	$(VENV)/bin/lint-imports --no-logo

typecheck: install
	$(VENV)/bin/mypy tuoguan config

check-deploy: install
	DJANGO_DEBUG=False DJANGO_SECRET_KEY="check-deploy-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=')" \
	  TUOGUAN_FIELD_KEY="$$(head -c 32 /dev/urandom | base64)" DATABASE_URL=sqlite:///var/check.sqlite3 \
	  $(PY) manage.py check --deploy --fail-level WARNING

test-sqlite: install
	bin/test-suite sqlite

test-postgres: install
	bin/test-suite postgres

test-browser: install
	bin/test-suite browser

bench: install
	$(MAKE) -C bench all

bench-enrol: install
	$(MAKE) -C bench enrol

bench-checkin: install
	$(MAKE) -C bench checkin

bench-liveview: install
	$(MAKE) -C bench liveview

## make messages: refresh the zh-hans catalogues from the English msgids, then compile them.
## Root locale/ holds templates/ and config/; each app with a locale/ dir gets its own catalogue
## (an app without one is skipped, so its strings never leak into the root catalogue).
## Compiled with polib (bin/compile-messages): CI has no msgfmt, so the .mo files are committed.
MAKEMESSAGES := makemessages -l zh_Hans --no-wrap --add-location=file --no-obsolete
messages: install
	$(PY) manage.py $(MAKEMESSAGES) --ignore=tuoguan --ignore=tests --ignore=bench --ignore=static \
	  --ignore=var --ignore=.venv
	for app in tuoguan/*/locale; do \
	  (cd "$${app%/locale}" && ../../$(PY) ../../manage.py $(MAKEMESSAGES) --ignore=tests \
	    --ignore=migrations) || exit 1; \
	done
	$(PY) bin/compile-messages
