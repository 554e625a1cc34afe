# The whole developer interface. `make run` and `make test` are the README contract.
.PHONY: run test lint bench clean

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin

$(VENV)/.core: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.test: $(VENV)/.core
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

run: $(VENV)/.core
	$(BIN)/tocsin run src/tocsin/data/demo --db tocsin.db

test: lint
	$(BIN)/pytest -n 2

lint: $(VENV)/.test
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

bench: $(VENV)/.test
	$(BIN)/python bench/speed.py && $(BIN)/python bench/accuracy.py

clean:
	rm -rf $(VENV) tocsin.db tocsin.db-wal tocsin.db-shm
