# mcpmon — developer entry points. `make` (or `make help`) lists them.
#
# Peers are real third-party MCP servers on 127.0.0.1 (scripts/peers.sh). Two checkouts or CI jobs on one
# machine must use different PEERS_DIR and PEERS_BASE, e.g. `make test PEERS_DIR=/tmp/p2 PEERS_BASE=38300`.
# `demo` and `test` start peers in PEERS_DIR and stop them again when they finish.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
PEERS_DIR ?= .peers
PEERS_BASE ?= 38100
FUZZ_SECONDS ?= 600
export MCPMON_PEERS_DIR := $(PEERS_DIR)
export MCPMON_PEERS_BASE := $(PEERS_BASE)

PEERS := scripts/peers.sh
RELEASE_BIN := target/release/mcpmon
DEBUG_BIN := target/debug/mcpmon
PEERS_ENV := $(abspath $(PEERS_DIR))/run/endpoints.env
# shell → file name under completions/
COMPLETIONS := bash:mcpmon.bash zsh:_mcpmon fish:mcpmon.fish powershell:_mcpmon.ps1 elvish:mcpmon.elv

.PHONY: help build peers demo test completions completions-check man man-check bench conformance fuzz clean-peers hostile

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-18s %s\n", $$1, $$2 }'
	@echo "  variables: PEERS_DIR=$(PEERS_DIR) PEERS_BASE=$(PEERS_BASE)"

build: ## Build the release binary (target/release/mcpmon)
	$(CARGO) build --release --locked

peers: ## Install the real MCP peer servers into PEERS_DIR (npm + PyPI, idempotent)
	$(PEERS) install "$(PEERS_DIR)"

demo: build peers ## Start the peers and check them with the release binary (stdio, HTTP, a multi-target config)
	@trap '$(PEERS) stop "$(PEERS_DIR)"' EXIT; \
	$(PEERS) start "$(PEERS_DIR)" "$(PEERS_BASE)"; \
	set -a; . "$(PEERS_ENV)"; set +a; \
	rcs=; \
	echo; echo "\$$ mcpmon health -- $$EVERYTHING_STDIO_CMD"; \
	rc=0; $(RELEASE_BIN) health -- $$EVERYTHING_STDIO_CMD || rc=$$?; echo "exit code: $$rc"; rcs="$$rcs $$rc"; \
	echo; echo "\$$ mcpmon health $$EVERYTHING_HTTP_URL"; \
	rc=0; $(RELEASE_BIN) health "$$EVERYTHING_HTTP_URL" || rc=$$?; echo "exit code: $$rc"; rcs="$$rcs $$rc"; \
	cfg="$$PEERS_RUN_DIR/demo-mcpmon.json"; \
	python3 -c 'import json, os, shlex; e = os.environ; stdio = lambda c, d: {"description": d, "command": shlex.split(c)[0], "args": shlex.split(c)[1:]}; \
	print(json.dumps({"defaults": {"timeout": "10s", "min_tools": 1}, "targets": { \
	  "everything-stdio": stdio(e["EVERYTHING_STDIO_CMD"], "reference server, stdio"), \
	  "everything-http": {"description": "reference server, Streamable HTTP", "url": e["EVERYTHING_HTTP_URL"], "expect_tools": ["echo"]}, \
	  "everything-sse": {"description": "reference server, legacy HTTP+SSE", "url": e["EVERYTHING_SSE_URL"], "type": "sse"}, \
	  "gateway-memory": {"description": "server-memory behind supergateway", "url": e["GATEWAY_MEMORY_HTTP_URL"]}, \
	  "mcp-hub": {"description": "mcp-hub aggregated endpoint (HTTP+SSE)", "url": e["HUB_SSE_URL"], "expect_tools": ["everything__echo"]}, \
	  "python-2026": {"description": "Python SDK 2.x, stateless 2026-07-28, Streamable HTTP", "url": e["PY_HTTP_URL"], "expect_tools": ["add"]}, \
	  "python-stdio": stdio(e["PY_STDIO_CMD"], "Python SDK 2.x, stateless 2026-07-28, stdio")}}, indent=2))' > "$$cfg"; \
	echo; echo "\$$ mcpmon health --config $$cfg"; \
	rc=0; $(RELEASE_BIN) health --config "$$cfg" || rc=$$?; echo "exit code: $$rc (0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN)"; rcs="$$rcs $$rc"; \
	echo; for rc in $$rcs; do [ "$$rc" = 0 ] || { echo "demo: a check did not come back OK (exit codes:$$rcs)" >&2; exit 1; }; done; \
	echo "demo: all checks OK; stopping the peers"

