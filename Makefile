# Two commands: `make run` serves the site, `make test` runs every test.
# Both create .venv and install what they need on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export PORT

.PHONY: run test install serve image bench vendor check sync clean

$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# htmx comes from the npm registry, pinned with its integrity hash in package-lock.json.
static/vendor/htmx.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

vendor: static/vendor/htmx.min.js

# Sync first (on every core, with a progress bar); broken content still serves the last good
# index with the problems in a banner, so a refused sync does not stop the server.
run: $(VENV)/.runtime vendor
	-PORTFOLIO_ENV=development $(BIN)/flask --app portfolio content sync
	PORTFOLIO_ENV=development $(BIN)/flask --app portfolio run --debug --host 127.0.0.1 --port $(PORT)

# A release's install step (it needs PyPI and npm): the pinned packages and htmx.
install: $(VENV)/.runtime vendor

# The production server: gunicorn on 127.0.0.1:$(PORT), one worker per core (gunicorn.conf.py).
# It installs nothing and needs neither Node nor the network: `make install` (or the image) does that.
serve:
	@test -x $(BIN)/gunicorn -a -s static/vendor/htmx.min.js \
	  || { echo "make serve: run 'make install' first (the packages and static/vendor/htmx.min.js)" >&2; exit 1; }
	PORTFOLIO_ENV=production $(BIN)/gunicorn -c gunicorn.conf.py

# The container image, with the index baked in (deploy/container/build.sh: podman, offline build).
image: $(VENV)/.runtime vendor
	bash deploy/container/build.sh

# Every benchmark in bench/, printed as one table (needs wrk and nginx; see bench/run.py).
bench: $(VENV)/.dev vendor
	$(BIN)/python -m bench.run $(BENCH_ARGS)

test: $(VENV)/.dev vendor
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(VENV)/.runtime
	$(BIN)/flask --app portfolio content check

sync: $(VENV)/.runtime
	$(BIN)/flask --app portfolio content sync

clean:
	rm -rf $(VENV) node_modules static/vendor instance .pytest_cache
