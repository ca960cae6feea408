# Set-up and checks. `make demo` and `make test` work on a fresh machine:
# they create .venv (Python 3.11) and .venv313 (Python 3.13) and install what they need.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Python 3.13 cannot import durable_rules: there the suite runs on the python backend.
# The first python3.13 that really runs (a pyenv shim may exist and still fail).
ifeq ($(origin PY313), undefined)
PY313 := $(firstword $(foreach candidate,python3.13 \
	$(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) \
	/root/.pyenv/versions/3.13.0/bin/python3.13,\
	$(shell $(candidate) -c 'import sys; sys.version_info[:2] == (3, 13) and print(sys.executable)' 2>/dev/null)))
endif
VENV313 ?= .venv313
STAMP313 := $(VENV313)/.installed

.PHONY: demo test lint typecheck unit unit313 docs fuzz bench soak known-templates clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(STAMP313): pyproject.toml
	@test -n "$(PY313)" || { echo "Python 3.13 not found: make PY313=/path/to/python3.13"; exit 1; }
	$(PY313) -m venv $(VENV313)
	$(VENV313)/bin/python -m pip install --quiet --upgrade pip
	$(VENV313)/bin/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP313)

demo: $(STAMP)
	$(BIN)/outreach-rules advise examples/situation.yaml --today 2026-03-02

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

# The whole suite again on Python 3.13 (durable tests skip: durable_rules cannot load there).
unit313: $(STAMP313)
	$(VENV313)/bin/pytest -p no:cacheprovider

test: lint typecheck docs unit unit313

# The documentation site (mkdocs.yml); strict: any warning fails the build.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -d site

# The fuzz tests with the "fuzz" Hypothesis profile: over 100,000 examples, about an hour.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests/test_fuzz.py

# Benchmarks (see docs/performance.md): a few minutes; `bench.py --quick` takes under one.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

# RSS over 1,000,000 evaluations (durable backend, no trace): about 15 minutes.
soak: $(STAMP)
	$(BIN)/python benchmarks/bench.py --soak

# After a change to the bundled pack, its translations or the template check: the list of
# their templates known to pass, which spares the first load of a process from parsing them
# (tests/test_known_templates.py fails while it is out of date).
known-templates: $(STAMP)
	$(BIN)/python -c 'from outreach_rules._known_templates import write; write()'

clean:
	rm -rf $(VENV) $(VENV313) site build dist .pytest_cache .mypy_cache .ruff_cache
