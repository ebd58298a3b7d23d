# The two set-up commands of the README: `make run` (install, then run the app on the demo data) and
# `make test` (install, then run every check). Both work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8501
BIN = $(VENV)/bin

.PHONY: run test lint chromium bench clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

run: $(VENV)/.installed
	$(BIN)/python -m components.serve --server.port $(PORT) --browser.gatherUsageStats false

# Browser tests use Debian's Chromium; Playwright never downloads a browser of its own.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(VENV)/.installed chromium lint
	$(BIN)/python -m pytest

# Figures for the issues' notes: synthetic stores at scale 1 and 10, then the benchmark table.
bench: $(VENV)/.installed
	$(BIN)/python -m lessons synth --scale 1 --db bench-1.db --replace
	$(BIN)/python -m lessons bench --db bench-1.db --cold-start --imports --exports
	$(BIN)/python -m lessons synth --scale 10 --db bench-10.db --replace
	$(BIN)/python -m lessons bench --db bench-10.db

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache bench-*.db*