test: ## fmt + clippy, then the test suite against live peers (nextest if installed), then completions-check and man-check
	$(CARGO) fmt --all --check
	$(CARGO) clippy --all-targets --locked -- -D warnings
	$(PEERS) install "$(PEERS_DIR)"
	@trap '$(PEERS) stop "$(PEERS_DIR)"' EXIT; \
	$(PEERS) start "$(PEERS_DIR)" "$(PEERS_BASE)"; \
	export MCPMON_PEERS_ENV="$(PEERS_ENV)"; \
	if $(CARGO) nextest --version > /dev/null 2>&1; then \
	  echo "+ cargo nextest run --locked --no-fail-fast"; $(CARGO) nextest run --locked --no-fail-fast; \
	else \
	  echo "+ cargo test --locked --no-fail-fast"; $(CARGO) test --locked --no-fail-fast; \
	fi
	$(MAKE) --no-print-directory completions-check
	$(MAKE) --no-print-directory man-check

hostile: ## Hostile campaign (scripts/hostile.py, ~3 min): every stub mode, hostile numbers, flags and state files; fails on any panic, hang or exit code outside 0-3
	$(CARGO) build --locked
	python3 scripts/hostile.py $(DEBUG_BIN)

completions: ## Regenerate completions/ (bash, zsh, fish, powershell, elvish) from the debug binary
	$(CARGO) build --locked
	@mkdir -p completions
	@for pair in $(COMPLETIONS); do \
	  $(DEBUG_BIN) completions "$${pair%%:*}" > "completions/$${pair#*:}"; echo "wrote completions/$${pair#*:}"; \
	done

completions-check: ## Fail when completions/ is stale (regenerate with `make completions`)
	$(CARGO) build --locked
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	for pair in $(COMPLETIONS); do $(DEBUG_BIN) completions "$${pair%%:*}" > "$$tmp/$${pair#*:}"; done; \
	if diff -r "$$tmp" completions; then echo "completions/ is current"; \
	else echo "completions/ is stale: run 'make completions' and commit the result" >&2; exit 1; fi

man: ## Regenerate man/ (mcpmon.1 and one page per subcommand, clap_mangen) from the debug binary
	$(CARGO) build --locked
	@mkdir -p man
	@rm -f man/*.1
	$(DEBUG_BIN) man man

man-check: ## Fail when man/ is stale (regenerate with `make man`)
	$(CARGO) build --locked
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(DEBUG_BIN) man "$$tmp" > /dev/null; \
	if diff -r "$$tmp" man; then echo "man/ is current"; \
	else echo "man/ is stale: run 'make man' and commit the result" >&2; exit 1; fi

bench: ## Benchmarks against live peers (scripts/bench.sh, then scripts/bench-checks.py; own peers dir and ports)
	CARGO="$(CARGO)" scripts/bench.sh
	@trap '$(PEERS) stop target/bench-peers' EXIT; $(PEERS) start target/bench-peers 38700 > /dev/null; \
	python3 scripts/bench-checks.py $(RELEASE_BIN) target/bench-peers/run/endpoints.env

conformance: build ## The official MCP conformance suite's client scenarios against mcpmon (Node 22 + suite from npm, once)
	scripts/conformance.sh

fuzz: ## Fuzz each target in fuzz/ for FUZZ_SECONDS (600) in turn, niced (cargo-fuzz, nightly; installs cargo-fuzz)
	@command -v cargo-fuzz > /dev/null 2>&1 || $(CARGO) install cargo-fuzz --locked
	scripts/fuzz.sh $(FUZZ_SECONDS)

clean-peers: ## Stop the peers and delete PEERS_DIR
	-$(PEERS) stop "$(PEERS_DIR)"
	rm -rf "$(PEERS_DIR)"
