# Two commands do all the set-up on a fresh machine:
#   make demo   runs the end-to-end demo and writes the report
#   make test   runs ruff (lint + format check) and the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= runs/demo

.PHONY: demo test lint browser clean lock

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

# Debian's chromium drives the end-to-end browser tests; those tests skip with a reason without it.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "chromium not installed: browser tests will be skipped"; fi; }

demo: $(STAMP)
	$(BIN)/jaxscratch demo --out $(OUT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# two workers: most tests are bound by single-threaded compilation, so two cores run them in parallel
test: $(STAMP) browser lint
	$(BIN)/python -m pytest -n 2

lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^jaxscratch' > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
