# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
NETWORK ?= datasets/corridor.geojson

.PHONY: demo test install install-test browser bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'

# Debian's Chromium for the browser tests; Playwright drives it (never `playwright install`).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing: run 'sudo apt-get install -y chromium' (the browser tests need it)" >&2; exit 1; \
	  fi; \
	fi

demo: install
	$(BIN)/supplynet validate $(NETWORK)
	$(BIN)/supplynet info $(NETWORK)
	$(BIN)/supplynet report $(NETWORK)
	$(BIN)/supplynet plan $(NETWORK) --budget 3 --method all
	$(BIN)/supplynet whatif $(NETWORK) --scenario datasets/corridor-scenarios.yaml
	$(BIN)/supplynet map $(NETWORK) -o maps/$(basename $(notdir $(NETWORK))).html --overwrite

test: install-test browser
	$(BIN)/python -m pytest

# Minutes, not seconds: each script writes the Markdown its docs/benchmarks*.md records.
bench: install-test
	$(BIN)/python benchmarks/bench_kernels.py
	$(BIN)/python benchmarks/bench_maps.py
	$(BIN)/python benchmarks/bench_plan.py
	$(BIN)/python benchmarks/bench_whatif.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
