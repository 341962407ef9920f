# Two commands do everything: `make run` starts the archive, `make test` passes the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test check install charts-library services services-stop lint types contracts format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,multilingual]"
	# The speaker encoder's weights only: the archive runs them with numpy, no torch.
	$(BIN)/pip install --quiet --no-deps resemblyzer==0.1.4
	touch $(STAMP)

# The chart library (Vega, Vega-Lite, vega-embed: served as static files by
# archive/vendor_static.py) and axe-core, injected into headless Chromium by the tests.
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# `make run` draws the research charts where npm is installed; without it they show as tables.
charts-library:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory node_modules/.package-lock.json; \
	else echo "npm not found: the research charts will show as tables only"; fi

install: $(STAMP)

## Start the archive on the embedded defaults (SQLite, local media, database queue and search).
run: install charts-library
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python scripts/run_archive.py --host $(HOST) --port $(PORT)

## Serve with gunicorn as in production (settings from the environment; README "At scale").
serve: install
	PYTHON=$(BIN)/python HOST=$(HOST) PORT=$(PORT) scripts/serve.sh

## Install what is missing, start PostgreSQL and Elasticsearch, run the whole suite.
test: install node_modules/.package-lock.json services lint types contracts
	DATABASE_URL=$$(scripts/postgres.sh url) ELASTICSEARCH_URL=$$(scripts/elasticsearch.sh url) \
		$(BIN)/pytest $(PYTEST_ARGS)

services:
	scripts/system-deps.sh
	scripts/postgres.sh start
	scripts/elasticsearch.sh start

services-stop:
	-scripts/elasticsearch.sh stop
	-scripts/postgres.sh stop

## The quick loop, no services needed: lint, types, the import contracts and the fast tests.
check: install lint types contracts
	DATABASE_URL=sqlite:///:memory: SEARCH_BACKEND=database ELASTICSEARCH_URL= \
		$(BIN)/pytest -q -n 2 -m "not browser and not whisper and not elasticsearch and not postgres and not slow" \
		$(PYTEST_ARGS)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types:
	$(BIN)/mypy

contracts:
	$(BIN)/lint-imports

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules .cache/test-media static
