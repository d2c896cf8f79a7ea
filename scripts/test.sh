#!/usr/bin/env bash
# The whole suite, as `npm test` and CI run it: installs what is missing, then
#   1. native unit tests of the pure core and of the merchant protocol crate (cargo test)
#   2. pkg/ release build
#   3. wasm-bindgen-test browser tests in headless Chromium
#   4. end-to-end tests: Playwright (playwright-core + Debian's Chromium) against the sandbox
#   5. the cross-browser subset in Chromium, Firefox ESR and WebKitGTK (tests/engines/)
#   6. the size report, which fails over the 64 KiB budget
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh

echo "== 1/6 native unit tests (browser core, merchant protocol and merchant service)"
# crates/protocol's tests run with its `serde` feature (its own dev-dependency on itself).
cargo test --quiet -p pasarela -p pasarela-protocol
cargo test --quiet -p pasarela-server --profile server

echo "== 2/6 build pkg/ and the merchant service, then the checks on them"
bash scripts/build.sh
bash scripts/build-server.sh
rm -rf target/service-logs
# clippy.toml keeps core::fmt and float parsing out of the wasm: its rules are errors here.
cargo clippy --quiet --release --target wasm32-unknown-unknown --lib -- -D warnings
# The merchant service too (server/clippy.toml: the wasm's size rules do not apply to it).
cargo clippy --quiet -p pasarela-server --profile server --all-targets -- -D warnings
# The protocol crate goes into the wasm: the root clippy.toml's rules hold for it, with and
# without the service's `serde` feature.
cargo clippy --quiet -p pasarela-protocol --release --target wasm32-unknown-unknown -- -D warnings
cargo clippy --quiet -p pasarela-protocol --all-targets --all-features -- -D warnings
# The size shortcuts in Cargo.toml's [patch] must really apply (a dependency bump can silently
# leave the real wasm-streams in the build).
for crate in wasm-streams serde-wasm-bindgen; do
  cargo tree --target wasm32-unknown-unknown -i "$crate" --depth 0 | grep -q "vendor/$crate" \
    || { echo "vendor/$crate is not patched in (Cargo.toml [patch.crates-io])" >&2; exit 1; }
done
node --test scripts/shorten-names.test.mjs scripts/trim-glue.test.mjs scripts/low-memory.test.mjs scripts/order-functions.test.mjs
# The package's types are its specification: what a storefront writes must check, and each
# `@ts-expect-error` in tests/types/invalid.ts must meet the error it names.
node_modules/.bin/tsc -p tests/types
# The hand-written JS (`// @ts-check`) against those same `.d.ts` files: an event missing from the
# entry's `EVENTS` or from React's handler props, or a wrong property, fails here.
node_modules/.bin/tsc -p tests/types/tsconfig.js.json
node scripts/check-readme-code.mjs README.md js/README.md
# The package in Node (server rendering): no side effects on import, a typed error on use.
node --test tests/node/
# The browsers the README claims: nothing newer than them without a fallback.
node scripts/check-browser-floor.mjs

echo "== 2b the merchant service against the provider emulators: SQLite, then Postgres"
# Each database also takes the load run: 1,000 attempts, 50 clients, duplicated keys, provider
# faults; it fails unless charges = distinct keys (on Postgres, two service processes).
node --test --test-concurrency=1 tests/service/
node scripts/check-openapi.mjs
node tests/bench/service-load.mjs
pg_url=$(bash scripts/postgres.sh)
trap 'bash scripts/postgres.sh stop' EXIT
PASARELA_TEST_DATABASE_URL="$pg_url" node --test --test-concurrency=1 tests/service/
PASARELA_TEST_DATABASE_URL="$pg_url" node tests/bench/service-load.mjs

echo "== 3/6 wasm tests in headless Chromium"
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --target wasm32-unknown-unknown --test web

echo "== 4/6 end-to-end tests in headless Chromium"
node --test --test-concurrency=1 tests/e2e/

echo "== 5/6 the cross-browser subset: Chromium, Firefox, WebKitGTK"
node --test --test-concurrency=1 tests/engines/

echo "== 5b no token or card number in any merchant-service log of this run"
if grep -rEl 'OT__|CT__|tok_[A-Za-z0-9]|src_[A-Za-z0-9]|_secret_[A-Za-z0-9]|\b4[0-9]{15}\b|\b5[0-9]{15}\b' target/service-logs; then
  echo "secrets in the service logs above" >&2; exit 1
fi
echo "$(ls target/service-logs | wc -l) service logs scanned"

echo "== 6/6 size"
node scripts/size.mjs --strict
