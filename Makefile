# The two commands: `make run` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench setup messages db clean worker

run: setup
	$(BIN)/ansinh db upgrade
	$(BIN)/ansinh places load
	$(BIN)/ansinh demo --if-empty
	$(BIN)/ansinh serve

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

worker: setup
	$(BIN)/ansinh worker

setup: $(STAMP) messages

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "ansinh needs Python 3.11 or newer; set PYTHON=python3.11"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

messages: $(STAMP)
	$(BIN)/python -m messages.catalog compile

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
