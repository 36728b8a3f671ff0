# cocanvas: `make run` starts the server, `make test` runs every check.
SHELL := /bin/sh
# Debian's own interpreter where it is 3.11 or newer: Debian builds it with profile-guided
# and link-time optimization, linked statically, and the server spends less CPU per
# delivery on it than on a plain build from source (bench/README.md, fifteenth round).
# `make PYTHON=...` picks another; an existing .venv keeps the one it was made with.
SYSTEM_PYTHON := /usr/bin/python3
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell $(SYSTEM_PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
            2>/dev/null && echo $(SYSTEM_PYTHON) || echo python3)
endif
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DATA ?= ./data
NPM := npm --no-audit --no-fund --loglevel=error

.PHONY: run test lint typecheck vitest pytest client native bench fuzz clean help

help:
	@echo "make run    install what is needed and start the server on http://$(HOST):$(PORT)/"
	@echo "make test   install what the tests need and run all checks and tests"
	@echo "make bench  run the sync benchmark against the reference server"
	@echo "make fuzz   fuzz the update pre-check for longer (FUZZ_MUTANTS=..., FUZZ_SEED=...)"
	@echo "make native compile the update path (make run and make test do it too)"

# ---- Python ---------------------------------------------------------------------------
$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "error: cocanvas needs Python 3.11 or newer ($(PYTHON) is older)"; exit 1; }
	@# Debian ships venv's pip apart from the interpreter
	@if [ "$(PYTHON)" = "$(SYSTEM_PYTHON)" ]; then scripts/system-packages.sh \
	  "$$($(PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')/ensurepip/__main__.py=python3-venv"; fi
	$(PYTHON) -m venv $(VENV)
	@touch $@

# the test extras hold the run's dependencies: after them, one pip run is enough
$(VENV)/.run-deps: pyproject.toml $(VENV)/.python-ok
	@if [ $(VENV)/.test-deps -nt pyproject.toml ]; then :; else \
	  echo "$(PY) -m pip install --quiet --disable-pip-version-check -e ."; \
	  $(PY) -m pip install --quiet --disable-pip-version-check -e .; fi
	@touch $@

$(VENV)/.test-deps: pyproject.toml $(VENV)/.python-ok
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,postgres,redis,native]'
	@touch $@

# ---- the update path compiled with mypyc (P371) ------------------------------------------
# a C compiler and Python's headers, then mypy's compiler; the server runs the source
# whenever the build is missing or older than it
$(VENV)/.native-deps: pyproject.toml $(VENV)/.run-deps
	scripts/system-packages.sh /usr/bin/gcc=gcc \
	    "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["include"])')/Python.h=python3-dev"
	@# the test extras bring mypyc already; pip would only resolve them a second time
	$(PY) -c 'import mypyc.build, setuptools' 2>/dev/null || \
	  $(PY) -m pip install --quiet --disable-pip-version-check -e '.[native]'
	@touch $@

NATIVE_SRC := $(shell find server canvas_schema -name '*.py' 2>/dev/null) scripts/build_native.py

server/_native/manifest.json: $(NATIVE_SRC) $(VENV)/.native-deps
	$(PY) scripts/build_native.py

native: server/_native/manifest.json

# ---- Node: browser client and the stock-client test tools ------------------------------
CLIENT_SRC := $(shell find client/src -type f 2>/dev/null) client/build.mjs client/package.json
CANVAS_SRC := $(shell find canvas_schema -type f -name '*.py' -o -name '*.json' 2>/dev/null)
VOCAB_SRC := server/sync/vocabulary.py server/sync/vocab_ts.py server/sync/ops.py \
             server/sync/appmsg.py server/sync/errors.py

client/node_modules/.package-lock.json: client/package-lock.json
	$(NPM) ci --prefix client
	@touch $@

server/static/board.html: $(CLIENT_SRC) $(CANVAS_SRC) $(VOCAB_SRC) \
                          client/node_modules/.package-lock.json $(VENV)/.run-deps
	cd client && node build.mjs

client: server/static/board.html

