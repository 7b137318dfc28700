# Everyday commands. `make run` and `make test` work on a fresh machine.
PYTHON ?= $(shell scripts/find-python)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint format bench bench-quick migrations-check clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## run: install, migrate, load demo content, print an admin login, start the dev server
## and a background worker beside it (mail, renditions), both stopped by Ctrl-C
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@$(BIN)/python manage.py db_worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## test: install and run the whole suite (browser tests included)
test: $(STAMP)
	./scripts/install-browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: $(STAMP)
	$(BIN)/python bench/run.py

## bench-quick: the same harness on 2,000 articles, 3 s per URL (a smoke run)
bench-quick: $(STAMP)
	$(BIN)/python bench/run.py --count 2000 --duration 3

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
