# Everyday commands. `make run` and `make test` work on a fresh machine.
PYTHON ?= $(shell scripts/find-python)
VENV := .venv
BIN := $(VENV)/bin
# What the site needs to run (the project's dependencies), and what developing it needs
# besides (the "dev" extra: pytest, Playwright, ruff, …): `make run` installs only the
# first, `make test` and `make install` both.
SITE_STAMP := $(VENV)/.installed-site
DEV_STAMP := $(VENV)/.installed-dev
# Where `make run` serves; absolute links in e-mails, vCards and media kits point here.
RUN_ADDRESS := 127.0.0.1:8000
SITE_URL ?= http://$(RUN_ADDRESS)
# The demo newsroom publishes in four languages (the first is the default, at unprefixed
# addresses); `make run LANGUAGES=en` for an English-only one.
LANGUAGES ?= en,es,fr,ar

.PHONY: run test install lint format bench bench-quick migrations-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(SITE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(SITE_STAMP)

install: $(DEV_STAMP)

## run: install the site, migrate, load demo content, print the demo logins, start the dev
## server and a background worker beside it (tasks and the outbox's mail), both stopped by Ctrl-C
run: $(SITE_STAMP)
	LANGUAGES=$(LANGUAGES) $(BIN)/python manage.py migrate --noinput
	SITE_URL=$(SITE_URL) LANGUAGES=$(LANGUAGES) $(BIN)/python manage.py seed_demo
	@SITE_URL=$(SITE_URL) LANGUAGES=$(LANGUAGES) $(BIN)/python manage.py worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	SITE_URL=$(SITE_URL) LANGUAGES=$(LANGUAGES) $(BIN)/python manage.py runserver $(RUN_ADDRESS)

## test: install with the dev extra and run the whole suite (browser tests included)
test: $(DEV_STAMP)
	./scripts/install-browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(DEV_STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: $(DEV_STAMP)
	$(BIN)/python bench/run.py

## bench-quick: the same harness on 2,000 articles, 3 s per URL (a smoke run)
bench-quick: $(DEV_STAMP)
	$(BIN)/python bench/run.py --count 2000 --duration 3

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
