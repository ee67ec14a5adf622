# The two commands: `make run` and `make test`. Everything starts from python3 alone.
PYTHON ?= python3
VENV := .venv
TOOLS := .tools
UV := $(TOOLS)/bin/uv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Where `make run` keeps the beat schedule (the test of `make run` points it elsewhere).
VAR ?= var
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test setup assets lint bench lighthouse clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	@touch $@

# Browser tests need axe-core, HTML_CodeSniffer and the Nu checker from npm; skipped if npm is missing.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: browser checks will be skipped"; fi

setup: $(VENV)/.synced

# Every link the portal writes (emails, calendar files, the information pack) uses SITE_URL,
# so it follows HOST and PORT here.
run: export DEBUG ?= true
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: setup
	@mkdir -p $(VAR)
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo "Portal: http://$(HOST):$(PORT)/   staff area: http://$(HOST):$(PORT)/admin/   (Ctrl-C stops everything)"
	@exec $(BIN)/python -m portal.devserver $(HOST):$(PORT) $(VAR)/celerybeat-schedule

# Three pytest-xdist workers, each with its own test database and Redis databases
# (tests/conftest.py): while one waits on Chromium or the database, the others use the
# cores. A free worker takes tests from a busy one (worksteal). TEST_WORKERS=0 runs the
# suite in one process. The thirty slowest tests are listed at the end.
TEST_WORKERS ?= 3
test: setup node_modules/.installed
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal --durations=30 $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .

assets:
	npm ci --no-audit --no-fund
	npm run build

# The load benchmark and Lighthouse (minutes; not part of `make test`). Results in bench-results/.
bench: setup node_modules/.installed
	$(BIN)/python tests/benchmarks/run.py $(BENCH_ARGS)

lighthouse: setup node_modules/.installed
	$(BIN)/python tests/benchmarks/run.py --lighthouse-only $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) node_modules var db.sqlite3
