# Portier: every target installs what is missing first, so each works right after `git clone`.
SHELL := /bin/bash
NPM_STAMP := node_modules/.install-stamp
export npm_config_nodedir ?= /usr

.PHONY: all install typecheck lint test test-future soak demo demo-cluster bench screenshots protocol-docs clean

all: typecheck

$(NPM_STAMP): package.json package-lock.json protocol/package.json durable/package.json firmware/package.json cloud/package.json sim/package.json rig/package.json scripts/package.json
	npm ci --no-audit --no-fund --loglevel=error
	@# tap's test class is generated from the plugins package.json names; the published one loads them all, and every
	@# test process pays for loading plugins no test uses.
	npx tap build >/dev/null
	@touch $(NPM_STAMP)

install: $(NPM_STAMP)

typecheck: install
	npx tsc -p tsconfig.json --noEmit

# ESLint, type-aware, zero warnings (the cache makes a second run quick).
lint: install
	npx eslint . --max-warnings 0 --cache --cache-location node_modules/.cache/eslint/

# Type check, lint, then every test of every workspace; the last line is `N passed, N failed`.
# The type check (with ESLint beside it) also compiles every workspace into `.build/`, where the tests run on
# plain Node (see scripts/build-tests.mjs); `node scripts/run-tests.mjs FILE...` runs chosen files through tsx without a build.
test: install
	@node scripts/build-tests.mjs --lint || { echo "0 passed, 1 failed"; exit 1; }
	@node scripts/run-tests.mjs --compiled

# Every test again, twice, under Debian's faketime with a running clock: on the eve of a daylight-saving change more
# than a year ahead (TZ=Europe/Paris) and 20 years ahead (TZ=UTC). Installs on the real clock first.
test-future: install
	@node scripts/run-future-tests.mjs

# The crash tests at full strength: 150 SIGKILLs of the cloud under a stream of writes (`make test` runs 4), and 200
# SIGKILLs of a store compacting back to back under a stream of commits (`make test` runs 4); then the durability
# soak at full length (1,000 SIGKILLs of the cloud under mixed writes, 300 of a controller recording door events;
# `make bench` runs 100 and 30) and the memory soak for an hour (`make bench`: 5 minutes).
soak: install
	@PORTIER_KILLS_PER_LANE=75 node scripts/run-tests.mjs cloud/test/process/kill.test.ts
	@PORTIER_COMPACTION_KILLS=200 node scripts/run-tests.mjs cloud/test/process/compaction-kill.test.ts
	@DURABILITY_CLOUD_KILLS=1000 DURABILITY_CONTROLLER_KILLS=300 node scripts/run-benches.mjs durability
	@MEMORY_SOAK_MINUTES=60 node scripts/run-benches.mjs memory

demo: install
	node --import tsx scripts/demo/main.ts

# Scaled out on this machine: PostgreSQL, a three-node NATS cluster, two cloud instances, the demo's simulated bank.
# Needs Debian's postgresql and nats-server packages (the script says what is missing).
demo-cluster: install
	node --import tsx scripts/demo/cluster/main.ts

# The README's pictures of the web console, from the real pages in Debian's Chromium (docs/screenshots/).
screenshots: install
	node --import tsx scripts/screenshots/main.ts

bench: install
	node scripts/run-benches.mjs

protocol-docs: install
	npm run protocol:docs

clean:
	rm -rf var .build node_modules/.install-stamp
