# Two commands do everything: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run harvest test test-sqlite test-postgres postgres browser-deps bench-deps screenshots lint sample-data clean

# The virtual environment, rebuilt whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

harvest: install
	$(BIN)/odp harvest sample_data
	$(BIN)/odp contests create soda-2015 --organizer soda-organizer@example.org \
		--from-json sample_data/contests/soda-2015.json --exists-ok
	$(BIN)/odp summary

# Harvest the sample data, then serve the portal at http://$(HOST):$(PORT) (Ctrl-C to stop).
run: harvest
	$(BIN)/odp serve --host $(HOST) --port $(PORT)

# Each pass runs on TEST_WORKERS processes (pytest-xdist); a test file stays on one worker, so its module fixtures
# are built once. TEST_WORKERS=0 runs a pass in this one process. See docs/architecture.md#running-the-tests.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

test: test-sqlite test-postgres

test-sqlite: install browser-deps
	$(PYTEST)

# The tests that touch the catalog database again, on PostgreSQL (a throw-away database per worker, created from
# $(PG_TEST_URL)); tests/conftest.py deselects the others, which test-sqlite has run already.
test-postgres: install browser-deps postgres
	ODP_TEST_DATABASE_URL=$(PG_TEST_URL) $(PYTEST)

# Make sure the machine's PostgreSQL answers; start the local cluster if it is installed but stopped.
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
		echo "PostgreSQL is not answering on 127.0.0.1:5432; trying to start it"; \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n1) main start && sleep 2; \
		pg_isready -h 127.0.0.1 -p 5432; }

# The browser tests drive Debian's Chromium with the Noto CJK fonts (never a downloaded browser). Installed only
# when missing; apt-get needs root, so sudo is used when not root.
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# axe-core, which the accessibility tests inject into pages: the version pinned in tests/browser/package-lock.json.
AXE := tests/browser/node_modules/axe-core/axe.min.js

browser-deps:
	@if [ -x $(CHROMIUM) ] && [ -e $(CJK_FONT) ]; then :; else \
		echo "installing chromium and fonts-noto-cjk (Debian packages) for the browser tests"; \
		$(SUDO) apt-get update && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends chromium fonts-noto-cjk; \
	fi
	@test -e $(AXE) || npm ci --prefix tests/browser --no-audit --no-fund

# The load benchmark (benchmarks/load.py) drives the server with wrk (a Debian package), installed only when missing.
WRK := /usr/bin/wrk

bench-deps:
	@if [ -x $(WRK) ]; then :; else \
		echo "installing wrk (Debian package) for benchmarks/load.py"; \
		$(SUDO) apt-get update && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends wrk; \
	fi

# Re-capture docs/screenshots/*.png from a real browser: home, search, dataset (desktop and phone), and the
# application flow's apply, review and account pages, and the contest journey's pages (desktop, taken by the
# flows' browser tests).
screenshots: install browser-deps
	ODP_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/portal/web/test_browser.py \
		tests/portal/web/test_access_flow_browser.py tests/portal/web/test_contest_browser.py -k screenshots

lint: install
	$(BIN)/ruff check catalog harvesters portal tests benchmarks sample_data

# Regenerate sample_data/ in place (deterministic: git status stays clean unless the generator changed).
sample-data: install
	$(BIN)/python -m sample_data.generator

clean:
	rm -rf var .pytest_cache
