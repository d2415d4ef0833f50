# make run: set everything up and serve on SQLite.  make test: set up and run the whole suite.
# make serve: production (PARTICIPATION_ENV=production and its settings, see the README):
# migrations, the 2018 history, then gunicorn and the mail worker (Procfile, run by honcho).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app participation
PORT ?= 5000
SERVE_PORT ?= 8000
STAMP := $(VENV)/.installed
# The Nu HTML Checker (the W3C's) that tests/test_valid_html.py runs on the machine's Java.
VNU_VERSION := 26.9.27
VNU_JAR := $(VENV)/vnu/node_modules/vnu-jar/build/dist/vnu.jar
# The suite runs on every core (pytest-xdist); PYTEST_ARGS= runs it in one process.
PYTEST_ARGS ?= -n auto --dist loadgroup

.PHONY: run serve test setup install translations lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(VNU_JAR): | $(STAMP)
	npm install --silent --prefix $(VENV)/vnu --no-audit --no-fund --ignore-scripts vnu-jar@$(VNU_VERSION)

translations: $(STAMP)
	$(FLASK) translate compile

setup: install translations
	$(FLASK) db upgrade
	$(FLASK) history import-2018
	$(FLASK) sample load

# The mail worker runs as a thread beside the development server: nothing else to start.
run: setup
	MAIL_WORKER_THREAD=1 $(FLASK) run --host 127.0.0.1 --port $(PORT)

serve: install translations
	PARTICIPATION_ENV=production $(FLASK) db upgrade
	PARTICIPATION_ENV=production $(FLASK) history import-2018
	PARTICIPATION_ENV=production exec $(BIN)/honcho start --no-prefix --no-colour --port $(SERVE_PORT)

test: install translations $(VNU_JAR)
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
