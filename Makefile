# Two commands do all set-up from nothing: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test perf venv browser services clean

venv: $(STAMP)

$(STAMP): setup.py constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

# Headless Chromium for the dashboard screenshots (Debian packages; needs root or sudo).
browser:
	@bash scripts/ensure-chromium

# PostgreSQL and Redis on 127.0.0.1 for the tests; started if they are installed but down.
services:
	@bash scripts/ensure-services

test: $(STAMP) browser services
	$(BIN)/pytest

# The performance harness (issue 10): national-scale figures against same-run floors,
# written to perf/RESULTS.md. Takes about 12 minutes on 2 cores.
perf: $(STAMP) services
	$(BIN)/python -m perf

demo: $(STAMP)
	$(BIN)/socialbench superset demo --home .demo

clean:
	rm -rf $(VENV) .demo build *.egg-info
