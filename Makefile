# The whole developer interface. `make run` and `make test` are the README contract.
.PHONY: run test lint bench clean postgres browser train

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

test: lint postgres browser
	$(BIN)/pytest -n 2

# The store's tests start a throwaway PostgreSQL server; install it when it is missing (CI runs as root).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	  || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } \
	  || echo "PostgreSQL is not installed: its tests will be skipped (as root: apt-get install postgresql)"

# The dashboard's end-to-end tests drive Debian's Chromium (Playwright never downloads a browser here).
browser:
	@test -x /usr/bin/chromium \
	  || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || echo "Chromium is not installed: the browser tests will be skipped (as root: apt-get install chromium)"

lint: $(VENV)/.test
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

bench: $(VENV)/.test
	$(BIN)/python bench/speed.py && $(BIN)/python bench/accuracy.py && $(BIN)/python bench/actors.py \
	  && $(BIN)/python bench/scale.py

# The learned coder's artefacts (src/tocsin/data/model/), rebuilt from seed 13. Its own venv, so
# torch (754 MB) never enters the dev venv; torch==2.13.0 goes first, alone: that exact version is
# the CPU build on this machine's disk, and anything looser pulls a CUDA build of several GB.
TRAIN := .venv-train

$(TRAIN)/.train: pyproject.toml
	$(PYTHON) -m venv $(TRAIN)
	$(TRAIN)/bin/pip install --quiet --disable-pip-version-check torch==2.13.0
	$(TRAIN)/bin/pip install --quiet --disable-pip-version-check -e '.[train]'
	touch $@

train: $(TRAIN)/.train
	HF_HUB_OFFLINE=1 $(TRAIN)/bin/python bench/train.py --seed 13

clean:
	rm -rf $(VENV) tocsin.db tocsin.db-wal tocsin.db-shm
