# Two commands on a fresh machine: `make run` and `make test`. Everything they need is
# installed here, into .venv (Python) or with apt-get (Debian tools for tests and benchmarks).
# Running needs only the package: its front-end assets are committed (see `make vendor`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# One stamp per set of packages, named after pyproject.toml's checksum: an edit reinstalls.
CHECKSUM := $(shell cksum < pyproject.toml | cut -d' ' -f1)
RUN_STAMP := $(VENV)/.installed-run-$(CHECKSUM)
DEV_STAMP := $(VENV)/.installed-dev-$(CHECKSUM)

.PHONY: install install-run run test test-sqlite test-postgres lint bench fuzz vendor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# What running needs: the package and its dependencies, nothing else.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@rm -f $(VENV)/.installed-run-*
	@touch $@

# The development tools on top (pytest, ruff, mypy, schemathesis, playwright): the dev extra.
$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-run-* $(VENV)/.installed-dev-*
	@touch $@ $(RUN_STAMP)

# The browser tests (tests/browser) drive Debian's Chromium: never a browser Playwright downloads.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	apt-get update && apt-get install -y chromium

# The reverse-proxy test (tests/process/test_reverse_proxy.py) runs Debian's Caddy, started by
# the test itself: the service the package enables is stopped (where systemd runs one).
CADDY := /usr/bin/caddy
$(CADDY):
	apt-get update && apt-get install -y caddy
	if [ -d /run/systemd/system ]; then systemctl disable --now caddy.service; fi

install-run: $(RUN_STAMP)

# Everything `make test` needs.
install: $(DEV_STAMP) $(CHROMIUM) $(CADDY)

run: install-run
	$(BIN)/eziox serve --demo

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# The whole suite, on the embedded SQLite default and again on PostgreSQL + Redis.
test: lint test-sqlite test-postgres

test-sqlite: install
	$(BIN)/pytest -q

test-postgres: install
	EZIOX_TEST_BACKEND=postgres $(BIN)/pytest -q

bench: install-run
	@command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	cd bench && ../$(BIN)/python run.py

# Schemathesis with many more examples than `make test` uses (all checks and phases, live
# server; a full-permission key, then keys lacking each permission; at least 2,000 cases) and
# the hypothesis property tests with more examples.
fuzz: install
	EZIOX_FUZZ_EXAMPLES=300 EZIOX_PROPERTY_EXAMPLES=300 $(BIN)/pytest -q -s \
		tests/process/test_openapi_conformance.py tests/property

# For maintainers only: refresh the committed front-end assets (served from our own /static,
# never a CDN) from the npm registry at the pinned versions, with their licences. Bump a
# version here and in $(VENDOR)/README.md (tests/web/test_static.py checks they agree),
# run `make vendor`, review and commit the result.
VENDOR := src/eziox/web/static/vendor
UPLOT := 1.6.32
SWAGGER_UI := 5.35.0
NPM_ROOT := .build/npm/node_modules

vendor:
	@command -v npm >/dev/null || (apt-get update && apt-get install -y nodejs npm)
	rm -rf .build/npm
	npm install --silent --no-audit --no-fund --no-save --prefix .build/npm \
		uplot@$(UPLOT) swagger-ui-dist@$(SWAGGER_UI)
	rm -rf $(VENDOR)/uplot $(VENDOR)/swagger-ui
	mkdir -p $(VENDOR)/uplot $(VENDOR)/swagger-ui
	cp $(NPM_ROOT)/uplot/dist/uPlot.iife.min.js $(NPM_ROOT)/uplot/dist/uPlot.min.css \
		$(NPM_ROOT)/uplot/LICENSE $(VENDOR)/uplot/
	cd $(NPM_ROOT)/swagger-ui-dist && cp swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt \
		swagger-ui.css LICENSE NOTICE $(CURDIR)/$(VENDOR)/swagger-ui/

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .build build dist
