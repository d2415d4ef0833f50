# make run: set everything up and serve on SQLite.  make test: set up and run the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app participation
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: run test setup install translations lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

translations: $(STAMP)
	$(FLASK) translate compile

setup: install translations
	$(FLASK) db upgrade
	$(FLASK) history import-2018
	$(FLASK) sample load

# The mail worker runs as a thread beside the development server: nothing else to start.
run: setup
	MAIL_WORKER_THREAD=1 $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install translations
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Fills its own database (BENCH_DATABASE_URL, or instance/bench.sqlite3) at BENCH_SCALE, then
# measures through gunicorn with wrk: see participation/bench/__init__.py for the settings.
bench: install translations
	$(BIN)/python -m participation.bench

clean:
	rm -rf $(VENV) instance .pytest_cache
