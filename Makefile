# The two commands: `make run` and `make test`. Everything else is a step they take.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint format migrate system-check clean

$(BIN)/python:
	@$(PYTHON) scripts/check_system.py python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(DEV_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP) $@

run: $(STAMP)
	@$(BIN)/python scripts/check_system.py run
	DEBUG=$${DEBUG:-1} PORT=$(PORT) $(BIN)/python scripts/run.py

test: $(DEV_STAMP)
	@$(BIN)/python scripts/check_system.py test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var/static
