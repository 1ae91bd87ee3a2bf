# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
NETWORK ?= datasets/corridor.geojson

.PHONY: demo test install install-test system bench clean

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip > /dev/null 2>&1 || $(BIN)/python -m pip install --upgrade pip

# Installs are editable and remembered by a stamp, so code changes need no reinstall and a
# second `make demo` starts at once; pip's and setuptools' chatter goes to a log, shown
# only when the install fails.
install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	@$(BIN)/python -m pip install --quiet -e . > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	@$(BIN)/python -m pip install --quiet -e '.[test]' > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@touch $@ $(VENV)/.installed

# System programs the tests run (tests/system-packages.txt: Chromium for the browser tests,
# GDAL's ogrinfo for the export tests), installed with apt when missing. Playwright drives
# Debian's Chromium; `playwright install` is never run.
system:
	@missing=$$(awk '!/^#/ && NF {print $$1, $$2}' tests/system-packages.txt | \
	  while read -r prog pkg; do command -v "$$prog" >/dev/null 2>&1 || echo "$$pkg"; done | sort -u); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing $$missing (apt)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing system packages for the tests: run 'sudo apt-get install -y" $$missing"'" >&2; exit 1; \
	  fi; \
	fi

demo: install
	$(BIN)/supplynet validate $(NETWORK)
	$(BIN)/supplynet info $(NETWORK)
	$(BIN)/supplynet report $(NETWORK)
	$(BIN)/supplynet plan $(NETWORK) --budget 3 --method all
	$(BIN)/supplynet whatif $(NETWORK) --scenario datasets/corridor-scenarios.yaml
	$(BIN)/supplynet map $(NETWORK) -o maps/demo-$(basename $(notdir $(NETWORK))).html --overwrite

test: install-test system
	$(BIN)/python -m pytest

# Minutes, not seconds: each script writes the Markdown its docs/benchmarks*.md records.
bench: install-test
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/bench_kernels.py
	$(BIN)/python benchmarks/bench_scale.py
	$(BIN)/python benchmarks/bench_maps.py
	$(BIN)/python benchmarks/bench_plan.py
	$(BIN)/python benchmarks/bench_whatif.py
	$(BIN)/python benchmarks/bench_uncertainty.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
