# rehab: `make run` serves the portal, `make test` runs every test.
# Both create .venv and install into it the first time, and only when setup.cfg changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app rehab
HOST ?= 127.0.0.1
PORT ?= 5000
TEST_DATABASE_URL ?= postgresql://root@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: run test check bench pg-test install db clean mutate axe

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The stamp makes the install a no-op until setup.cfg or pyproject.toml change.
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Migrate the database (the SQLite file in instance/ unless DATABASE_URL is set),
# load exercises/ and make the demo users.
db: install
	$(FLASK) db upgrade
	$(FLASK) library load
	$(FLASK) demo

run: db
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

pg-test: install
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

check: install
	$(FLASK) library check

bench: install
	@set -e; for script in bench/*.py; do \
		[ -e "$$script" ] || { echo "no benchmarks in bench/"; break; }; \
		echo "== $$script"; $(BIN)/python "$$script"; \
	done

# Mutation testing of the planner's safety rules (triage, exclusions, phase choice) with
# the planner tests; slow (tens of minutes on 2 cores), so not part of `make test` or CI.
mutate: install
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2 || true
	$(BIN)/mutmut results

# axe-core for the browser tests (committed; MPL-2.0): refresh from npm at the pinned version.
AXE_VERSION := 4.10.2
axe:
	rm -rf .axe-npm && mkdir .axe-npm
	cd .axe-npm && npm install --no-audit --no-fund --silent axe-core@$(AXE_VERSION)
	cp .axe-npm/node_modules/axe-core/axe.min.js .axe-npm/node_modules/axe-core/LICENSE tests/browser/vendor/
	rm -rf .axe-npm

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis mutants
