# Everyday targets. `make lab` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: lab test lint bench sample clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

lab: install
	$(BIN)/trustlab lab

test: install
	$(BIN)/ruff check trustlab tests benchmarks
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check trustlab tests benchmarks
	$(BIN)/ruff format --check trustlab tests benchmarks

bench: install
	$(BIN)/python -m benchmarks

sample: install
	$(BIN)/python -m trustlab.sample data/sample

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis benchmarks/data
