# The two set-up commands of the README: `make run` (install, then run the app on the demo data) and
# `make test` (install, then run every check). Both work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8501
# The app listens on this machine only. `make run HOST=0.0.0.0` exposes it to the network: change the demo
# passwords (or remove the demo accounts) first — see the README's "Who may do what".
HOST ?= 127.0.0.1
# Benchmark stores live outside the checkout (they are large and leave -wal/-shm files while open).
BENCH_DIR ?= $(or $(TMPDIR),/tmp)/cross-pilot-lessons-bench
BIN = $(VENV)/bin

.PHONY: run test lint chromium bench clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

run: $(VENV)/.installed
	$(BIN)/python -m components.serve --server.address $(HOST) --server.port $(PORT) --server.headless true \
		--browser.gatherUsageStats false

# Browser tests use Debian's Chromium; Playwright never downloads a browser of its own.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# The tests run on every core (pytest-xdist, at most 4 workers), a test file per worker at a time: a file's tests share
# its module fixtures (servers, stores) and run in their order.
test: $(VENV)/.installed chromium lint
	$(BIN)/python -m pytest -n auto --maxprocesses 4 --dist loadfile

# Figures for the issues' notes: synthetic stores at scale 1 and 10, then the benchmark table.
bench: $(VENV)/.installed
	@mkdir -p $(BENCH_DIR)
	@echo "==> 1/4 building the scale-1 store in $(BENCH_DIR) (about a minute)"
	$(BIN)/python -m lessons synth --scale 1 --db $(BENCH_DIR)/bench-1.db --replace
	@echo "==> 2/4 benchmark at scale 1, beside Datasette, sqlite-utils and red-dwarf (several minutes; each part is announced)"
	BENCH_DIR=$(BENCH_DIR) $(BIN)/python -m lessons bench --db $(BENCH_DIR)/bench-1.db --cold-start --browser --imports --exports --anchors
	@echo "==> 3/4 building the scale-10 store (about ten minutes)"
	$(BIN)/python -m lessons synth --scale 10 --db $(BENCH_DIR)/bench-10.db --replace
	@echo "==> 4/4 benchmark at scale 10"
	$(BIN)/python -m lessons bench --db $(BENCH_DIR)/bench-10.db

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache bench-*.db* $(BENCH_DIR)
