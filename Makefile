# Two commands do all the set-up on a fresh machine (Python 3.11, pip, apt):
#   make serve   build the site (running every example) and serve it on http://127.0.0.1:8000
#   make test    run ruff and the everyday test suite (installs Debian's chromium for the browser
#                tests); `make test-slow` runs the rest, which CI runs too
# Both create or update .venv from the pins in constraints.txt first.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# One BLAS/OpenMP thread per test worker avoids oversubscription. On two cores the everyday run
# (CPU-bound) is fastest on two workers, the slow tier (mostly browser visits, which wait for
# animations) on three; one browser shard per worker. `make test WORKERS=3` overrides.
# Bytecode caches stay on even where the environment turns them off (PYTHONDONTWRITEBYTECODE):
# otherwise every worker rewrites the tests' asserts again (5 s each), and every build, kernel
# and script the tests start compiles gdnotes again.
TEST_ENV := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONDONTWRITEBYTECODE=
WORKERS ?= 2
SLOW_WORKERS ?= 3

.PHONY: serve build readme-screenshots test test-slow test-all test-fast browser-deps lint bench mutate clean

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; gdnotes needs Python 3.11" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: $(STAMP)
	$(BIN)/mkdocs build --strict

readme-screenshots: $(STAMP) browser-deps
	$(BIN)/python tools/readme_screenshots.py

browser-deps:
	@bash .ci/browser-deps

# The suite's tests marked `slow` repeat, for every page and every example, what the everyday run
# proves on a representative sample (the browser on every page and screen, every download in its
# client, a fresh venv). `make test` skips them; `make test-slow` runs them alone; CI runs both.
PYTEST := $(TEST_ENV) $(BIN)/python -m pytest --dist loadgroup --durations=20

test: $(STAMP) browser-deps
	$(BIN)/ruff check .
	$(PYTEST) -n $(WORKERS) -m "not slow"

test-slow: $(STAMP) browser-deps
	$(PYTEST) -n $(SLOW_WORKERS) -m slow

test-all: $(STAMP) browser-deps  # both sets in one run
	$(BIN)/ruff check .
	$(PYTEST) -n $(SLOW_WORKERS)

test-fast: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest -n 2 --dist loadgroup -m "not browser and not build"

lint: $(STAMP)
	$(BIN)/ruff check .

bench: build browser-deps  # the explorer benchmark times the built site in Chromium
	$(BIN)/python benchmarks/run_all.py

# Mutation testing of the core library (slow: over an hour on two cores; not part of `make test`).
# `make mutate MODULES="runs schedules"` mutates only those modules.
mutate: $(STAMP)
	$(TEST_ENV) $(BIN)/python tests/mutation/mutate.py $(MODULES)

clean:
	rm -rf site build .cache test-artifacts gdnotes_outputs mutants
