# Two commands on a fresh machine: `make run` and `make test`. Everything they need is
# installed here, into .venv (Python) or with apt-get (Debian tools for benchmarks).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install run test test-sqlite test-postgres lint bench fuzz clean

VENDOR := src/eziox/web/static/vendor
UPLOT := 1.6.32
SWAGGER_UI := 5.35.0

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

# Front-end assets (the chart library, Swagger UI) come from the npm registry at install
# time and are served from our own /static: never a CDN.
$(VENDOR)/.installed-$(UPLOT)-$(SWAGGER_UI):
	@command -v npm >/dev/null || (apt-get update && apt-get install -y nodejs npm)
	npm install --silent --no-audit --no-fund --no-save --prefix .build/npm \
		uplot@$(UPLOT) swagger-ui-dist@$(SWAGGER_UI)
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/swagger-ui
	cp .build/npm/node_modules/uplot/dist/uPlot.iife.min.js .build/npm/node_modules/uplot/dist/uPlot.min.css $(VENDOR)/
	cd .build/npm/node_modules/swagger-ui-dist && cp swagger-ui-bundle.js swagger-ui.css LICENSE $(CURDIR)/$(VENDOR)/swagger-ui/
	@touch $@

# The browser tests (tests/browser) drive Debian's Chromium: never a browser Playwright downloads.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	apt-get update && apt-get install -y chromium

install: $(STAMP) $(VENDOR)/.installed-$(UPLOT)-$(SWAGGER_UI) $(CHROMIUM)

run: install
	$(BIN)/eziox serve --demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# The whole suite, on the embedded SQLite default and again on PostgreSQL + Redis.
test: lint test-sqlite test-postgres

test-sqlite: install
	$(BIN)/pytest -q

test-postgres: install
	EZIOX_TEST_BACKEND=postgres $(BIN)/pytest -q

bench: install
	@command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	cd bench && ../$(BIN)/python run.py

# Schemathesis with many more examples than `make test` uses (all checks and phases, live
# server; a full-permission key, then keys lacking each permission; at least 2,000 cases) and
# the hypothesis property tests with more examples.
fuzz: install
	EZIOX_FUZZ_EXAMPLES=300 EZIOX_PROPERTY_EXAMPLES=300 $(BIN)/pytest -q -s \
		tests/process/test_openapi_conformance.py tests/property

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
