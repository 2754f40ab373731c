# CAP platform — task runner. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
# Write .pyc files even where the environment says not to: each process would otherwise
# recompile every module at start-up (seconds per process, per test worker).
export PYTHONDONTWRITEBYTECODE :=
export UV_COMPILE_BYTECODE := 1
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
SERVICES := gateway diagnostic audit labelling notifications
PYTEST_WORKERS ?= 4
BROWSER_WORKERS ?= 2

.PHONY: help install install-node run demo test test-browser test-faults test-replicas test-clock test-fast fuzz bench lint format typecheck migrate up contract clients asyncapi problems schemas certifier clean check-alerts

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(UV):
	@command -v uv >/dev/null 2>&1 || { echo "installing uv"; python3 -m pip install --user --quiet uv || curl -LsSf https://astral.sh/uv/install.sh | sh; }

install: $(UV) ## Install the workspace (one lock file) into .venv, and the TypeScript client's npm packages when npm is there
	@$(UV) sync --frozen --all-packages --quiet
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory install-node; \
	else echo "note: npm is missing; make test needs Node.js 20+ (the TypeScript client is type-checked)"; fi

install-node: ## The TypeScript client's npm packages (clients/typescript/node_modules, from its lock file)
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js 20+ (the TypeScript client is type-checked by the suite)"; exit 1; }
	@cd clients/typescript && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --silent; }

## -- run ----------------------------------------------------------------------------
run: install ## The whole platform, standalone: the console on http://127.0.0.1:8000/, the API on /v1 (SQLite under var/, in-memory broker)
	$(UV) run --frozen cap-standalone

demo: install ## Load a demo network (Coorace Occitanie) into the running platform; DEMO_ARGS="--base-url ..."
	$(UV) run --frozen cap-demo $(DEMO_ARGS)

migrate: install ## Distributed: create each service's PostgreSQL database (and the console's) if missing and migrate it
	@set -a; source deploy/local/distributed.env; set +a; \
	for s in $(SERVICES) web; do $(UV) run --frozen cap-$$s migrate || exit 1; done

up: migrate ## Distributed: every service as its own processes on PostgreSQL and RabbitMQ, the console too, all on http://127.0.0.1:8000
	@set -a; source deploy/local/distributed.env; set +a; \
	$(UV) run --frozen honcho start -f deploy/local/Procfile

## -- test ---------------------------------------------------------------------------
test: install install-node ## The whole suite, in parallel, against real PostgreSQL and RabbitMQ, then the console in Chromium
	$(UV) run --frozen pytest -n $(PYTEST_WORKERS) -q -m "not browser and not faults and not replicas"
	$(MAKE) --no-print-directory test-browser

# Two workers, a live platform each, after the rest of the suite: 3½–4 minutes instead of 5½ in
# one process (`BROWSER_WORKERS=0`).
test-browser: install ## The web console in a real browser (Playwright, Debian's Chromium), a live platform per worker
	$(UV) run --frozen pytest -q -m browser -n $(BROWSER_WORKERS)

test-faults: install ## Real faults of real servers: throwaway RabbitMQ nodes and PostgreSQL clusters stopped, killed, restarted (tests/faults)
	$(UV) run --frozen pytest -q -m faults -p no:xdist tests/faults

test-replicas: install ## The platform replicated (two gateways, two API, worker and relay processes per service): the journeys, jobs once, shared limits
	$(UV) run --frozen pytest -q -m replicas -p no:xdist tests/journeys tests/integration

test-clock: install ## The time-sensitive tests at 23:30 Paris time today and at 00:30 on a leap day a year ahead (faketime)
	bash .ci/clock

test-fast: install install-node ## The suite without the slowest fault-injection tests
	$(UV) run --frozen pytest -n $(PYTEST_WORKERS) -q -m "not slow and not browser and not faults and not replicas"

check-alerts: ## The alert rules: promtool check rules, then their unit tests (Debian's prometheus package ships promtool; make test runs them too)
	@command -v promtool >/dev/null 2>&1 || { echo "promtool is missing: apt-get install prometheus (Debian's package ships it)"; exit 1; }
	promtool check rules deploy/prometheus/rules/*.yml
	promtool test rules deploy/prometheus/tests/*.yml

FUZZ_EXAMPLES ?= 25
FUZZ_SEED ?= $(shell echo $$RANDOM)
fuzz: install ## Schemathesis over the whole API as every role, longer: FUZZ_EXAMPLES (25) per operation and kind, FUZZ_SEED (random)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SEED=$(FUZZ_SEED) $(UV) run --frozen pytest -q -s --show-capture=no \
		tests/security/test_fuzz.py -k every_operation

bench: install ## Benchmarks (tests/bench), figures printed as ratios to a baseline
	$(UV) run --frozen python tests/bench/bench_pipeline.py
	$(UV) run --frozen python tests/bench/bench_gateway.py
	$(UV) run --frozen python tests/bench/bench_diagnostic.py
	$(UV) run --frozen python tests/bench/bench_registry.py
	$(UV) run --frozen python tests/bench/bench_journey.py
	$(UV) run --frozen python tests/bench/bench_console.py
	$(UV) run --frozen python tests/bench/bench_field.py

## -- quality ------------------------------------------------------------------------
lint: install ## ruff (lint + format check, docstrings), mypy, import-linter contracts, the house rules (tools/house_rules.py)
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy shared/src gateway/src services/*/src web/src standalone/src simulator/src
	$(UV) run --frozen lint-imports
	$(UV) run --frozen python tools/house_rules.py

format: install ## Apply ruff's fixes and formatting
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

contract: install ## Regenerate the committed contract docs/api/ (OpenAPI, AsyncAPI, problem types) and the clients' generated code
	$(UV) run --frozen python -m cap_standalone.contract
	$(UV) run --frozen python -m cap_standalone.problems_doc docs/api/problems.md
	$(MAKE) --no-print-directory clients

clients: install-node ## Regenerate the TypeScript client's types (clients/typescript/src/schema.d.ts) from docs/api/openapi.json
	cd clients/typescript && npm run --silent generate
	$(UV) run --frozen python tools/generate_python_client.py

asyncapi: contract ## (The event catalogue is docs/api/asyncapi.json, part of `make contract`)

problems: install ## Regenerate the catalogue of problem types docs/api/problems.md (also part of `make contract`)
	$(UV) run --frozen python -m cap_standalone.problems_doc docs/api/problems.md

schemas: install ## Regenerate the referential file schema docs/referentials/referential.schema.json
	$(UV) run --frozen python -m cap_diagnostic.referentials.schema docs/referentials/referential.schema.json

certifier: install ## Regenerate the certification-body contract docs/certifier/openapi.json
	$(UV) run --frozen python -m cap_audit.certifier.contract docs/certifier/openapi.json

clean: ## Remove local data (standalone SQLite files) and caches
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
