# The two commands of the README:
#   make analysis   set up .venv, install trends, run the full Idlib 2019 analysis into out/
#   make test       set up .venv with the test extras, run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: analysis test lint format bench clean browser

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "trends needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

analysis: $(VENV)/.installed
	$(BIN)/trends report --out $(OUT)

test: $(VENV)/.installed-test browser
	$(BIN)/python -m ruff check trends tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2 -q

# The HTML report is checked in headless Chromium (tests/test_report_html.py). Debian's package is
# installed when it is missing and we may (root, apt available); otherwise that test skips, saying why.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
	  echo "chromium could not be installed: the headless-browser test will skip"


lint: $(VENV)/.installed-test
	$(BIN)/python -m ruff check trends tests benchmarks
	$(BIN)/python -m ruff format --check trends tests benchmarks

format: $(VENV)/.installed-test
	$(BIN)/python -m ruff format trends tests benchmarks
	$(BIN)/python -m ruff check --fix trends tests benchmarks

bench: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache .hypothesis
