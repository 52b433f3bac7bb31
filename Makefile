# Apologismos — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The PostgreSQL server the suite runs on (it creates and drops a database of its own there).
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-sqlite test-postgres lint client format clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(STAMP)

## Serve the API on the embedded SQLite database with the demo municipality.
run: $(STAMP)
	$(BIN)/apologismos db upgrade
	$(BIN)/apologismos seed-demo
	$(BIN)/apologismos serve --host $(HOST) --port $(PORT)

## Lint, type-check, then the whole suite on SQLite and on PostgreSQL.
test: lint client test-sqlite test-postgres

lint: $(STAMP)
	$(BIN)/ruff check app tests migrations bench
	$(BIN)/ruff format --check app tests bench
	$(BIN)/mypy app

## The TypeScript client, generated from clients/openapi.json, must type-check.
client:
	cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error && npm run --silent check

test-sqlite: $(STAMP)
	$(BIN)/pytest

test-postgres: $(STAMP)
	APOLOGISMOS_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest

## The benchmark: our time against a floor measured in the same run (see docs/performance.md).
## The HTTP case drives the server with wrk when it is there (installed here if apt-get can);
## without it, with a slower load generator in Python.
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || \
		{ apt-get install -y -qq wrk >/dev/null 2>&1 || sudo -n apt-get install -y -qq wrk >/dev/null 2>&1; } || \
		echo "wrk could not be installed: the HTTP case uses the Python load generator"
	APOLOGISMOS_BENCH_PG_URL=$(PG_TEST_URL) $(BIN)/python -m bench.run

format: $(STAMP)
	$(BIN)/ruff check --fix app tests migrations bench
	$(BIN)/ruff format app tests bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