tests/interop/node_modules/.package-lock.json: tests/interop/package-lock.json
	$(NPM) ci --prefix tests/interop
	@touch $@

bench/node_modules/.package-lock.json: bench/package-lock.json
	$(NPM) ci --prefix bench
	@touch $@

# ---- the two commands ------------------------------------------------------------------
run: $(VENV)/.run-deps client
	@$(MAKE) --no-print-directory native || \
	  echo "warning: the update path could not be compiled; the server runs it as Python"
	$(VENV)/bin/cocanvas serve --host $(HOST) --port $(PORT) --data $(DATA)

test:
	@# pip and npm wait on the disk and the network as much as on the CPU: side by side
	$(MAKE) --no-print-directory -j2 --output-sync=target $(VENV)/.test-deps \
	    client/node_modules/.package-lock.json tests/interop/node_modules/.package-lock.json \
	    bench/node_modules/.package-lock.json
	scripts/system-packages.sh /usr/lib/chromium/chromium-headless-shell=chromium-headless-shell \
	    /usr/bin/pdftotext=poppler-utils \
	    /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf=fonts-dejavu-core \
	    /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf=fonts-noto-color-emoji \
	    /usr/lib/postgresql=postgresql /usr/bin/redis-server=redis-server \
	    /usr/sbin/nginx=nginx
	@# the compiled build keeps about one core busy, the client, the Node tools and the
	@# checks the other: side by side
	$(MAKE) --no-print-directory -j2 --output-sync=target native lint typecheck vitest client
	$(MAKE) --no-print-directory pytest

lint: $(VENV)/.test-deps client/node_modules/.package-lock.json
	$(VENV)/bin/ruff format --check server canvas_schema tests bench scripts
	$(VENV)/bin/ruff check server canvas_schema tests bench scripts
	$(PY) scripts/check_protocol.py
	cd client && npx --no-install biome ci .

typecheck: $(VENV)/.test-deps client
	$(VENV)/bin/mypy
	cd client && npx --no-install tsc --noEmit -p .

# Client unit tests (src/**/*.test.ts) in Node; `client` generates the modules they import.
vitest: client
	cd client && npx --no-install vitest run

# Browser tests run in their own session: Playwright's sync API keeps an event loop
# running in the main thread, which the async tests need for themselves. Both sessions
# hand out a file at a time (module fixtures stay shared). Measured back to back here:
# - the others run in one worker more than there are cores: many wait for real timeouts
#   (kills, restarts, slow clients), and a worker per core left two cores 78 % busy
#   (4:45 with three workers against 5:34 with two);
# - one browser worker kept two cores about 70 % busy (pages wait for the network and
#   for timers); two share them (5.3 minutes against 6.4-7.3).
# Every test starts servers and CLI processes: they compile our modules once, not each
# time, even where the environment turns bytecode caching off.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
E2E_WORKERS ?= 2
pytest: export PYTHONDONTWRITEBYTECODE :=
pytest: $(VENV)/.test-deps
	$(VENV)/bin/pytest -p no:cacheprovider --ignore=tests/e2e -n $(PYTEST_WORKERS) --dist loadfile
	$(VENV)/bin/pytest -p no:cacheprovider tests/e2e -n $(E2E_WORKERS) --dist loadfile

bench: $(VENV)/.run-deps client native bench/node_modules/.package-lock.json
	$(PY) bench/run_sync.py

# the pre-check's fuzz tests with far more examples than the normal run (minutes, not seconds)
FUZZ_EXAMPLES ?= 2000
FUZZ_MUTANTS ?= 200000
FUZZ_SEED ?= $(shell date +%s)
fuzz: $(VENV)/.test-deps
	COCANVAS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) COCANVAS_FUZZ_MUTANTS=$(FUZZ_MUTANTS) \
	COCANVAS_FUZZ_SEED=$(FUZZ_SEED) \
	    $(VENV)/bin/pytest -p no:cacheprovider -o timeout=3600 tests/unit/test_precheck_fuzz.py

clean:
	rm -rf $(VENV) client/node_modules tests/interop/node_modules bench/node_modules server/static \
	    server/_native
