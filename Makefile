# Everyday targets. `make lab` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install strip-outputs lab lab-sample test lint bench screenshots sample clean

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip > $(VENV)/install.log 2>&1 \
	  || { cat $(VENV)/install.log; exit 1; }

# pip's output (build warnings meant for packagers) goes to a log, shown only if it fails.
$(STAMP): $(BIN)/python pyproject.toml
	@echo "Installing trustlab and what it needs into $(VENV)/ (a few minutes the first time) ..."
	@$(BIN)/python -m pip install --quiet -e ".[test]" > $(VENV)/install.log 2>&1 \
	  || { cat $(VENV)/install.log; echo "make: installing failed (log: $(VENV)/install.log)"; exit 1; }
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

# Strip notebook outputs and widget state whenever a notebook is staged, so a
# person's own runs never reach a commit by accident.
strip-outputs:
	@if [ -d .git ]; then \
	  git config filter.nbstripout.clean "'$(abspath $(BIN))/python' -m nbstripout --keep-id"; \
	  git config filter.nbstripout.smudge cat; \
	  git config filter.nbstripout.required true; \
	  git config diff.ipynb.textconv "'$(abspath $(BIN))/python' -m nbstripout -t"; \
	fi

install: $(STAMP) strip-outputs

lab: install
	@$(BIN)/trustlab lab

lab-sample: install
	@$(BIN)/trustlab lab --sample

test: install
	$(BIN)/ruff check trustlab tests benchmarks
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check trustlab tests benchmarks
	$(BIN)/ruff format --check trustlab tests benchmarks

bench: install
	$(BIN)/python -m benchmarks

# The README's screenshots, from a real `trustlab lab --sample` session in Chromium.
screenshots: install
	$(BIN)/python docs/screenshots.py

sample: install
	$(BIN)/python -m trustlab.sample data/sample

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis benchmarks/data
