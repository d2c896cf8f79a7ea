#!/usr/bin/env bash
# Builds pkg/ from scratch: release wasm → wasm-bindgen (web target) → wasm-opt -Oz → entry files.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
start=$(date +%s)

cargo build --release --target wasm32-unknown-unknown --lib
rm -rf pkg && mkdir pkg
# wasm-opt runs before wasm-bindgen: Debian's binaryen 108 mis-resolves the exported externref
# table in wasm-bindgen's output (the page then fails at start with a Table.set TypeError).
wasm-opt -Oz --strip-debug --strip-producers target/wasm32-unknown-unknown/release/pasarela.wasm -o target/pasarela.opt.wasm
wasm-bindgen target/pasarela.opt.wasm --out-dir pkg --out-name pasarela_wasm --target web --no-typescript
for f in pasarela.mjs pasarela.js pasarela.d.ts pasarela.css package.json; do
  sed "s/__VERSION__/$version/g" "js/$f" > "pkg/$f"
done
cp README.md pkg/README.md 2>/dev/null || true
echo "pkg/ built (v$version) in $(( $(date +%s) - start ))s"
